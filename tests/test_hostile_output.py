"""Hostile input that once ended in an internal error (exit 3), in output no reader takes, or
in text that works the terminal: each now gets a plain message and exit 2, or output that
reads back (issue 2's promise, as an audit of it found it broken)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import run_ppt

PROJECT = Path(__file__).resolve().parent.parent
AS_OF = ("--as-of", "2026-11-23")
CASE_FILE = Path("concord") / "CON-2026-0042.yaml"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    target = tmp_path / "cases"
    shutil.copytree(PROJECT / "cases", target, ignore=shutil.ignore_patterns(".ppt-cache"))
    return target


def _with_task(repo: Path, task: str) -> None:
    """A task with this text on the case's meeting of 2026-03-05."""
    path = repo / CASE_FILE
    text = path.read_text(encoding="utf-8")
    anchor = "      - {task: "
    assert anchor in text
    path.write_text(text.replace(anchor, f'      - {{task: "{task}", owner: c.rivera, due: 2026-03-20}}\n{anchor}', 1), encoding="utf-8")


def test_junit_with_control_characters_in_a_case_is_well_formed_xml(repo: Path) -> None:
    _with_task(repo, "call\\x01 back\\e[1m")
    result = run_ppt("check", repo, *AS_OF, "--format", "junit")
    assert result.returncode in (0, 1), result.stderr
    ET.fromstring(result.stdout.split("\n", 1)[1])  # after the XML declaration
    assert "call\\x01 back\\x1b[1m" in result.stdout


def test_an_ics_feed_names_a_folder_that_is_not_utf8(repo: Path) -> None:
    folder = os.fsencode(repo) + b"/caf\xe9"
    os.mkdir(folder)
    os.rename(repo / "concord" / "CON-2026-0071.yaml", folder + b"/CON-2026-0071.yaml")  # a case with obligations due
    result = subprocess.run([sys.executable, "-m", "pptcli", "due", str(repo), *AS_OF, "--business-days", "260", "--format", "ics"],
                            capture_output=True, check=False)
    assert result.returncode in (0, 1), result.stderr
    unfolded = result.stdout.replace(b"\r\n ", b"")  # RFC 5545 folds long lines
    assert b"caf\\\\udce9/CON-2026-0071.yaml" in unfolded  # the escape, its backslash escaped by RFC 5545


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_output_to_a_full_disk_is_a_plain_error() -> None:
    with open("/dev/full", "w", encoding="utf-8") as full:
        result = subprocess.run([sys.executable, "-m", "pptcli", "check", str(PROJECT / "cases"), *AS_OF, "--no-cache"],
                                stdout=full, stderr=subprocess.PIPE, text=True, check=False)
    assert result.returncode == 2, result.stderr
    assert "ppt: error: cannot write the output: No space left on device" in result.stderr


@pytest.mark.parametrize("args", [
    ["check", "cases", "--as-of", "9999-12-31"],
    ["due", "cases", "--as-of", "0001-01-01"],
    ["calendar", "2026-11-25", "--add", "100000000"],
    ["calendar", "0001-01-01", "--before", "1"],
])
def test_dates_off_the_calendar_are_usage_errors(args: list[str]) -> None:
    result = run_ppt(*args)
    assert result.returncode == 2, result
    assert "internal error" not in result.stderr


@pytest.mark.parametrize("value", ["99999", "99999999999999999999", "true", "2.5"])
def test_a_policy_value_past_the_calendar_or_of_another_kind_is_one_located_problem(repo: Path, value: str) -> None:
    """Past the calendar: an internal error at the first date. `true` was taken for 1, and
    2.5 drew a second message saying it was not text."""
    settings = repo / "ppt.yaml"
    text = settings.read_text(encoding="utf-8")
    assert "\npolicy: {}\n" in text
    settings.write_text(text.replace("\npolicy: {}\n", f"\npolicy: {{ppt_interval_months: {value}}}\n"), encoding="utf-8")
    result = run_ppt("validate", repo)
    assert result.returncode == 2, result
    line = text.count("\n", 0, text.index("policy: {}")) + 1
    assert [shown.split("cases/", 1)[-1] for shown in result.stdout.splitlines()] == [
        f"ppt.yaml:{line}:10: error: ppt_interval_months must be a whole number from 0 to 10,000",
    ]


def test_a_rule_expression_of_the_wrong_type_names_the_rule(repo: Path) -> None:
    shutil.copytree(PROJECT / "rules", repo / "myrules")
    settings = repo / "ppt.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("\nrules: null\n", "\nrules: myrules\n"), encoding="utf-8")
    rule = repo / "myrules" / "cpsw" / "CPSW-I.A.2.yaml"
    rule.write_text(rule.read_text(encoding="utf-8").replace("\nwhen: not first\n", "\nwhen: date < 5\n"), encoding="utf-8")
    result = run_ppt("check", repo, *AS_OF, "--no-cache")
    assert result.returncode == 2, result
    assert "rule CPSW-I.A.2 cannot be evaluated on case" in result.stderr and "fix the rule file" in result.stderr


def test_text_from_a_case_cannot_work_the_terminal(repo: Path) -> None:
    """Escape sequences retitle a terminal or clear it; U+202E shows text backwards."""
    _with_task(repo, "x\\e]0;PWNED\\a\\e[2J\\u202eevil")
    for args in (["explain", "CON-2026-0042", "CPSW-I.K", "--repo", str(repo), *AS_OF],
                 ["log", "task-done", "CON-2026-0042", "--meeting", "2026-03-05", "--task", "nope", "--repo", str(repo), *AS_OF],
                 ["check", str(repo), *AS_OF, "--case", "CON-2026-0042", "--all"]):
        result = run_ppt(*args)
        assert "PWNED" in result.stdout + result.stderr, args
        for shown in (result.stdout, result.stderr):
            assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown, args


def test_init_inside_a_case_repository_is_refused(repo: Path) -> None:
    result = run_ppt("init", repo / "concord" / "new")
    assert result.returncode == 2
    assert "inside the case repository at" in result.stderr
    assert not (repo / "concord" / "new").exists()


@pytest.mark.skipif(sys.platform != "linux", reason="needs Linux's PATH_MAX and dir_fd")
def test_a_folder_that_cannot_be_listed_is_reported_not_passed_over(repo: Path) -> None:
    """Its cases would vanish from every report, unsaid. A path longer than PATH_MAX cannot
    be listed, even by root (as a folder without permission cannot, for anyone else)."""
    fd = os.open(repo / "concord", os.O_RDONLY)
    try:
        for _ in range(25):  # 25 x 200 characters: past Linux's 4,096
            os.mkdir("d" * 200, dir_fd=fd)
            inner = os.open("d" * 200, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
    finally:
        os.close(fd)
    result = run_ppt("validate", repo)
    assert result.returncode == 2, result
    assert "error: cannot read: File name too long" in result.stdout


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_named_to_validate_is_reported(repo: Path) -> None:
    os.mkfifo(repo / "concord" / "pipe.yaml")
    result = run_ppt("validate", repo / "concord" / "pipe.yaml", timeout=30)
    assert result.returncode == 2, result
    assert "pipe.yaml:0:0: error: cannot read: not a regular file" in result.stdout


def test_explain_of_a_case_with_problems_shows_them(repo: Path) -> None:
    path = repo / CASE_FILE
    path.write_text(path.read_text(encoding="utf-8").replace("  cpsw: c.rivera\n", "  cpsw: c.rivra\n", 1), encoding="utf-8")
    result = run_ppt("explain", "CON-2026-0042", "CPSW-I.A.2", "--repo", repo, *AS_OF)
    assert result.returncode == 2
    assert f'{CASE_FILE.as_posix()}:' in result.stderr and 'unknown staff id "c.rivra"' in result.stderr
    assert 'case "CON-2026-0042" (concord/CON-2026-0042.yaml) has problems; fix them first' in result.stderr


def test_calendar_of_a_repository_that_is_not_there_is_an_error(tmp_path: Path) -> None:
    result = run_ppt("calendar", "--repo", tmp_path / "nowhere")
    assert result.returncode == 2
    assert "no such file or folder" in result.stderr
    assert run_ppt("calendar", cwd=tmp_path).returncode == 0  # outside any repository: the state calendar


def test_markdown_shows_a_cases_html_as_text(repo: Path) -> None:
    """Markdown renders inline HTML: a case's text is data, never markup."""
    _with_task(repo, "<img src=x onerror=alert(1)> & call\\e[2J")
    result = run_ppt("check", repo, *AS_OF, "--format", "markdown", "--all", "--case", "CON-2026-0042")
    assert result.returncode in (0, 1), result.stderr
    assert "&lt;img src=x onerror=alert(1)> &amp; call" in result.stdout
    assert "<img" not in result.stdout and "\x1b" not in result.stdout


@pytest.mark.parametrize(("old", "new", "message"), [
    ("program: cps\n", "program: true\n", "program: expected one of 'cps', 'jjs' or 'joint', got true/false"),
    ("      parents: 2026-02-20\n", "      parents: [1]\n", "meetings[0].info_gathered.parents: expected a date as YYYY-MM-DD, got a list"),
])
def test_a_value_of_the_wrong_kind_is_named_as_yaml_reads_it(repo: Path, old: str, new: str, message: str) -> None:
    """Not Python's words for it ("True", "LocatedList")."""
    path = repo / CASE_FILE
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    result = run_ppt("validate", repo)
    assert result.returncode == 2
    assert message in result.stdout, result.stdout


def test_an_unknown_key_beside_a_key_named_like_a_union_branch_is_the_one_named(repo: Path) -> None:
    """pydantic's location of the unknown key goes through the union's branch,
    `not_applicable`, which is also a key here: the message named it, suggesting itself."""
    path = repo / CASE_FILE
    text = path.read_text(encoding="utf-8").replace("      parents: 2026-02-20\n", "      parents: {not_applicable: x, extra: 1}\n")
    path.write_text(text, encoding="utf-8")
    result = run_ppt("validate", repo)
    assert result.returncode == 2
    line = text.count("\n", 0, text.index("{not_applicable: x, extra")) + 1
    column = len("      parents: {not_applicable: x, ") + 1
    assert f'{CASE_FILE.as_posix()}:{line}:{column}: error: unknown key "extra"' in result.stdout, result.stdout
