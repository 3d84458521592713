"""Hostile and broken input through the real CLI (issue 7, "a catalogue of bad input").

Each entry of the catalogue is one test. A copy of the demonstration repository gets one bad
file (or one bad settings file); `ppt validate` must then print exactly one problem, on one
line, at the line and column computed from the text written, exit 2 and still count every
other case file as valid. A representative subset also goes through `ppt check --format json`,
which must report the same problem and still print the findings of every other case.
No run may show a Python traceback (SPEC 8).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from pptcli.yamlio import MAX_BYTES

PROJECT = Path(__file__).resolve().parent.parent
CASES = PROJECT / "cases"
AS_OF = "2026-11-23"
SETTINGS = {"ppt.yaml", "staff.yaml", "calendar.yaml"}
DEMO_FILES = sorted(p for p in CASES.rglob("*.yaml") if not (p.parent == CASES and p.name in SETTINGS))
DEMO_IDS = {re.search(r"^id: (\S+)$", p.read_text(encoding="utf-8"), re.MULTILINE).group(1) for p in DEMO_FILES}  # type: ignore[union-attr]
DEMO_COUNT = len(DEMO_FILES)

BASE_FILE = CASES / "concord" / "CON-2026-0042.yaml"
BASE_ID = "CON-2026-0042"
NEW_ID = "CON-2026-9001"
HOSTILE = "concord/CON-2026-9001.yaml"  # where each test writes its bad case file

PROBLEM_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): error: (?P<message>.+)$")


# --- helpers -----------------------------------------------------------------------------------


def base_case() -> str:
    """A valid case file: the demo's CON-2026-0042 under an id of its own."""
    text = BASE_FILE.read_text(encoding="utf-8")
    assert text.count(f"id: {BASE_ID}\n") == 1
    return text.replace(f"id: {BASE_ID}\n", f"id: {NEW_ID}\n")


def edited(old: str, new: str, text: str | None = None) -> str:
    text = base_case() if text is None else text
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def where(text: str, needle: str, *, last: bool = False, offset: int = 0) -> tuple[int, int]:
    """1-based line and column of `needle` in `text` (plus `offset` characters)."""
    index = (text.rindex(needle) if last else text.index(needle)) + offset
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


@dataclass(frozen=True)
class Shown:
    file: str
    line: int
    column: int
    message: str


MEMORY_LIMIT = 2 * 1024**3  # bytes of address space for runs on documents built to exhaust memory


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def ppt(cwd: Path, *args: str, timeout: float = 120, bounded: bool = False, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`ppt ARGS` in a new process, with its cache in the test's temporary folder; with
    bounded=True, in at most MEMORY_LIMIT bytes (a run that needed more would fail)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PPT_")}
    env.update({"NO_COLOR": "1", "PYTHONIOENCODING": "utf-8", "PPT_CACHE_DIR": str(cwd.parent / "ppt-cache")})
    env.update(extra_env or {})
    env.pop("FORCE_COLOR", None)
    result = subprocess.run(
        [sys.executable, "-m", "pptcli", *args], cwd=cwd, env=env, capture_output=True,
        text=True, encoding="utf-8", errors="replace", timeout=timeout, check=False,
        preexec_fn=_limit_memory if bounded else None,  # safe: this process starts no threads
    )
    shown = result.stdout + result.stderr
    assert "Traceback" not in shown, f"ppt {' '.join(args)} showed a traceback:\n{shown[-3000:]}"
    return result


def validate(repo: Path, *, bounded: bool = False) -> tuple[subprocess.CompletedProcess[str], list[Shown]]:
    result = ppt(repo, "validate", "--as-of", AS_OF, ".", timeout=60 if bounded else 120, bounded=bounded)
    shown = []
    for line in result.stdout.splitlines():
        match = PROBLEM_LINE.match(line)
        # One line per problem: a message spilling onto a second line would land here.
        assert match, f"not a `path:line:col: error: message` line: {line[:300]!r}\n{result.stdout[:3000]}"
        shown.append(Shown(match["file"], int(match["line"]), int(match["col"]), match["message"]))
    return result, shown


def check_json(repo: Path, *extra: str, bounded: bool = False) -> tuple[subprocess.CompletedProcess[str], dict]:  # type: ignore[type-arg]
    result = ppt(repo, "check", ".", "--format", "json", "--no-cache", "--as-of", AS_OF, *extra, timeout=60 if bounded else 120, bounded=bounded)
    try:
        return result, json.loads(result.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"exit {result.returncode}, not JSON:\n{result.stdout[:2000]}\n{result.stderr[:2000]}") from None


def write(repo: Path, rel: str, content: str | bytes) -> Path:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))
    return path


def assert_rejected(
    repo: Path,
    rel: str,
    at: tuple[int, int],
    fragment: str,
    *,
    check: bool = False,
    valid: int = DEMO_COUNT,
    cases: set[str] = DEMO_IDS,
    bounded: bool = False,
) -> None:
    """`ppt validate` prints exactly one problem, in `rel` at `at`, whose message holds
    `fragment`; exits 2; and still finds the `valid` other case files valid. With check=True,
    `ppt check --format json` reports the same problem and the findings of `cases`. With
    bounded=True, each run gets 60 seconds and MEMORY_LIMIT bytes."""
    result, shown = validate(repo, bounded=bounded)
    assert result.returncode == 2, result
    assert len(shown) == 1, result.stdout[:3000]
    problem = shown[0]
    assert problem.file == rel, problem
    assert (problem.line, problem.column) == at, problem
    assert fragment in problem.message, problem
    assert f"1 problem; {valid} valid case file" in result.stderr, result.stderr
    if not check:
        return
    result, report = check_json(repo, bounded=bounded)
    assert result.returncode == 2, result.stderr
    mine = [p for p in report["problems"] if fragment in p["message"]]
    assert len(report["problems"]) == 1 and len(mine) == 1, report["problems"]
    assert (mine[0]["file"], mine[0]["line"], mine[0]["column"]) == (rel, *at), mine
    assert cases <= {f["case"] for f in report["findings"]}, "the other case files were not all checked"
    assert report["summary"]["cases"] == valid


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A private copy of the demonstration repository."""
    target = tmp_path / "cases"
    shutil.copytree(CASES, target, ignore=shutil.ignore_patterns(".ppt-cache"))
    return target


def test_the_copy_of_the_demo_is_valid_before_any_edit(repo: Path) -> None:
    result, shown = validate(repo)
    assert result.returncode == 0 and shown == [], result
    assert f"{DEMO_COUNT} case files valid" in result.stderr
    assert len(DEMO_IDS) == DEMO_COUNT >= 16


# --- empty, list, scalar -------------------------------------------------------------------------


@pytest.mark.parametrize("content", ["", "\n\n", "# nothing written yet\n# (a placeholder)\n"], ids=["empty", "blank-lines", "comments-only"])
def test_an_empty_file(repo: Path, content: str) -> None:
    write(repo, HOSTILE, content)
    assert_rejected(repo, HOSTILE, (1, 1), "the file is empty", check=content == "")


def test_a_file_that_is_a_list(repo: Path) -> None:
    write(repo, HOSTILE, "- id: CON-2026-9001\n- program: cps\n")
    assert_rejected(repo, HOSTILE, (1, 1), "expected a mapping of keys to values, but the file holds a list", check=True)


def test_a_file_that_is_a_scalar(repo: Path) -> None:
    write(repo, HOSTILE, "CON-2026-9001\n")
    assert_rejected(repo, HOSTILE, (1, 1), "expected a mapping of keys to values, but the file holds the text")


@pytest.mark.parametrize("tail", ["---\nid: CON-2026-9002\n", "---\n# the end\n"], ids=["a-second-case", "an-empty-second"])
def test_a_second_document_is_refused_not_read_in_place_of_the_first(repo: Path, tail: str) -> None:
    """libyaml reads documents one after another: keeping the last lost the case before it."""
    text = base_case() + tail
    write(repo, HOSTILE, text)
    assert_rejected(repo, HOSTILE, (text.count("\n", 0, text.index("---\n")) + 1, 1), "a second YAML document starts here", check=True)


def test_an_unknown_directive_does_not_let_aliases_tags_and_merge_keys_in(repo: Path) -> None:
    """libyaml refuses `%FOO`; ruamel reads it, and a text read by ruamel alone escaped the
    refusals fastyaml makes as it reads."""
    text = "%FOO bar\n---\n" + edited("  cpsw: c.rivera\n", "  cpsw: &w c.rivera\n").replace("permanency_cpsw: t.nguyen", "permanency_cpsw: *w")
    write(repo, HOSTILE, text)
    assert_rejected(repo, HOSTILE, (1, 5), "invalid YAML: found unknown directive name", check=True)


# --- characters and encodings ----------------------------------------------------------------


@pytest.mark.parametrize("indent", ["\t", "  \t"], ids=["tab", "spaces-then-tab"])
def test_tab_indentation(repo: Path, indent: str) -> None:
    text = edited("  cpsw: c.rivera\n", f"{indent}cpsw: c.rivera\n")
    write(repo, HOSTILE, text)
    assert_rejected(repo, HOSTILE, where(text, "\tcpsw"), "tab used for indentation", check=indent == "\t")


def test_invalid_utf8(repo: Path) -> None:
    text = edited('name: "J. D."', 'name: "J\udce9r\udcf4me D."')  # Latin-1 bytes 0xE9, 0xF4
    raw = text.encode("utf-8", "surrogateescape")
    write(repo, HOSTILE, raw)
    assert_rejected(repo, HOSTILE, where(text, "\udce9"), "not valid UTF-8", check=True)


def test_invalid_utf8_after_wide_characters_is_placed_by_character(repo: Path) -> None:
    text = edited('name: "J. D."', 'name: "\u5c0f\u6797 \udce9"')  # two Han characters, then a Latin-1 byte
    write(repo, HOSTILE, text.encode("utf-8", "surrogateescape"))
    assert_rejected(repo, HOSTILE, where(text, "\udce9"), "not valid UTF-8", check=True)


def test_a_control_character_is_refused_where_it_stands(repo: Path) -> None:
    text = edited('name: "J. D."', 'name: "J. \u00e9 D."').replace("  cpsw: c.rivera\n", "  cpsw: c.ri\x07vera\n")
    write(repo, HOSTILE, text)
    assert_rejected(repo, HOSTILE, where(text, "\x07"), "a control character (U+0007) is not allowed", check=True)


def test_a_utf16_file_is_named_as_such(repo: Path) -> None:
    """What Windows PowerShell's `>` writes."""
    write(repo, HOSTILE, base_case().encode("utf-16"))
    assert_rejected(repo, HOSTILE, (1, 1), "UTF-16 text; save the file as UTF-8", check=True)


def test_binary_garbage(repo: Path) -> None:
    # The first bytes of an MP4 video saved with a .yaml name, then random-looking bytes.
    garbage = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom\xff\xd8\x8a\n\x01\x02: [\x00\xfe"
    write(repo, HOSTILE, garbage)
    assert_rejected(repo, HOSTILE, (1, 1), "not a text file (contains NUL bytes)", check=True)


def test_a_byte_order_mark_is_accepted(repo: Path) -> None:
    """YAML 1.2 allows a BOM (editors on Windows write one): the file is valid, and the line
    numbers of its findings are those of the same text without the BOM."""
    write(repo, HOSTILE, b"\xef\xbb\xbf" + base_case().encode("utf-8"))
    result, shown = validate(repo)
    assert result.returncode == 0 and shown == [], result
    assert f"{DEMO_COUNT + 1} case files valid" in result.stderr
    _, report = check_json(repo, "--all")

    def lines(case: str) -> list[tuple[str, str, int]]:
        return sorted((f["rule"], f["subject"], f["line"]) for f in report["findings"] if f["case"] == case)

    assert lines(NEW_ID) and lines(NEW_ID) == lines(BASE_ID)


def test_a_byte_order_mark_does_not_shift_the_position_of_a_later_error(repo: Path) -> None:
    text = edited("office: concord\n", "office: concrd\n")
    write(repo, HOSTILE, b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert_rejected(repo, HOSTILE, where(text, "concrd"), 'office "concrd" is not in ppt.yaml offices', check=True)


# --- YAML that a lenient parser would accept silently -------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "second"),
    [
        ("  cpsw: c.rivera\n", "  cpsw: c.rivera\n  cpsw: j.beaulieu\n", "cpsw: j.beaulieu"),
        ("office: concord\n", "office: concord\nprogram: jjs\n", "program: jjs"),
        ('child: {name: "J. D.", born: 2012-05-14}', 'child: {name: "J. D.", born: 2012-05-14, name: "K. E."}', 'name: "K. E."'),
    ],
    ids=["nested-mapping", "top-level", "flow-mapping"],
)
def test_duplicate_keys_in_one_mapping(repo: Path, old: str, new: str, second: str) -> None:
    text = edited(old, new)
    write(repo, HOSTILE, text)
    key = second.split(":")[0]
    assert_rejected(repo, HOSTILE, where(text, second), f'duplicate key "{key}"', check=key == "cpsw")


def test_merge_conflict_markers(repo: Path) -> None:
    text = edited(
        "  cpsw: c.rivera\n",
        "<<<<<<< HEAD\n  cpsw: c.rivera\n=======\n  cpsw: j.beaulieu\n>>>>>>> reassign-worker\n",
    )
    write(repo, HOSTILE, text)
    assert_rejected(repo, HOSTILE, where(text, "<<<<<<<"), "git merge conflict marker", check=True)


def test_a_billion_laughs_alias_bomb_is_refused_quickly(repo: Path) -> None:
    """Nine levels of nine aliases would expand to 9**9 strings: refused at the first anchor,
    within a minute and 2 GiB (no clock is read here: the limits are the subprocess's)."""
    lines = [f"id: {NEW_ID}", 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    text = "\n".join(lines) + "\n"
    write(repo, HOSTILE, text)
    assert_rejected(repo, HOSTILE, where(text, "&a"), "aliases are not allowed", check=True, bounded=True)


# --- nesting -----------------------------------------------------------------------------------


def test_flow_brackets_nested_200000_deep(repo: Path) -> None:
    text = f"id: {NEW_ID}\nnotes: " + "[" * 200_000 + "]" * 200_000 + "\n"
    write(repo, HOSTILE, text)
    # The 33rd bracket is the first one deeper than the limit of 32 levels.
    assert_rejected(repo, HOSTILE, where(text, "[", offset=32), "nested more than 32 levels deep", check=True, bounded=True)


def test_a_duplicate_key_before_deep_brackets_is_the_problem_reported(repo: Path) -> None:
    """The first problem in the text is the one reported, even when libyaml (0.2.6 and later)
    stops at its own nesting limit further on before the loader has seen the duplicate."""
    text = f"id: {NEW_ID}\nnotes: [[[{{a: 1, a: 2}}, " + "[" * 200_000 + "]" * 200_000 + "]]]\n"
    write(repo, HOSTILE, text)
    assert_rejected(repo, HOSTILE, where(text, "a: 2"), 'duplicate key "a"', bounded=True)


def test_flow_brackets_hidden_behind_a_quote_in_a_plain_scalar(repo: Path) -> None:
    """`x"` is a plain scalar in YAML, so the brackets after it are real nesting, although a
    naive scanner takes `", [[[...]]], y"` for one quoted string."""
    text = f'id: {NEW_ID}\nnotes: [x", ' + "[" * 200_000 + "]" * 200_000 + ', y"]\n'
    write(repo, HOSTILE, text)
    # `[x"` opens level 1; the run of brackets opens levels 2, 3, ...: level 33 is its 32nd.
    assert_rejected(repo, HOSTILE, where(text, "[[", offset=31), "nested more than 32 levels deep", bounded=True)


def test_block_mappings_nested_100_levels(repo: Path) -> None:
    body = "".join("  " * (level + 1) + f"level{level}:\n" for level in range(100))
    text = f"id: {NEW_ID}\nnotes:\n{body}"
    write(repo, HOSTILE, text)
    # notes: is level 1 of the document's nesting; the mapping holding level32 is level 33.
    assert_rejected(repo, HOSTILE, where(text, "level32:"), "nested more than 32 levels deep", bounded=True)


def test_compact_sequences_nested_100_deep(repo: Path) -> None:
    text = f"id: {NEW_ID}\nnotes:\n" + "- " * 100 + "x\n"
    write(repo, HOSTILE, text)
    # The list opened by the first dash is level 1 of the document; the 33rd dash opens level 33.
    assert_rejected(repo, HOSTILE, where(text, "- ", offset=32 * 2), "nested more than 32 levels deep", bounded=True)


# --- size ------------------------------------------------------------------------------------


def _padded(size: int) -> bytes:
    """A valid case file followed by comment lines, exactly `size` bytes long."""
    raw = base_case().encode("utf-8")
    line = b"# " + b"x" * 97 + b"\n"
    raw += line * ((size - len(raw)) // len(line))
    raw += b"#" * (size - len(raw) - 1) + b"\n"
    assert len(raw) == size
    return raw


def test_a_file_over_the_size_limit(repo: Path) -> None:
    write(repo, HOSTILE, _padded(MAX_BYTES + 1))
    assert_rejected(repo, HOSTILE, (1, 1), f"the limit is {MAX_BYTES:,}", check=True)


def test_a_file_of_gigabytes_is_refused_unread(repo: Path) -> None:
    """3 GiB (sparse: no disk used) in 2 GiB of address space: a report that read the file
    before checking its size, or a writer indexing ids, would run out of memory."""
    path = repo / HOSTILE
    with open(path, "wb") as file:
        file.truncate(3 * 1024**3)
    message = f"file is {3 * 1024**3:,} bytes; the limit is {MAX_BYTES:,} (PPT_MAX_FILE_BYTES)"
    assert_rejected(repo, HOSTILE, (1, 1), message, check=True, bounded=True)  # validate, check --no-cache
    for _ in range(2):  # with the cache: filling it, then from it
        result = ppt(repo, "check", ".", "--as-of", AS_OF, timeout=60, bounded=True)
        assert result.returncode == 2 and f"{HOSTILE}:1:1: error: {message}" in result.stdout, result
    result = ppt(repo, "notify-placement", "CON-2026-0042", "--date", "2026-11-20", "--notified", "2026-11-20", "--provider", "Foster home (Test)", "--as-of", AS_OF, timeout=60, bounded=True)
    assert "CON-2026-0042" in result.stdout + result.stderr and "MemoryError" not in result.stderr, result


def test_the_size_limit_is_configurable(repo: Path) -> None:
    write(repo, HOSTILE, _padded(10_001))
    result = ppt(repo, "validate", "--as-of", AS_OF, ".", extra_env={"PPT_MAX_FILE_BYTES": "10000"})
    assert result.returncode == 2, result
    assert result.stdout == f"{HOSTILE}:1:1: error: file is 10,001 bytes; the limit is 10,000 (PPT_MAX_FILE_BYTES)\n"
    assert f"1 problem; {DEMO_COUNT} valid case files" in result.stderr


def test_a_settings_file_over_the_limit_in_the_rules_folder_is_a_problem_there_too(repo: Path) -> None:
    """A rules folder may hold the settings files (`rules: .`). Read once per run (the
    bytes a report is keyed by), staff.yaml is refused over the size limit when it is
    digested; read again as a rule file, it is reported as too large there too (the same
    problem, reported once), never an internal error."""
    settings = repo / "ppt.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("rules: null", "rules: ."), encoding="utf-8")
    shutil.copy(PROJECT / "rules" / "parameters.yaml", repo / "parameters.yaml")
    size = (repo / "staff.yaml").stat().st_size
    limit = size - 1
    result = ppt(repo, "check", ".", "--as-of", AS_OF, "--no-cache", extra_env={"PPT_MAX_FILE_BYTES": str(limit)})
    assert result.returncode == 2 and "internal error" not in result.stderr, result
    message = f"staff.yaml:1:1: error: file is {size:,} bytes; the limit is {limit:,} (PPT_MAX_FILE_BYTES)"
    assert result.stdout.count(message) == 1, result.stdout  # as the settings file and as a rule file: one problem


def test_a_file_at_the_size_limit_is_read(repo: Path) -> None:
    write(repo, HOSTILE, _padded(MAX_BYTES))
    result, shown = validate(repo)
    assert result.returncode == 0 and shown == [], result
    assert f"{DEMO_COUNT + 1} case files valid" in result.stderr


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "at", "fragment"),
    [
        ("born: 2012-05-14", "born: 20120514", "20120514", "child.born: expected a date as YYYY-MM-DD"),
        ("born: 2012-05-14", "born: 2012.05", "2012.05", "child.born: expected a date as YYYY-MM-DD"),
        ("born: 2012-05-14", 'born: "last spring"', '"last spring"', "child.born: expected a date"),
        ("born: 2012-05-14", 'born: "14/05/2012"', '"14/05/2012"', "child.born: expected a date"),
        ("  set: 2026-02-20", "  set: 2026-02-30", "2026-02-30", 'plan.set: "2026-02-30" is not a real date'),
        ("  set: 2026-02-20", "  set: 2026-13-01", "2026-13-01", 'plan.set: "2026-13-01" is not a real date'),
        ("born: 2012-05-14", "born: 2012-5-14", "2012-5-14", 'child.born: expected a date as YYYY-MM-DD, got "2012-5-14"'),
    ],
    ids=["number", "decimal", "words", "day-month-year", "february-30", "month-13", "one-digit-month"],
)
def test_a_date_that_is_not_a_date(repo: Path, old: str, new: str, at: str, fragment: str) -> None:
    text = edited(old, new)
    write(repo, HOSTILE, text)
    assert_rejected(repo, HOSTILE, where(text, at), fragment, check="30" in at)


def test_a_date_at_the_end_of_the_calendar_is_not_an_internal_error(repo: Path) -> None:
    """Found by the long fuzz run. 9999-12-31 is a real date (and a common placeholder for
    "unknown"), but the next PPT after it falls in year 10000. Evaluating it may report a
    problem at that date or may not; it must not stop the run."""
    text = (CASES / "keene" / "KEE-2025-0091.yaml").read_text(encoding="utf-8")
    text = edited("id: KEE-2025-0091\n", "id: KEE-2025-9091\n", text)
    text = edited("  - date: 2026-12-22\n", "  - date: 9999-12-31\n", text)  # a scheduled meeting
    write(repo, "keene/KEE-2025-9091.yaml", text)
    result, shown = validate(repo)
    assert result.returncode in (0, 2), result
    assert all((p.file, p.line, p.column) == ("keene/KEE-2025-9091.yaml", *where(text, "9999-12-31")) for p in shown), shown
    valid = re.search(r"(\d+) (?:valid case files|case files valid)", result.stderr)
    assert valid and int(valid.group(1)) >= DEMO_COUNT, result.stderr  # the others still checked
    result, report = check_json(repo)
    assert result.returncode in (0, 1, 2), result.stderr
    assert DEMO_IDS <= {f["case"] for f in report["findings"]}


def test_a_merge_key_behind_a_line_separator_is_refused_where_the_separator_stands(repo: Path) -> None:
    """Found by the long fuzz run. An invisible line separator (U+2028) made libyaml give up,
    so ruamel.yaml read the file instead, and there `<<` merged a mapping into its parent.
    The separator is refused where it stands, before either reads it."""
    text = edited("  cpsw: c.rivera\n", "  cpsw: \u2028<<: {cpsw: c.rivera}\n")
    write(repo, HOSTILE, text)
    assert_rejected(repo, HOSTILE, where(text, "\u2028"), "a line separator (U+2028)", check=True)


def test_a_next_line_character_in_a_comment_is_refused_where_it_stands(repo: Path) -> None:
    """Found by the long fuzz run. After a comment, a NEL (U+0085) is a line break to libyaml
    (YAML 1.1), putting `...` (end of document) on a line of its own, and not to ruamel.yaml
    or to ppt's line numbers: the readers disagreed about the document and its positions."""
    text = edited(f"id: {NEW_ID}\n", "id: #\x85...\n\n")  # as the fuzz wrote it, blank line included
    write(repo, HOSTILE, text)
    assert_rejected(repo, HOSTILE, where(text, "\x85"), "a next-line character (U+0085)", check=True)


# --- identity --------------------------------------------------------------------------------


def test_the_same_case_id_in_two_files(repo: Path) -> None:
    text = BASE_FILE.read_text(encoding="utf-8")
    write(repo, "concord/zz-copy-of-0042.yaml", text)
    assert_rejected(
        repo, "concord/zz-copy-of-0042.yaml", where(text, BASE_ID), f'case id "{BASE_ID}" is also used by concord/CON-2026-0042.yaml',
        check=True,
    )


@pytest.mark.parametrize("evil", ["../../etc/passwd", "concord/CON-2026-9001", "..", "/etc/cron.d/x", "CON..2026"])
def test_a_case_id_that_could_name_a_path(repo: Path, evil: str) -> None:
    text = edited(f"id: {NEW_ID}\n", f"id: {evil}\n")
    write(repo, HOSTILE, text)
    assert_rejected(repo, HOSTILE, where(text, evil), "is not a valid case id", check=evil.startswith("../"))


def test_a_writing_command_given_a_path_as_case_id_writes_nothing(repo: Path, tmp_path: Path) -> None:
    def files() -> dict[Path, int]:
        caches = {".ppt-cache", "ppt-cache"}
        return {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file() and not caches & set(p.parts)}

    before = files()
    result = ppt(repo, "notify-placement", "../../outside", "--date", "2026-11-20", "--notified", "2026-11-20", "--as-of", AS_OF)
    assert result.returncode == 2, result
    assert '"../../outside"' in result.stderr
    assert files() == before


# --- links -----------------------------------------------------------------------------------


def _outside_case(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    path = folder / "OUT-2026-0001.yaml"
    path.write_text(edited(f"id: {NEW_ID}\n", "id: OUT-2026-0001\n"), encoding="utf-8")
    return path


def test_a_symlink_to_a_file_outside_the_repository_is_refused(repo: Path, tmp_path: Path) -> None:
    target = _outside_case(tmp_path)
    (repo / "concord" / "link.yaml").symlink_to(target)
    assert_rejected(repo, "concord/link.yaml", (0, 0), "a link to a file outside the case repository; refused", check=True)


def test_a_symlinked_folder_is_not_followed(repo: Path, tmp_path: Path) -> None:
    target = _outside_case(tmp_path)
    (repo / "linked").symlink_to(target.parent, target_is_directory=True)
    result, shown = validate(repo)
    assert result.returncode == 0 and shown == [], result
    assert f"{DEMO_COUNT} case files valid" in result.stderr
    result, report = check_json(repo)
    assert "OUT-2026-0001" not in {f["case"] for f in report["findings"]}
    assert report["problems"] == [] and report["summary"]["cases"] == DEMO_COUNT
    # Named on the command line, the link leads outside any case repository: refused too.
    result = ppt(repo, "check", "linked", "--format", "json", "--no-cache", "--as-of", AS_OF)
    assert result.returncode == 2 and "not inside a case repository" in result.stderr, result
    assert "OUT-2026-0001" not in result.stdout


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_named_pipe_is_refused_not_waited_for(repo: Path) -> None:
    """A FIFO named like a case file would hold every run until something wrote to it."""
    os.mkfifo(repo / "concord" / "pipe.yaml")
    assert_rejected(repo, "concord/pipe.yaml", (0, 0), "cannot read: not a regular file", check=True)
    warm = ppt(repo, "check", ".", "--as-of", AS_OF, timeout=60)  # the cached path reads it too
    assert warm.returncode == 2 and "concord/pipe.yaml:0:0: error: cannot read: not a regular file" in warm.stdout, warm
    # A writer looks for the case among every file: it passes the pipe by.
    result = ppt(repo, "notify-placement", "CON-2026-0042", "--date", "2026-11-20", "--notified", "2026-11-20", "--provider", "Foster home (Test)", "--as-of", AS_OF, timeout=60)
    assert "not a regular file" not in result.stdout + result.stderr
    assert result.returncode in (0, 1, 2) and "CON-2026-0042" in result.stdout + result.stderr, result


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_named_pipe_as_a_settings_file_is_refused(repo: Path) -> None:
    (repo / "calendar.yaml").unlink()
    os.mkfifo(repo / "calendar.yaml")
    result = ppt(repo, "validate", "--as-of", AS_OF, ".", timeout=60)
    assert result.returncode == 2 and result.stdout.startswith("calendar.yaml:0:0: error: cannot read: not a regular file"), result
    result = ppt(repo, "check", ".", "--as-of", AS_OF, timeout=60)
    assert result.returncode == 2 and "calendar.yaml:0:0: error: cannot read: not a regular file" in result.stdout, result


def test_a_link_that_leads_back_to_itself_is_refused(repo: Path) -> None:
    loop = repo / "concord" / "loop.yaml"
    loop.symlink_to(loop)
    assert_rejected(repo, "concord/loop.yaml", (0, 0), "a link that leads back to itself (a loop); refused", check=True)
    result = ppt(repo, "check", "concord/loop.yaml", "--as-of", AS_OF)
    assert result.returncode == 2 and "a link that leads back to itself (a loop)" in result.stderr, result


# --- settings files --------------------------------------------------------------------------


def test_a_missing_ppt_yaml_means_not_a_repository(repo: Path) -> None:
    (repo / "ppt.yaml").unlink()
    for args in (("validate", "--as-of", AS_OF, "."), ("check", ".", "--format", "json", "--no-cache", "--as-of", AS_OF)):
        result = ppt(repo, *args)
        assert result.returncode == 2, result
        assert result.stderr.startswith("ppt: error: ") and "not inside a case repository (no ppt.yaml" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.parametrize("name", ["ppt.yaml", "calendar.yaml"])
def test_an_empty_settings_file_means_defaults(repo: Path, name: str) -> None:
    (repo / name).write_text("", encoding="utf-8")
    result, shown = validate(repo)
    assert result.returncode == 0 and shown == [], result
    assert f"{DEMO_COUNT} case files valid" in result.stderr


@pytest.mark.parametrize("name", ["staff.yaml", "calendar.yaml"])
def test_a_missing_staff_or_calendar_file_means_defaults(repo: Path, name: str) -> None:
    """Without staff.yaml staff ids are not checked; without calendar.yaml only the state
    holidays count (SPEC 2)."""
    (repo / name).unlink()
    result, shown = validate(repo)
    assert result.returncode == 0 and shown == [], result
    assert f"{DEMO_COUNT} case files valid" in result.stderr


@pytest.mark.parametrize(
    ("old", "new", "at", "fragment"),
    [
        ("rules: null\n", "rules: null\nofices: [concord]\n", "ofices", 'unknown key "ofices"; did you mean "offices"?'),
        ("offices: [concord, manchester, keene]", "offices: concord", "concord", "offices: expected a list"),
        ("policy: {}\n", "policy:\n\tppt_interval_months: 6\n", "\t", "tab used for indentation"),
        ("policy: {}\n", "policy: {}\npolicy: {}\n", "policy: {}\n", 'duplicate key "policy"'),
    ],
    ids=["unknown-key", "wrong-type", "tab", "duplicate-key"],
)
def test_an_invalid_ppt_yaml(repo: Path, old: str, new: str, at: str, fragment: str) -> None:
    text = edited(old, new, (repo / "ppt.yaml").read_text(encoding="utf-8"))
    (repo / "ppt.yaml").write_text(text, encoding="utf-8")
    last = fragment.startswith("duplicate")
    assert_rejected(repo, "ppt.yaml", where(text, at, last=last), fragment, check=fragment.startswith("unknown"))


def test_an_invalid_staff_yaml_is_reported_there_and_the_cases_are_still_checked(repo: Path) -> None:
    old = "{id: j.beaulieu, name: Jacob Beaulieu, role: cpsw,"
    text = edited(old, old.replace("role: cpsw", "role: cpws"), (repo / "staff.yaml").read_text(encoding="utf-8"))
    (repo / "staff.yaml").write_text(text, encoding="utf-8")
    assert_rejected(repo, "staff.yaml", where(text, "cpws"), '"cpws" is not one of', check=True)


def test_a_staff_yaml_that_does_not_parse(repo: Path) -> None:
    old = "  - {id: c.rivera, name: Carmen Rivera, role: cpsw, office: concord, supervisor: m.okafor}\n"
    text = edited(old, old + "  - {id: x.new, name: New Worker, role: cpsw, office: concord\n", (repo / "staff.yaml").read_text(encoding="utf-8"))
    (repo / "staff.yaml").write_text(text, encoding="utf-8")
    result, shown = validate(repo)
    assert result.returncode == 2, result
    assert [p.file for p in shown] == ["staff.yaml"], result.stdout[:3000]
    assert f"1 problem; {DEMO_COUNT} valid case files" in result.stderr


@pytest.mark.parametrize(
    ("old", "new", "at", "fragment"),
    [
        ("  - {date: 2026-02-10,", "  - {date: 2026-02-30,", "2026-02-30", 'closures[0].date: "2026-02-30" is not a real date'),
        ("  remove: []", "  remove: []\n  replace: []", "replace", 'unknown key "replace"'),
        ("  remove: []", "  remove: 2026-07-04", "2026-07-04", "holidays.remove: expected a list"),
    ],
    ids=["impossible-date", "unknown-key", "wrong-type"],
)
def test_an_invalid_calendar_yaml(repo: Path, old: str, new: str, at: str, fragment: str) -> None:
    text = edited(old, new, (repo / "calendar.yaml").read_text(encoding="utf-8"))
    (repo / "calendar.yaml").write_text(text, encoding="utf-8")
    assert_rejected(repo, "calendar.yaml", where(text, at), fragment, check=at == "2026-02-30")


# --- tags, long lines, keys ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["!!python/object:os.system cps", '!!python/object/apply:os.system ["echo owned"]', "!foo cps"],
    ids=["python-object", "python-apply", "local-tag"],
)
def test_an_explicit_yaml_tag_is_refused(repo: Path, value: str) -> None:
    text = edited("program: cps\n", f"program: {value}\n")
    write(repo, HOSTILE, text)
    tag = value.split()[0]
    assert_rejected(repo, HOSTILE, where(text, tag), "is not allowed in ppt files", check=tag == "!foo")


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("!!int many", "not a whole number, as its tag !!int says"), ("!!bool perhaps", "not true or false, as its tag !!bool says")],
    ids=["int", "bool"],
)
def test_a_value_that_is_not_what_its_tag_says_is_refused(repo: Path, value: str, fragment: str) -> None:
    text = edited("program: cps\n", f"program: cps\nnotes: {value}\n")
    write(repo, HOSTILE, text)
    assert_rejected(repo, HOSTILE, where(text, value), fragment, check=True)


@pytest.mark.parametrize("kind", ["too-long-value", "syntax-error-at-the-end"])
def test_a_very_long_line(repo: Path, kind: str) -> None:
    long = "x" * 1_000_000
    if kind == "too-long-value":
        text = edited('provider: "Foster home (Smith)"', f'provider: "{long}"')
        at, fragment = where(text, f'"{long[:10]}'), "at most 2000 characters"
    else:
        text = edited('provider: "Foster home (Smith)"', f"provider: {long}: 1")
        at, fragment = where(text, f"{long}: 1", offset=len(long)), "mapping values are not allowed here"
    write(repo, HOSTILE, text)
    assert_rejected(repo, HOSTILE, at, fragment)
    result, _ = validate(repo)
    assert max(len(line) for line in result.stdout.splitlines()) < 1000, "the message repeats the long line"


@pytest.mark.parametrize(
    ("added", "key", "fragment"),
    [("? [a, b]\n: 1\n", "[a, b]", "key"), ("1: x\n", "1: x", "key"), ("null: x\n", "null: x", "key")],
    ids=["list-as-key", "number-as-key", "null-as-key"],
)
def test_a_key_that_is_not_text(repo: Path, added: str, key: str, fragment: str) -> None:
    text = base_case() + added
    write(repo, HOSTILE, text)
    assert_rejected(repo, HOSTILE, where(text, key, last=True), fragment, check=key == "[a, b]")
