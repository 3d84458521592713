"""A write that cannot be done changes nothing (issue 5, "Done when" 4; SPEC 6, 8).

Bad arguments and bad files end with exit 2 and a message naming the problem; the case
file is byte-for-byte what it was, and no temporary file is left beside it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import run_ppt

CASE = "CON-2026-0042"
FILE = Path("concord") / f"{CASE}.yaml"
AS_OF = ("--as-of", "2026-11-30")

BAD_ARGUMENTS = {
    "an unknown case id": (["notify-placement", "CON-2026-042", "--date", "2026-11-25"], 'no case "CON-2026-042"', 'did you mean "CON-2026-0042"?'),
    "a case id in the wrong case": (["log", "followup", "con-2026-0042"], 'no case "con-2026-0042"', 'did you mean "CON-2026-0042"?'),
    "an unknown staff id": (["log", "task", CASE, "--meeting", "2026-09-01", "--task", "Call", "--owner", "c.rivra"],
                            '--owner: unknown staff id "c.rivra"', 'did you mean "c.rivera"?'),
    "an unknown attendee": (["log", "meeting-held", CASE, "--date", "2026-09-01", "--attendee", "t.ngyuen"], 'unknown staff id "t.ngyuen"', '"t.nguyen"'),
    "an unknown topic": (["log", "meeting-held", CASE, "--date", "2026-09-01", "--topic", "barrier"],
                         '--topic: "barrier" is not one of prior_tasks', 'did you mean "barriers"?'),
    "an impossible date": (["notify-placement", CASE, "--date", "2026-02-30"], "'--date'", '"2026-02-30" is not a date'),
    "a notification in the future": (["notify-placement", CASE, "--date", "2026-11-25", "--notified", "2026-12-02"],
                                     "--notified 2026-12-02 is after today (2026-11-30)", ""),
    "a missing required option": (["log", "court-action", CASE, "--date", "2026-11-20"], "--action is required", ""),
    "a missing identifying option": (["log", "task", CASE, "--task", "Call", "--owner", "c.rivera"], "--meeting", ""),
    "no meeting on that date": (["log", "screen", CASE, "--meeting", "2026-09-02"], "no meeting 2026-09-02 in this case", "(recorded: meeting 2026-03-05; meeting 2026-09-01)"),
    "an unknown task": (["log", "task-done", CASE, "--meeting", "2026-09-01", "--task", "dentist"], 'no task 2026-09-01 "dentist" in this case', '"Plan trial home visit with mother"'),
    "both a date and not-applicable": (["log", "info", CASE, "--meeting", "2026-09-01", "--source", "child", "--date", "2026-08-20",
                                        "--not-applicable", "x"], "exactly one of --date DATE or --not-applicable", ""),
    "a notified date contradicting the one recorded": (["notify-placement", CASE, "--date", "2026-05-01", "--notified", "2026-05-05"],
                                                       "already has notified_ppt 2026-05-04, not 2026-05-05", "does not overwrite"),
    "a notification before the placement": (["notify-placement", CASE, "--date", "2026-11-25", "--notified", "2026-11-24"],
                                            "notified_ppt 2026-11-24 is before the date 2026-11-25", "nothing written"),
    "a waiver approved by the responsible worker": (
        ["log", "waiver", CASE, "--rule", "CPSW-I.C", "--subject", "meeting 2026-09-01", "--reason", "x", "--approved-by", "c.rivera", "--approved", "2026-08-20"],
        '"c.rivera" is responsible for CPSW-I.C', "nothing written"),
    "a waiver of an unknown rule": (
        ["log", "waiver", CASE, "--rule", "CPSW-I.Z", "--subject", "meeting 2026-09-01", "--reason", "x", "--approved-by", "m.okafor", "--approved", "2026-08-20"],
        'unknown rule "CPSW-I.Z"', "nothing written"),
    "a waiver that matches no obligation": (
        ["log", "waiver", CASE, "--rule", "CPSW-I.C", "--subject", "meeting 2026-09-02", "--reason", "x", "--approved-by", "m.okafor", "--approved", "2026-08-20"],
        'matches no obligation "meeting 2026-09-02"', "nothing written"),
    "a record for a section that does not exist": (["log", "ppt-updated", "CON-2026-0071"], "has no permanency yet", ""),
    "--commit outside a git repository": (["log", "followup", CASE, "--commit"], "not inside a git repository", "nothing written"),
}


def _snapshot(repo: Path) -> dict[str, bytes]:
    return {p.relative_to(repo).as_posix(): p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".ppt-cache" not in p.parts}


@pytest.mark.parametrize("name", list(BAD_ARGUMENTS))
def test_bad_arguments_change_nothing(name: str, demo_repo: Path) -> None:
    args, message, hint = BAD_ARGUMENTS[name]
    before = _snapshot(demo_repo)
    result = run_ppt(*args, *AS_OF, cwd=demo_repo)
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    assert message in result.stderr and hint in result.stderr, result.stderr
    assert _snapshot(demo_repo) == before  # the case file and every other file, byte for byte


BAD_FILES = {
    "an unknown key": ("    notified_ppt: 2026-01-12\n", "    notifed_ppt: 2026-01-12\n", 'unknown key "notifed_ppt"'),
    "an unknown staff id in the file": ("  cpsw: c.rivera\n", "  cpsw: c.rivra\n", 'unknown staff id "c.rivra"'),
    "a YAML syntax error": ("  goal: reunification\n", "  goal: [reunification\n", "invalid YAML"),
    "git conflict markers": (
        "    provider: \"Relative: maternal aunt\"\n",
        "<<<<<<< HEAD\n    provider: \"Relative: maternal aunt\"\n=======\n    provider: \"Relative: aunt\"\n>>>>>>> theirs\n",
        "git merge conflict marker: resolve the conflict first",
    ),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_a_file_with_problems_is_refused_unchanged(name: str, demo_repo: Path) -> None:
    old, new, message = BAD_FILES[name]
    path = demo_repo / FILE
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    before = _snapshot(demo_repo)
    result = run_ppt("log", "followup", CASE, "--date", "2026-11-20", *AS_OF, cwd=demo_repo)
    assert result.returncode == 2, result
    assert f"concord/{CASE}.yaml:" in result.stderr and message in result.stderr, result.stderr
    assert f"{FILE.as_posix()} has problems; fix them first (nothing written)" in result.stderr
    assert _snapshot(demo_repo) == before


def test_conflict_markers_are_reported_where_they_stand(demo_repo: Path) -> None:
    path = demo_repo / FILE
    text = path.read_text(encoding="utf-8")
    marked = text.replace("court_actions:\n", "<<<<<<< HEAD\ncourt_actions:\n", 1)
    path.write_text(marked, encoding="utf-8")
    line = marked[: marked.index("<<<<<<<")].count("\n") + 1
    result = run_ppt("notify-placement", CASE, "--date", "2026-11-25", *AS_OF, cwd=demo_repo)
    assert result.returncode == 2
    assert f"concord/{CASE}.yaml:{line}:1: error: git merge conflict marker" in result.stderr
    assert path.read_text(encoding="utf-8") == marked


def test_a_file_the_reader_takes_but_the_editor_cannot_is_refused_where_it_stands(demo_repo: Path) -> None:
    """libyaml (the reader) takes a tab after a colon; ruamel (the editor) does not: the
    writer refuses, saying where, rather than failing as a bug."""
    path = demo_repo / FILE
    text = path.read_text(encoding="utf-8")
    line = text[: text.index("  cpsw: c.rivera\n")].count("\n") + 1
    path.write_text(text.replace("  cpsw: c.rivera\n", "  cpsw:\tc.rivera\n"), encoding="utf-8")
    assert run_ppt("validate", "concord", cwd=demo_repo).returncode == 0
    before = _snapshot(demo_repo)
    result = run_ppt("log", "followup", CASE, "--date", "2026-11-20", *AS_OF, cwd=demo_repo)
    assert result.returncode == 2, result
    assert f"concord/{CASE}.yaml:{line}:8: error: " in result.stderr and "stricter YAML parser" in result.stderr, result.stderr
    assert f"{FILE.as_posix()} cannot be edited by ppt as it is written (nothing written)" in result.stderr
    assert _snapshot(demo_repo) == before


def test_a_case_file_whose_name_is_not_utf8_is_written(demo_repo: Path) -> None:
    """Linux allows any bytes in a name; `ppt check` reads such a file, and so does a writer."""
    odd = os.fsencode(demo_repo / "concord") + b"/caf\xe9-0042.yaml"
    os.rename(demo_repo / FILE, odd)
    result = run_ppt("log", "followup", CASE, "--date", "2026-11-20", *AS_OF, cwd=demo_repo)
    assert result.returncode in (0, 1), result.stderr
    assert "supervisor follow-up" in result.stdout
    with open(odd, "rb") as file:
        assert b"2026-11-20" in file.read()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write any file")
def test_a_read_only_case_file_is_refused(demo_repo: Path) -> None:
    """Replacing the file by a rename would go round its permissions."""
    path = demo_repo / FILE
    path.chmod(0o444)
    before = _snapshot(demo_repo)
    result = run_ppt("log", "followup", CASE, "--date", "2026-11-20", *AS_OF, cwd=demo_repo)
    assert result.returncode == 2
    assert f"{FILE.as_posix()} is read-only" in result.stderr
    assert _snapshot(demo_repo) == before


def test_a_record_that_would_not_validate_is_reported_at_a_line_on_disk(demo_repo: Path) -> None:
    """The edited text exists nowhere the user can open it: its problems are placed where
    the record would go, and say so (a task due before the meeting that assigned it)."""
    path = demo_repo / FILE
    text = path.read_text(encoding="utf-8")
    before = _snapshot(demo_repo)
    result = run_ppt("log", "task", CASE, "--meeting", "2026-09-01", "--task", "Call the school", "--owner", "c.rivera",
                     "--due", "2026-08-01", *AS_OF, cwd=demo_repo)
    assert result.returncode == 2, result
    line = next(ln for ln in result.stderr.splitlines() if "error:" in ln)
    number = int(line.split(":")[1])
    assert 1 <= number <= text.count("\n"), line
    assert "the new record (after line" in line and "due 2026-08-01 is before the meeting 2026-09-01" in line, line
    assert _snapshot(demo_repo) == before
