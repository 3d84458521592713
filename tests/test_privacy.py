"""Privacy (issue 7): case files describe children, so what ppt prints and where it goes matters.

- `--redact` covers every format of `ppt check` and `ppt due`, and `ppt explain`: a child's
  name becomes initials and no date of birth is printed, not even one quoted in free text.
- An error message never prints more of a file than the offending line.
- No command touches the network: each runs with sockets that refuse to connect.
- Nothing is written outside the repository (and the user's temporary folder): not in HOME,
  not in a user cache folder; inside the repository, only ppt's own `.ppt-cache/`.

Every run is the real CLI in a subprocess, on a copy of the demonstration repository.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
CASES = PROJECT / "cases"
RULES = PROJECT / "rules"
AS_OF = "2026-11-23"
CHILD = re.compile(r'child: \{name: "(?P<name>[^"]+)", born: (?P<born>\d{4}-\d{2}-\d{2})\}')

# Invented full names, one per demo case, of words found nowhere in the demo or the rules.
FIRST = ("Jordan", "Avery", "Marisol", "Thaddeus", "Ottoline", "Cormac", "Isolde", "Leopold", "Wrenna", "Barnaby", "Philippa",
         "Ezekiel", "Araminta", "Caspian", "Dorothea", "Fitzgerald", "Guinevere", "Horatio", "Ignatius", "Juniper", "Lysander")
LAST = ("Quillfeather", "Brambleworth", "Thistlewood", "Ashcombe", "Fernsby", "Gallowglass", "Hollingrake", "Inglethorpe",
        "Jessamine", "Kettleborough", "Larkspur", "Merriweather", "Nettlefold", "Oakenshaw", "Pennyfeather", "Quarrington",
        "Rosethorne", "Silverwood", "Tumbleston", "Underhay", "Vexborough")


@dataclass(frozen=True)
class Child:
    case: str
    file: str
    name: str  # "Jordan Example Quillfeather"
    born: str  # ISO date

    @property
    def initials(self) -> str:
        return " ".join(f"{part[0]}." for part in self.name.split())

    @property
    def words(self) -> tuple[str, ...]:
        """The parts of the name only the child has: found even when a table wraps the name."""
        return tuple(w for w in self.name.split() if w != "Example")


def ppt(cwd: Path, *args: str, env: dict[str, str] | None = None, own_cache: bool = True) -> subprocess.CompletedProcess[str]:
    """`ppt ARGS` in a new process; its cache beside the repository unless own_cache=False
    (then where users have it: the repository's .ppt-cache/)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("PPT_")}
    base.update({"NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"})
    if own_cache:
        base["PPT_CACHE_DIR"] = str(cwd.parent / "ppt-cache")
    base.pop("FORCE_COLOR", None)
    base.update(env or {})
    result = subprocess.run(
        [sys.executable, "-m", "pptcli", *args], cwd=cwd, env=base, capture_output=True,
        text=True, encoding="utf-8", errors="replace", timeout=120, check=False,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr[-3000:]
    return result


def unfolded(text: str) -> str:
    """iCalendar folds lines at 75 octets (CRLF and a space): a name must not hide in a fold."""
    return text.replace("\r\n ", "").replace("\n ", "")


# --- A copy of the demo with children's full names ------------------------------------------------


def _named_copy(target: Path) -> tuple[Child, ...]:
    shutil.copytree(CASES, target, ignore=shutil.ignore_patterns(".ppt-cache"))
    demo_text = "\n".join(p.read_text(encoding="utf-8") for p in [*CASES.rglob("*.y*ml"), *RULES.rglob("*.y*ml")])
    children = []
    for i, path in enumerate(sorted(target.glob("*/*.yaml"))):
        text = path.read_text(encoding="utf-8")
        match = CHILD.search(text)
        assert match, path
        name = f"{FIRST[i]} Example {LAST[i]}"
        assert FIRST[i] not in demo_text and LAST[i] not in demo_text, name
        # One day earlier than the demo's: no deadline of the demo falls on it (one of the demo's
        # birth dates is also a due date of another case, which would make a false alarm).
        born = (dt.date.fromisoformat(match["born"]) - dt.timedelta(days=1)).isoformat()
        assert born not in demo_text, born
        text = text.replace(match[0], f'child: {{name: "{name}", born: {born}}}')
        case = re.search(r"^id: (\S+)$", text, re.MULTILINE).group(1)  # type: ignore[union-attr]
        children.append(Child(case, path.relative_to(target).as_posix(), name, born))
        path.write_text(text, encoding="utf-8")
    return tuple(children)


@pytest.fixture(scope="module")
def named(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple[Child, ...]]:
    """The demo with full names and, in one open task, the child's name and date of birth in
    free text (as a worker might type them): redaction must reach free text too."""
    repo = tmp_path_factory.mktemp("privacy") / "cases"
    children = _named_copy(repo)
    quoted = next(c for c in children if c.case == "CON-2025-0188")
    path = repo / quoted.file
    text = path.read_text(encoding="utf-8")
    old = '{task: "Adoption subsidy application",'
    assert text.count(old) == 1
    path.write_text(text.replace(old, f'{{task: "Adoption subsidy application for {quoted.name} (born {quoted.born})",'), encoding="utf-8")
    result = ppt(repo, "validate", "--as-of", AS_OF, ".")
    assert result.returncode == 0, result.stdout + result.stderr
    return repo, children


CHECK_FORMATS = ("table", "json", "csv", "markdown", "junit")
DUE_FORMATS = ("table", "json", "csv", "ics")


def _report(repo: Path, command: str, fmt: str, *redact: str) -> str:
    if command == "check":
        args = ("check", ".", "--all", "--format", fmt, "--as-of", AS_OF, *redact)
    else:
        args = ("due", ".", "--business-days", "260", "--format", fmt, "--as-of", AS_OF, *redact)
    result = ppt(repo, *args)
    assert result.returncode in (0, 1), result.stderr
    assert result.stdout.strip()
    return unfolded(result.stdout + result.stderr)


@pytest.mark.parametrize(("command", "fmt"), [*(("check", f) for f in CHECK_FORMATS), *(("due", f) for f in DUE_FORMATS)])
def test_redact_removes_every_name_and_date_of_birth(named: tuple[Path, tuple[Child, ...]], command: str, fmt: str) -> None:
    repo, children = named
    shown = _report(repo, command, fmt, "--redact")
    for child in children:
        for word in child.words:
            assert word not in shown, f"{child.name} ({child.case}) shown by `ppt {command} --format {fmt} --redact`"
        assert child.born not in shown, f"date of birth of {child.case} shown by `ppt {command} --format {fmt} --redact`"
    quoted = next(c for c in children if c.case == "CON-2025-0188")
    if fmt == "table":  # the subject is wrapped in its column
        assert "Adoption" in shown and "withheld" in shown
    else:  # the task with the name in it is listed, redacted
        assert f"Adoption subsidy application for {quoted.initials} (born [date of birth withheld])" in shown


@pytest.mark.parametrize(("command", "fmt"), [*(("check", f) for f in CHECK_FORMATS), *(("due", f) for f in DUE_FORMATS)])
def test_without_redact_the_task_that_quotes_a_name_shows_it(named: tuple[Path, tuple[Child, ...]], command: str, fmt: str) -> None:
    """The other side of the test above: the name is there to be found when not redacted."""
    repo, children = named
    quoted = next(c for c in children if c.case == "CON-2025-0188")
    shown = _report(repo, command, fmt)
    assert all(word in shown for word in quoted.words)


@pytest.mark.parametrize("command", ["check", "due"])
def test_the_table_shows_initials_when_redacted_and_names_when_not(named: tuple[Path, tuple[Child, ...]], command: str) -> None:
    repo, children = named
    redacted, plain = _report(repo, command, "table", "--redact"), _report(repo, command, "table")
    listed = [c for c in children if c.case in redacted]
    assert len(listed) >= (10 if command == "check" else 3)
    for child in listed:
        assert child.initials in redacted, child
        assert child.words[0] in plain and child.initials not in plain, child


def test_explain_redacts_the_child(named: tuple[Path, tuple[Child, ...]]) -> None:
    repo, children = named
    child = next(c for c in children if c.case == "CON-2025-0188")
    for rule in ("CPSW-I.K", "CPSW-I.A.2"):
        result = ppt(repo, "explain", child.case, rule, "--repo", ".", "--redact", "--as-of", AS_OF)
        assert result.returncode == 0, result.stderr
        shown = result.stdout + result.stderr
        assert f"child {child.initials})" in shown
        assert not any(word in shown for word in child.words) and child.born not in shown, shown
    plain = ppt(repo, "explain", child.case, "CPSW-I.A.2", "--repo", ".", "--as-of", AS_OF)
    assert f"child {child.name})" in plain.stdout


def test_json_and_csv_never_carry_a_date_of_birth_field(named: tuple[Path, tuple[Child, ...]]) -> None:
    repo, _ = named
    report = json.loads(_report(repo, "check", "json", "--redact"))
    fields = {key for finding in report["findings"] for key in finding}
    assert not fields & {"born", "birth", "date_of_birth", "dob"}
    header = _report(repo, "check", "csv", "--redact").splitlines()[0]
    assert "born" not in header and "birth" not in header


# --- Error messages print the offending line at most ----------------------------------------------


def _base_case() -> str:
    return (CASES / "concord" / "CON-2026-0042.yaml").read_text(encoding="utf-8").replace("id: CON-2026-0042\n", "id: CON-2026-9001\n")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    target = tmp_path / "cases"
    shutil.copytree(CASES, target, ignore=shutil.ignore_patterns(".ppt-cache"))
    return target


def _every_view(repo: Path) -> str:
    """What validate, check (table and JSON) and due print for the repository."""
    shown = []
    for args in (
        ("validate", "--as-of", AS_OF, "."),
        ("check", ".", "--as-of", AS_OF),
        ("check", ".", "--format", "json", "--as-of", AS_OF),
        ("due", ".", "--format", "csv", "--as-of", AS_OF),
    ):
        result = ppt(repo, *args)
        assert result.returncode == 2, (args, result.stdout[-2000:], result.stderr[-2000:])
        shown.append(result.stdout + result.stderr)
    return "\n".join(shown)


def test_a_syntax_error_on_line_30_prints_nothing_of_line_1_or_the_lines_around_it(repo: Path) -> None:
    lines = _base_case().splitlines(keepends=True)
    lines[0] = "# SECRET-ON-LINE-1: the mother's new address is 12 Hidden Lane\n"
    assert lines[28:31] == ["placements:\n", "  - date: 2026-01-12\n", '    provider: "Foster home (Smith)"\n']
    lines[28] = "placements:   # SECRET-ON-LINE-29\n"
    lines[29] = "  - date: 2026-01-12 at noon: by the police\n"  # ": " inside a plain value
    lines[30] = '    provider: "Foster home (Smith)"   # SECRET-ON-LINE-31\n'
    (repo / "concord" / "CON-2026-9001.yaml").write_text("".join(lines), encoding="utf-8")
    shown = _every_view(repo)
    assert "concord/CON-2026-9001.yaml:30:" in shown
    assert "SECRET" not in shown


@pytest.mark.parametrize(
    ("text", "where"),
    [
        # A block scalar: its second and third lines are not the line of the error.
        ("id: CON-2026-9001\nprogram: |\n  cps\n  SECRET-ON-LINE-4 Jordan Hidden\n  SECRET-ON-LINE-5\n", "program"),
        # A plain scalar continued on the next lines.
        ("id: CON-2026-9001\nprogram: cps\n  SECRET-ON-LINE-3 Jordan Hidden\noffice: concord\n", "program"),
        # A double-quoted value continued on the next line.
        ('id: CON-2026-9001\noffice: "concord\n  SECRET-ON-LINE-3"\n', "office"),
        # A file that is one long plain text.
        ("Notes about the family\nSECRET-ON-LINE-2 Jordan Hidden\nSECRET-ON-LINE-3\n", "file"),
    ],
    ids=["block-scalar", "plain-continuation", "quoted-continuation", "whole-file-text"],
)
def test_a_bad_value_spanning_several_lines_is_not_printed_beyond_its_first_line(repo: Path, text: str, where: str) -> None:
    (repo / "concord" / "CON-2026-9001.yaml").write_text(text, encoding="utf-8")
    result = ppt(repo, "validate", "--as-of", AS_OF, ".")
    assert result.returncode == 2
    assert "concord/CON-2026-9001.yaml:" in result.stdout
    assert "SECRET" not in result.stdout + result.stderr, result.stdout
    # One problem, one line: nothing spills onto lines that do not start with the file's name.
    assert all(line.startswith("concord/CON-2026-9001.yaml:") for line in result.stdout.splitlines()), result.stdout


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"], ids=["line-separator", "paragraph-separator", "next-line"])
def test_a_unicode_line_break_inside_a_bad_value_does_not_break_the_message(repo: Path, separator: str) -> None:
    """Found by the fuzz test: YAML reads U+2028, U+2029 and NEL as line breaks."""
    text = _base_case().replace("  permanency_cpsw: t.nguyen\n", f"  permanency_cpsw: t{separator}SECRET.nguyen\n")
    (repo / "concord" / "CON-2026-9001.yaml").write_text(text, encoding="utf-8")
    result = ppt(repo, "validate", "--as-of", AS_OF, ".")
    assert result.returncode == 2
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("concord/CON-2026-9001.yaml:14:21: error: "), result.stdout  # at the separator
    assert not any(ch in result.stdout for ch in "\u2028\u2029\x85")


def test_a_parser_warning_does_not_print_other_lines_of_the_file(repo: Path) -> None:
    """A file that libyaml cannot parse is explained by ruamel.yaml, which warns about a
    reused anchor by quoting both lines: nothing but the one-line problem may reach the user."""
    text = "id: CON-2026-9001\nnote: &x SECRET-ON-LINE-2\nother: &x SECRET-ON-LINE-3\nbad: [\n"
    (repo / "concord" / "CON-2026-9001.yaml").write_text(text, encoding="utf-8")
    shown = _every_view(repo)
    assert "concord/CON-2026-9001.yaml:" in shown
    assert "SECRET" not in shown, shown


# --- No network -----------------------------------------------------------------------------------

SITECUSTOMIZE = '''\
"""Loaded by every Python started with this folder on PYTHONPATH: no socket may connect."""
import os
import socket

_MARKER = os.environ["NETWORK_BLOCK_MARKER"]


def _refuse(*args, **kwargs):
    with open(_MARKER, "a", encoding="utf-8") as marker:
        marker.write(f"pid {os.getpid()}: network access attempted with {args!r}\\n")
    raise OSError("network access is blocked in this test")


socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.socket.sendto = _refuse
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
socket.gethostbyname = _refuse

with open(os.environ["NETWORK_BLOCK_LOADED"], "a", encoding="utf-8") as loaded:
    loaded.write(f"{os.getpid()}\\n")
'''


def test_every_command_works_without_network(repo: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    marker, loaded = tmp_path / "network-attempts.txt", tmp_path / "blocker-loaded.txt"
    env = {
        "PYTHONPATH": str(site),
        "NETWORK_BLOCK_MARKER": str(marker),
        "NETWORK_BLOCK_LOADED": str(loaded),
    }
    commands = [
        (("validate", "--as-of", AS_OF, "."), {0}),
        (("check", ".", "--as-of", AS_OF), {1}),  # the demo has overdue findings
        (("check", ".", "--format", "json", "--all", "--as-of", AS_OF), {1}),
        (("due", ".", "--format", "ics", "--as-of", AS_OF), {0}),
        (("due", ".", "--format", "table", "--redact", "--as-of", AS_OF), {0}),
        (("explain", "CON-2026-0042", "CPSW-I.A.2", "--repo", ".", "--as-of", AS_OF), {0}),
        (("rules", "test"), {0}),
        (("rules", "list"), {0}),
        (("calendar", "--repo", ".", "--as-of", AS_OF), {0}),
        (("calendar", "2026-11-25", "--add", "3", "--repo", ".", "--as-of", AS_OF), {0}),
        (("schema",), {0}),
        (("init", str(tmp_path / "new-repository")), {0}),
        (("notify-placement", "CON-2026-0071", "--date", "2026-11-20", "--notified", "2026-11-20", "--as-of", AS_OF), {0}),
    ]
    runs = 0
    for args, codes in commands:
        result = ppt(repo, *args, env=env)
        assert result.returncode in codes, (args, result.returncode, result.stdout[-2000:], result.stderr[-2000:])
        assert (result.stdout + result.stderr).strip(), args
        runs += 1
    assert not marker.exists(), marker.read_text(encoding="utf-8")
    assert len(loaded.read_text(encoding="utf-8").split()) >= runs, "the socket blocker was not loaded in every run"


def test_the_blocker_does_block(tmp_path: Path) -> None:
    """The test above proves something only if a connection attempt would be caught."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    marker = tmp_path / "network-attempts.txt"
    env = {**os.environ, "PYTHONPATH": str(site), "NETWORK_BLOCK_MARKER": str(marker), "NETWORK_BLOCK_LOADED": str(tmp_path / "l")}
    code = "import socket\ntry:\n    socket.create_connection(('192.0.2.1', 80), timeout=1)\nexcept OSError as e:\n    print(e)\n"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert "blocked" in result.stdout and marker.exists()


# --- Nothing written outside the repository ---------------------------------------------------------


def test_a_cache_folder_that_is_a_link_out_of_the_repository_is_not_written(repo: Path, tmp_path: Path) -> None:
    """Whoever shaped the repository (a shared drive, a copy handed over) could point
    .ppt-cache, or a .gitignore in it, wherever they like: case data stays inside."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (repo / ".ppt-cache").symlink_to(outside)
    assert ppt(repo, "check", ".", "--as-of", AS_OF, own_cache=False).returncode in (0, 1)
    refused = ppt(repo, "log", "followup", "CON-2026-0042", "--date", "2026-11-20", "--as-of", AS_OF, own_cache=False)
    assert refused.returncode == 2 and "a link, where ppt keeps case data only inside the repository" in refused.stderr
    assert list(outside.iterdir()) == []
    (repo / ".ppt-cache").unlink()
    (repo / ".ppt-cache" / "locks").mkdir(parents=True)
    (repo / ".ppt-cache" / "locks" / ".gitignore").symlink_to(outside / "made-by-ppt")
    written = ppt(repo, "log", "followup", "CON-2026-0042", "--date", "2026-11-20", "--as-of", AS_OF, own_cache=False)
    assert written.returncode in (0, 1), written.stderr
    assert list(outside.iterdir()) == []


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


def test_reports_write_only_their_cache_inside_the_repository(repo: Path, tmp_path: Path) -> None:
    home, temp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    temp.mkdir()
    env = {
        "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"), "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"), "TMPDIR": str(temp), "PYTHONDONTWRITEBYTECODE": "1",
    }
    before = _snapshot(repo)
    around = {p.name for p in tmp_path.iterdir()}
    for args in (
        ("check", ".", "--as-of", AS_OF),
        ("check", ".", "--format", "json", "--all", "--as-of", AS_OF),
        ("due", ".", "--as-of", AS_OF),
        ("due", ".", "--format", "ics", "--as-of", AS_OF),
        ("validate", "--as-of", AS_OF, "."),
        ("explain", "CON-2026-0042", "CPSW-I.A.2", "--repo", ".", "--as-of", AS_OF),
    ):
        result = ppt(repo, *args, env=env, own_cache=False)
        assert result.returncode in (0, 1), (args, result.stderr)
    # Outside the repository, only the key that seals the user's cache entries (cache.py):
    # 32 random bytes, the user's alone, no case data.
    written = sorted(p.relative_to(home).as_posix() for p in home.rglob("*") if p.is_file())
    assert written == [".config/ppt/cache-key"], written
    key = home / ".config" / "ppt" / "cache-key"
    assert len(key.read_bytes()) == 32 and (os.name != "posix" or key.stat().st_mode & 0o077 == 0)
    after = _snapshot(repo)
    changed = {path for path in after if before.get(path) != after[path]} | (before.keys() - after.keys())
    assert changed, "the cache was not written (the test would prove nothing)"
    assert all(path.startswith(".ppt-cache/") for path in changed), sorted(changed)
    assert {p.name for p in tmp_path.iterdir()} == around
