"""Fuzzing the loader and `ppt check` with mutated demonstration case files (issue 7).

Each generated input is one demonstration case file with one to three mutations: a line
deleted, duplicated or swapped, YAML punctuation, control characters or non-ASCII inserted,
indentation changed, the file cut at a random byte, a date replaced by a random string, a
random key inserted, a value replaced. It is written into a small repository beside two
untouched case files, then read the way `ppt validate` reads it (load, validate, cross-check,
evaluate) and the way `ppt check` streams it (one outcome per file, merged). Whatever the
input, nothing may raise; every problem must be located (line and column >= 0), say
something on one line, and name the mutated file; the untouched files must still be loaded
and evaluated; both paths must report the same problems, and when the mutated file is valid,
the same findings.

The default run is short enough for CI. For a long run (100,000 inputs or more), see
`tests/fuzz_long.py`:

    .venv/bin/python tests/fuzz_long.py --examples 100000
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pptcli import core, engine, load, scan
from pptcli.model.finding import Finding
from pptcli.model.settings import Settings
from pptcli.problems import Problem
from pptcli.rows import from_row, to_row
from pptcli.rules import RuleSet
from pptcli.yamlio import Snapshot, max_file_bytes

PROJECT = Path(__file__).resolve().parent.parent
CASES = PROJECT / "cases"
AS_OF = dt.date(2026, 11, 23)
SETTINGS_FILES = ("ppt.yaml", "staff.yaml", "calendar.yaml")

# Every demonstration case file is a starting point for mutation.
SOURCES: dict[str, bytes] = {
    p.relative_to(CASES).as_posix(): p.read_bytes()
    for p in sorted(CASES.rglob("*.yaml"))
    if not (p.parent == CASES and p.name in SETTINGS_FILES)
}
SOURCE_NAMES = sorted(SOURCES)

# Two small valid cases stay untouched beside the mutated file. Small, because every input
# reads them again; each has findings, so "still evaluated" can be seen in the report.
UNTOUCHED = {
    "a/FUZ-0001.yaml": """\
# Untouched beside the mutated file: a small valid CPS case.
id: FUZ-0001
program: cps
office: keene
child: {name: "U. A.", born: 2015-03-02}
team: {cpsw: q.hartley, permanency_cpsw: z.morin}
placements:
  - {date: 2026-10-05, provider: "Foster home", notified_ppt: 2026-10-05}
""",
    "b/FUZ-0002.yaml": """\
# Untouched beside the mutated file: a small valid JJS case.
id: FUZ-0002
program: jjs
office: manchester
child: {name: "U. B.", born: 2010-07-21}
team: {jppo: g.duarte, permanency_jppo: w.achebe}
placements:
  - {date: 2026-09-14, provider: "Group home", notified_ppt: 2026-09-16}
""",
}
UNTOUCHED_IDS = frozenset({"FUZ-0001", "FUZ-0002"})
# Sorted after the untouched files, so a copied case id makes the mutated file the duplicate.
MUTATED = "zz-mutated/case.yaml"


# --- The mutations ---------------------------------------------------------------------------

PIECES: tuple[bytes, ...] = tuple(
    s.encode("utf-8")
    for s in (
        ":", "-", "[", "]", "{", "}", ",", '"', "'", "#", "&", "*", "!", "|", ">", "\t", "%", "@",
        "`", "\0", "?", "~", " ", "\n", "\r", "\\", "é", "ß", "€", "漢", "😀", "\u00a0", "\u2028",
        "\ufeff", "\x85", "\x1b", ": ", "- ", "&a ", "*a", "<<: ", "!!python/object:os.system ",
        "!foo ", "{{", "[[", "]]", "}}", "<<<<<<< HEAD\n", "=======\n", "---\n", "...\n", "%YAML 1.1\n",
    )
) + (b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xef\xbb\xbf")  # invalid UTF-8, a cut character, a surrogate, a BOM

KEYS = (
    "id", "program", "office", "child", "team", "plan", "placements", "court_actions", "factors",
    "early_permanency", "workgroup_requests", "meetings", "supervisor_followups", "waivers",
    "permanency", "date", "provider", "notified_ppt", "notifed_ppt", "affects_ppt_schedule", "done",
    "due", "task", "owner", "kind", "status", "name", "born", "cpsw", "jppo", "casa_gal", "rule",
    "subject", "approved_by", "<<", "1", "null", "true", '"quoted key"', "ünïcode", "? [a, b]",
)
VALUES = (
    "2026-01-01", "2026-02-30", "null", "~", "true", "yes", "no", "[]", "{}", "[a, b]", "{a: 1}",
    "c.rivera", "x.unknown", "m.okafor", "held", "scheduled", "cancelled", "special", "regular",
    "cps", "jjs", "joint", "-1", "0x1F", "1e3", ".nan", '"text"', "'text'", "|", ">", "&a x", "*a",
    "!!str x", "!foo x", "2026-01-01T10:00:00", "20260101", "", "concord", "keene", "CPSW-I.D",
    "substance_abuse", "reunification", "- 2026-03-01", "{date: 2026-03-01}", "FUZ-0001",
)
ODD_DATES = (
    "2026-02-30", "2026-13-01", "2026-00-10", "0000-01-01", "9999-12-31", "2026-1-1", "2024-02-29",
    "2026-02-29", "1900-01-01", "20260101", "2026/01/01", "01-01-2026", "2026-01-01T00:00:00Z",
    "2026-01-01 10:00", "null", "", "'2026-01-01'", '"2026-01-01"', "tomorrow", "2026-01-01x",
    "-2026-01-01", "2026-01-01 # a comment", "[2026-01-01]",
)
_DATE = re.compile(rb"\d{4}-\d{2}-\d{2}")
_TEXT_PIECES = sorted({p.decode("utf-8", "replace") for p in PIECES} | set("0123456789-abcXYZ "))
_text = st.lists(st.sampled_from(_TEXT_PIECES), max_size=6).map("".join)  # a random value or date

Draw = Callable[[st.SearchStrategy[Any]], Any]


def _lines(raw: bytes) -> list[bytes]:
    return raw.splitlines(keepends=True) or [b""]


def delete_line(draw: Draw, raw: bytes) -> bytes:
    lines = _lines(raw)
    del lines[draw(st.integers(0, len(lines) - 1))]
    return b"".join(lines)


def duplicate_line(draw: Draw, raw: bytes) -> bytes:
    lines = _lines(raw)
    i = draw(st.integers(0, len(lines) - 1))
    lines.insert(i, lines[i])
    return b"".join(lines)


def swap_lines(draw: Draw, raw: bytes) -> bytes:
    lines = _lines(raw)
    i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
    lines[i], lines[j] = lines[j], lines[i]
    return b"".join(lines)


def insert_characters(draw: Draw, raw: bytes) -> bytes:
    at = draw(st.integers(0, len(raw)))
    pieces = draw(st.lists(st.sampled_from(PIECES), min_size=1, max_size=4))
    return raw[:at] + b"".join(pieces) + raw[at:]


def change_indentation(draw: Draw, raw: bytes) -> bytes:
    lines = _lines(raw)
    i = draw(st.integers(0, len(lines) - 1))
    body = lines[i].lstrip(b" ")
    indent = len(lines[i]) - len(body)
    lines[i] = b" " * max(0, indent + draw(st.sampled_from([-4, -2, -1, 1, 2, 4]))) + body
    return b"".join(lines)


def truncate(draw: Draw, raw: bytes) -> bytes:
    return raw[: draw(st.integers(0, len(raw)))]


def replace_date(draw: Draw, raw: bytes) -> bytes:
    found = list(_DATE.finditer(raw))
    if not found:
        return raw
    match = draw(st.sampled_from(found))
    new = draw(st.one_of(st.sampled_from(ODD_DATES), st.dates(dt.date(1990, 1, 1), dt.date(2035, 12, 31)).map(str), _text))
    return raw[: match.start()] + new.encode("utf-8") + raw[match.end() :]


def insert_key(draw: Draw, raw: bytes) -> bytes:
    lines = _lines(raw)
    i = draw(st.integers(0, len(lines)))
    near = lines[min(i, len(lines) - 1)]
    indent = draw(st.sampled_from([len(near) - len(near.lstrip(b" ")), 0, 2, 4, 6]))
    key = draw(st.one_of(st.sampled_from(KEYS), st.from_regex(r"[a-z_]{1,12}", fullmatch=True)))
    value = draw(st.one_of(st.sampled_from(VALUES), _text))
    lines.insert(i, f"{' ' * indent}{key}: {value}\n".encode())
    return b"".join(lines)


def replace_value(draw: Draw, raw: bytes) -> bytes:
    lines = _lines(raw)
    candidates = [i for i, line in enumerate(lines) if b": " in line]
    if not candidates:
        return raw
    i = draw(st.sampled_from(candidates))
    head = lines[i].split(b": ", 1)[0]
    lines[i] = head + b": " + draw(st.one_of(st.sampled_from(VALUES), _text)).encode("utf-8") + b"\n"
    return b"".join(lines)


MUTATIONS = (
    delete_line, duplicate_line, swap_lines, insert_characters, change_indentation, truncate,
    replace_date, insert_key, replace_value,
)


@st.composite
def mutated_case_files(draw: Draw) -> bytes:
    """A demonstration case file with one to three mutations."""
    raw = SOURCES[draw(st.sampled_from(SOURCE_NAMES))]
    for mutate in draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3)):
        raw = mutate(draw, raw)
    return raw


# --- The repository and the two ways of reading it ---------------------------------------------


def make_repository(root: Path) -> Path:
    """The demo's settings files, the two untouched case files and the (for now unmutated)
    file that each input replaces."""
    root.mkdir(parents=True, exist_ok=True)
    for name in SETTINGS_FILES:
        shutil.copy(CASES / name, root / name)
    for name, text in UNTOUCHED.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    (root / MUTATED).parent.mkdir(parents=True, exist_ok=True)
    (root / MUTATED).write_bytes(SOURCES[SOURCE_NAMES[0]])
    return root.resolve()


@dataclass(frozen=True)
class Read:
    """What one way of reading the repository found."""

    findings: tuple[Finding, ...]
    problems: tuple[Problem, ...]


class FuzzRepository:
    """A small repository, read the two ways the commands read a repository.

    `loader()` is what `core.evaluate_repository` does (`ppt validate`, `ppt explain`):
    load.load_repository (read, parse and validate each file, cross-check them together),
    then evaluate the valid cases. `streaming()` is what `core.check` does (`ppt check`,
    `ppt due`) without a cache and in one process: one scan.outcome per file (read, parse,
    validate, cross-check, evaluate), merged in file order. The rules, and for the streaming
    path the settings and the list of files, are read once, so that thousands of inputs fit
    in CI's minute; `core_loader()` and `core_streaming()` are the two `core` functions
    themselves, for a shorter run that covers the steps skipped here.
    """

    def __init__(self, root: Path) -> None:
        self.root = make_repository(root)
        self.mutated = self.root / MUTATED
        self.ruleset: RuleSet = core.ruleset_for(self.root)
        self.duties = self.ruleset.duties()
        settings_, staff, has_staff, calendar, problems = load.load_settings(self.root)
        assert problems == []
        self.settings, self.staff, self.has_staff, self.calendar = settings_, staff, has_staff, calendar
        self.policy = engine.Policy.of(self.ruleset, settings_.policy)
        digest = scan.setting_digest(self.root, self.ruleset.folder, AS_OF, max_file_bytes(), Snapshot())
        self.setting = scan.Setting(self.root, self.ruleset, settings_, staff, has_staff, calendar, self.policy, AS_OF, digest)
        self.keep = scan.Keep(lambda row: True, lambda row: True)
        found: list[Problem] = []
        self.files = load.unique_files(self.root, [self.root], found)
        assert found == [] and [f.relative_to(self.root).as_posix() for f in self.files] == [*UNTOUCHED, MUTATED]

    def loader(self) -> Read:
        repo = load.load_repository(self.root, [self.root], rules=self.duties)
        findings, found = engine.evaluate(self.ruleset, repo.cases, repo.calendar, repo.staff, self.policy, AS_OF)
        return Read(tuple(findings), tuple(sorted({*repo.problems, *found})))

    def streaming(self) -> Read:
        outcomes = [scan.outcome(self.setting, path.relative_to(self.root).as_posix(), self.keep, None) for path in self.files]
        keeping: list[scan.Outcome] = []
        problems = scan.merge(iter(outcomes), keeping.append)[1]  # counts, problems, valid, ids
        findings = [from_row(row, self.ruleset, o.child) for o in keeping for row in o.kept]
        return Read(tuple(findings), tuple(sorted(set(problems))))

    @contextmanager
    def rules_loaded_once(self) -> Iterator[None]:
        """`core` with the shipped rule set loaded once, not read and compiled for every input
        (the rules are not what is fuzzed here); everything else as the commands run it."""
        original = core.ruleset_for

        def ruleset_for(root: Path, settings: Settings | None = None, files: Snapshot | None = None) -> RuleSet:
            return self.ruleset if Path(root).resolve() == self.root else original(root, settings, files)

        core.ruleset_for = ruleset_for  # type: ignore[assignment]
        try:
            yield
        finally:
            core.ruleset_for = original  # type: ignore[assignment]

    def core_loader(self) -> Read:
        evaluated = core.evaluate_repository(self.root, AS_OF)
        return Read(evaluated.findings, evaluated.problems)

    def core_streaming(self) -> Read:
        report, _ = core.check(self.root, AS_OF, core.Filters(), include_na=True, run=core.Run(use_cache=False, jobs=1))
        return Read(report.findings, report.problems)


def assert_sound(read: Read, how: str) -> None:
    """Every problem located, said on one line, in the mutated file; the untouched files read."""
    for problem in read.problems:
        assert problem.file == MUTATED, f"{how}: a problem outside the mutated file: {problem}"
        assert isinstance(problem.line, int) and problem.line >= 0, f"{how}: {problem}"
        assert isinstance(problem.column, int) and problem.column >= 0, f"{how}: {problem}"
        assert isinstance(problem.message, str) and problem.message.strip(), f"{how}: {problem}"
        assert len(problem.message.splitlines()) == 1, f"{how}: a message of several lines: {problem}"
    cases = {f.case for f in read.findings}
    assert UNTOUCHED_IDS <= cases, f"{how}: untouched files not evaluated: {sorted(UNTOUCHED_IDS - cases)}"


def rows_of(findings: tuple[Finding, ...], file: str) -> list[tuple[Any, ...]]:
    return sorted((to_row(f) for f in findings if f.file == file), key=repr)


def check_input(repo: FuzzRepository, raw: bytes, *, through_core: bool = False) -> Read:
    """Run one input through both ways of reading and check what they found; return what
    the loader found."""
    repo.mutated.write_bytes(raw)
    if through_core:
        loader, streaming = repo.core_loader(), repo.core_streaming()
    else:
        loader, streaming = repo.loader(), repo.streaming()
    assert_sound(loader, "loader")
    assert_sound(streaming, "streaming")
    assert set(loader.problems) == set(streaming.problems), "the two ways of reading disagree on the problems"
    if not loader.problems:
        assert rows_of(loader.findings, MUTATED) == rows_of(streaming.findings, MUTATED)
    return loader


# --- The tests -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_repo(tmp_path_factory: pytest.TempPathFactory) -> FuzzRepository:
    return FuzzRepository(tmp_path_factory.mktemp("fuzz") / "repo")


def test_the_fuzz_repository_reads_cleanly_before_any_mutation(fuzz_repo: FuzzRepository) -> None:
    """The harness itself: every demo case file, unmutated, is valid beside the untouched
    ones, and both entry points find the same findings for it."""
    for name, raw in SOURCES.items():
        loader = check_input(fuzz_repo, raw)
        assert loader.problems == (), (name, loader.problems)
        assert rows_of(loader.findings, MUTATED), name


def test_a_copied_case_id_is_reported_in_the_mutated_file(fuzz_repo: FuzzRepository) -> None:
    loader = check_input(fuzz_repo, UNTOUCHED["a/FUZ-0001.yaml"].encode())
    assert [(p.file, p.line, p.column, p.message) for p in loader.problems] == [
        (MUTATED, 2, 5, 'case id "FUZ-0001" is also used by a/FUZ-0001.yaml')
    ]


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(raw=mutated_case_files())
def test_the_loader_and_the_streaming_check_survive_mutated_case_files(fuzz_repo: FuzzRepository, raw: bytes) -> None:
    check_input(fuzz_repo, raw)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(raw=mutated_case_files())
def test_core_evaluate_repository_and_core_check_survive_mutated_case_files(fuzz_repo: FuzzRepository, raw: bytes) -> None:
    """The same through the two functions the commands call, settings and files found anew
    for every input (only the rule set is loaded once)."""
    with fuzz_repo.rules_loaded_once():
        check_input(fuzz_repo, raw, through_core=True)


@pytest.fixture(scope="module")
def cli_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_repository(tmp_path_factory.mktemp("fuzz-cli") / "repo")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(raw=mutated_case_files())
def test_ppt_check_survives_mutated_case_files(cli_repo: Path, raw: bytes) -> None:
    (cli_repo / MUTATED).write_bytes(raw)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PPT_")}
    env.update({"NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"})
    result = subprocess.run(
        [sys.executable, "-m", "pptcli", "check", ".", "--format", "json", "--no-cache", "--as-of", AS_OF.isoformat()],
        cwd=cli_repo, env=env, capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=120, check=False,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert result.returncode in (0, 1, 2), result
    report = json.loads(result.stdout)
    for problem in report["problems"]:
        assert problem["file"] == MUTATED and problem["line"] >= 0 and problem["column"] >= 0, problem
        assert problem["message"].strip() and len(problem["message"].splitlines()) == 1, problem
    assert UNTOUCHED_IDS <= {f["case"] for f in report["findings"]}
    assert (result.returncode == 2) == bool(report["problems"])
