"""`ppt validate` through the real CLI (SPEC 6, 8; issue 2 "Done when").

Every run is a subprocess of `python -m pptcli`. Edited files are copies of the demonstration
repository in a temporary folder; the expected line and column are computed from the text
written, so a test cannot pass by accident.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import AS_OF, CASES, PROJECT, run_ppt

SETTINGS = {"ppt.yaml", "staff.yaml", "calendar.yaml"}
DEMO_CASE = "concord/CON-2026-0042.yaml"
DEMO_COUNT = sum(1 for p in CASES.rglob("*.y*ml") if not (p.parent == CASES and p.name in SETTINGS))


def validate(*args: str | Path, cwd: Path = PROJECT) -> subprocess.CompletedProcess[str]:
    result = run_ppt("validate", "--as-of", AS_OF, *args, cwd=cwd)
    assert "Traceback" not in result.stdout + result.stderr, result
    assert result.returncode in (0, 2), result
    return result


def edit_file(path: Path, old: str, new: str) -> str:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return text


def where(text: str, needle: str) -> tuple[int, int]:
    index = text.index(needle)
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def problem_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stdout.splitlines() if ": error: " in line]


# --- the demonstration repository -----------------------------------------------------------


def test_the_demonstration_repository_is_valid() -> None:
    assert DEMO_COUNT >= 16
    result = validate("cases/")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert f"{DEMO_COUNT} case files valid" in result.stderr


def test_validate_defaults_to_the_current_folder() -> None:
    result = validate(cwd=CASES / "keene")
    assert result.returncode == 0, result
    keene = len(list((CASES / "keene").glob("*.yaml")))
    assert f"{keene} case files valid" in result.stderr


# --- the four Done-when edits ---------------------------------------------------------------

EDITS = {
    "misspelled key": ("    notified_ppt: 2026-01-12\n", "    notifed_ppt: 2026-01-12\n", "notifed_ppt", 'unknown key "notifed_ppt"; did you mean "notified_ppt"?'),
    "impossible date": ("  set: 2026-02-20\n", "  set: 2026-02-30\n", "2026-02-30", '"2026-02-30" is not a real date'),
    "unknown staff id": ("  permanency_cpsw: t.nguyen\n", "  permanency_cpsw: t.nguyem\n", "t.nguyem", 'unknown staff id "t.nguyem"; did you mean "t.nguyen"?'),
    "yaml syntax error": ('    provider: "Foster home (Lindgren)"\n', "    provider: Foster home: Lindgren\n", ": Lindgren", "invalid YAML"),
}


@pytest.mark.parametrize("name", EDITS)
def test_a_broken_demo_case_is_reported_at_its_line_and_column(demo_repo: Path, name: str) -> None:
    old, new, needle, fragment = EDITS[name]
    text = edit_file(demo_repo / DEMO_CASE, old, new)
    line, col = where(text, needle)
    result = validate("cases", cwd=demo_repo.parent)
    assert result.returncode == 2, result
    lines = problem_lines(result)
    assert lines == result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    assert lines[0].startswith(f"cases/{DEMO_CASE}:{line}:{col}: error: "), lines[0]
    assert fragment in lines[0]
    # the other files were still validated
    assert f"1 problem; {DEMO_COUNT - 1} valid case files" in result.stderr


def test_a_broken_demo_case_validated_alone(demo_repo: Path) -> None:
    old, new, needle, fragment = EDITS["impossible date"]
    text = edit_file(demo_repo / DEMO_CASE, old, new)
    line, col = where(text, needle)
    result = validate(demo_repo / DEMO_CASE, cwd=demo_repo / "concord")
    assert result.returncode == 2
    assert len(problem_lines(result)) == 1
    assert problem_lines(result) == result.stdout.splitlines()
    assert problem_lines(result)[0].startswith(f"CON-2026-0042.yaml:{line}:{col}: error: "), result.stdout
    assert fragment in result.stdout
    assert "0 valid case files" in result.stderr


def test_four_broken_files_are_all_reported_in_one_run(demo_repo: Path) -> None:
    targets = ["concord/CON-2026-0042.yaml", "concord/CON-2026-0071.yaml", "keene/KEE-2026-0019.yaml", "manchester/MAN-2026-0107.yaml"]
    expected = []
    for rel, name in zip(targets, ["yaml syntax error", "misspelled key", "impossible date", "unknown staff id"], strict=True):
        path = demo_repo / rel
        text = path.read_text(encoding="utf-8")
        if name == "yaml syntax error":
            old, new, needle = "program: cps\n", "program: cps: joint\n", ": joint"
        elif name == "misspelled key":
            old, new, needle = "office: concord\n", "ofice: concord\n", "ofice"
        elif name == "impossible date":
            first = text.index("  - date: ") + len("  - date: ")
            old = text[text.index("  - date: "):text.index("\n", first) + 1]
            new, needle = "  - date: 2026-02-30\n", "2026-02-30"
        else:
            old = text[text.index("  cpsw: "):text.index("\n", text.index("  cpsw: ")) + 1]
            new, needle = "  cpsw: s.patell\n", "s.patell"
        text = edit_file(path, old, new)
        line, col = where(text, needle)
        expected.append(f"cases/{rel}:{line}:{col}: ")
    result = validate("cases", cwd=demo_repo.parent)
    assert result.returncode == 2
    lines = problem_lines(result)
    assert len(lines) == 4, result.stdout
    assert sorted(ln.split(": error: ")[0] + ": " for ln in lines) == sorted(expected)
    assert f"4 problems; {DEMO_COUNT - 4} valid case files" in result.stderr


# --- paths ----------------------------------------------------------------------------------


def test_several_paths_as_pre_commit_passes_them(demo_repo: Path) -> None:
    text = edit_file(demo_repo / DEMO_CASE, *EDITS["misspelled key"][:2])
    line, col = where(text, "notifed_ppt")
    result = validate("cases/concord/CON-2026-0042.yaml", "cases/keene/KEE-2026-0019.yaml", "cases/manchester/MAN-2026-0107.yaml", cwd=demo_repo.parent)
    assert result.returncode == 2
    assert problem_lines(result) == result.stdout.splitlines()
    assert [ln.split(": error: ")[0] for ln in problem_lines(result)] == [f"cases/{DEMO_CASE}:{line}:{col}"]
    assert "1 problem; 2 valid case files" in result.stderr


def test_several_good_paths_exit_zero() -> None:
    result = validate("cases/concord/CON-2026-0042.yaml", "cases/keene/KEE-2026-0019.yaml")
    assert result.returncode == 0, result
    assert "2 case files valid" in result.stderr


def test_the_same_file_given_twice_is_validated_once() -> None:
    result = validate("cases/keene/KEE-2026-0019.yaml", "cases/keene/KEE-2026-0019.yaml", "cases/keene")
    assert result.returncode == 0, result
    keene = len(list((CASES / "keene").glob("*.yaml")))
    assert f"{keene} case files valid" in result.stderr


def test_a_subfolder_finds_its_repository_and_validates_only_that_folder(demo_repo: Path) -> None:
    edit_file(demo_repo / "manchester/MAN-2026-0107.yaml", "office: manchester\n", "ofice: manchester\n")
    keene = len(list((demo_repo / "keene").glob("*.yaml")))
    result = validate("cases/keene", cwd=demo_repo.parent)
    assert result.returncode == 0, result
    assert f"{keene} case files valid" in result.stderr
    result = validate("cases/manchester", cwd=demo_repo.parent)
    assert result.returncode == 2
    assert [ln.split(":")[0] for ln in problem_lines(result)] == ["cases/manchester/MAN-2026-0107.yaml"]


def test_a_case_in_a_deeper_subfolder(demo_repo: Path) -> None:
    deep = demo_repo / "concord" / "closed" / "2025"
    deep.mkdir(parents=True)
    (demo_repo / DEMO_CASE).rename(deep / "CON-2026-0042.yaml")
    text = edit_file(deep / "CON-2026-0042.yaml", *EDITS["unknown staff id"][:2])
    line, col = where(text, "t.nguyem")
    result = validate("cases/concord/closed/2025/CON-2026-0042.yaml", cwd=demo_repo.parent)
    assert result.returncode == 2
    assert problem_lines(result)[0].startswith(f"cases/concord/closed/2025/CON-2026-0042.yaml:{line}:{col}: error: unknown staff id")
    result = validate(cwd=deep)
    assert result.returncode == 2
    assert problem_lines(result)[0].startswith(f"CON-2026-0042.yaml:{line}:{col}: error: ")


def test_a_path_outside_any_repository(tmp_path: Path) -> None:
    stray = tmp_path / "elsewhere" / "note.yaml"
    stray.parent.mkdir()
    stray.write_text("id: X\n", encoding="utf-8")
    result = validate(stray, cwd=tmp_path)
    assert result.returncode == 2
    assert "not inside a case repository" in result.stderr
    assert "ppt.yaml" in result.stderr
    assert result.stdout == ""


def test_a_path_that_does_not_exist(tmp_path: Path) -> None:
    result = validate("cases/concord/NO-SUCH-CASE.yaml", cwd=PROJECT)
    assert result.returncode == 2
    assert "no such file or folder" in result.stderr
    assert "NO-SUCH-CASE.yaml" in result.stderr


def test_a_bad_as_of_date_is_bad_usage() -> None:
    result = run_ppt("validate", "--as-of", "2026-02-30", "cases/")
    assert result.returncode == 2
    assert "2026-02-30" in result.stderr
    assert "YYYY-MM-DD" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


# --- settings files -------------------------------------------------------------------------


def test_a_bad_policy_key_in_ppt_yaml_is_reported_at_its_line(demo_repo: Path) -> None:
    text = edit_file(demo_repo / "ppt.yaml", "policy: {}\n", "policy:\n  ppt_interval_month: 6\n")
    line, col = where(text, "ppt_interval_month:")
    result = validate("cases", cwd=demo_repo.parent)
    assert result.returncode == 2
    lines = problem_lines(result)
    assert len(lines) == 1, result.stdout
    assert lines[0].startswith(f"cases/ppt.yaml:{line}:{col}: error: ")
    assert 'unknown policy parameter "ppt_interval_month"' in lines[0]
    assert "ppt_interval_months" in lines[0]


def test_a_bad_policy_value_in_ppt_yaml_is_reported_at_its_line(demo_repo: Path) -> None:
    text = edit_file(demo_repo / "ppt.yaml", "policy: {}\n", "policy:\n  followup_days: -3\n  court_action_notice: tomorrow\n")
    result = validate("cases", cwd=demo_repo.parent)
    assert result.returncode == 2
    lines = problem_lines(result)
    assert len(lines) == 2, result.stdout
    assert any(ln.startswith("cases/ppt.yaml:{}:{}: error: ".format(*where(text, "followup_days: -3"))) and "followup_days" in ln for ln in lines), lines
    assert any(ln.startswith("cases/ppt.yaml:{}:{}: error: ".format(*where(text, "court_action_notice: tomorrow"))) and "deadline kind" in ln for ln in lines), lines


def test_an_unknown_key_in_ppt_yaml(demo_repo: Path) -> None:
    text = edit_file(demo_repo / "ppt.yaml", "rules: null\n", "rules: null\nofices: [concord]\n")
    result = validate("cases", cwd=demo_repo.parent)
    assert result.returncode == 2
    assert problem_lines(result)[0].startswith("cases/ppt.yaml:{}:{}: error: ".format(*where(text, "ofices")))
    assert 'did you mean "offices"?' in result.stdout


def test_an_invalid_staff_yaml_is_reported(demo_repo: Path) -> None:
    text = edit_file(demo_repo / "staff.yaml", "{id: j.beaulieu, name: Jacob Beaulieu, role: cpsw,", "{id: j.beaulieu, name: Jacob Beaulieu, role: cpws,")
    result = validate("cases", cwd=demo_repo.parent)
    assert result.returncode == 2
    lines = [ln for ln in problem_lines(result) if ln.startswith("cases/staff.yaml:")]
    assert len(lines) == 1, result.stdout
    assert lines[0].startswith("cases/staff.yaml:{}:{}: error: ".format(*where(text, "cpws")))
    assert '"cpws" is not one of' in lines[0]


def yaml_value(path: Path, key: str) -> str:
    from pptcli.yamlio import parse

    hooks = parse(path.read_text(encoding="utf-8"))
    hook = hooks[0] if isinstance(hooks, list) else hooks["repos"][0]["hooks"][0]
    return str(hook[key])


def test_settings_and_rule_files_named_are_read_as_what_they_are(tmp_path: Path) -> None:
    """The pre-commit hook names each YAML file a commit touches: `ppt init`'s own files, a
    staff.yaml edit, an office's rule file. Each is checked as settings or as a rule, never
    as a case file missing `child`."""
    repo = tmp_path / "office"
    assert run_ppt("init", repo).returncode == 0
    named = validate("ppt.yaml", "staff.yaml", "calendar.yaml", cwd=repo)
    assert named.returncode == 0, named.stdout + named.stderr
    assert "0 case files valid" in named.stderr
    text = edit_file(repo / "staff.yaml", "staff: []", "staff: [{id: c.rivera, name: Carmen Rivera, rle: cpsw, office: concord}]")
    broken = validate("staff.yaml", cwd=repo)
    line, col = where(text, "rle:")
    assert broken.returncode == 2
    assert broken.stdout.splitlines() == [f'staff.yaml:{line}:{col}: error: unknown key "rle"; did you mean "role"?']
    edit_file(repo / "staff.yaml", "rle:", "role:")
    (repo / "rules").mkdir()
    shutil.copy(PROJECT / "rules" / "parameters.yaml", repo / "rules" / "parameters.yaml")
    (repo / "rules" / "X-1.yaml").write_text("id: X-1\ntitle: a rule without the rest\n", encoding="utf-8")
    edit_file(repo / "ppt.yaml", "rules: null", "rules: rules")
    rule = validate("rules/X-1.yaml", cwd=repo)
    assert rule.returncode == 2
    assert 'rules/X-1.yaml:1:1: error: missing required key "for_each"' in rule.stdout.splitlines()
    assert "child" not in rule.stdout
    # The hook leaves out hidden files and folders at any depth, as a walk does (a writer's
    # temporary file, .CON-...yaml.*.tmp, is named to ppt validate's loader, and is a case).
    exclude = re.compile(yaml_value(repo / ".pre-commit-config.yaml", "exclude"))
    shipped = re.compile(yaml_value(PROJECT / ".pre-commit-hooks.yaml", "exclude"))
    for pattern in (exclude, shipped):
        assert pattern.search(".pre-commit-config.yaml") and pattern.search("concord/.draft.yaml") and pattern.search(".git/x.yaml")
        assert not pattern.search("concord/CON-2026-0042.yaml") and not pattern.search("ppt.yaml")


def test_files_named_as_a_commit_names_them_are_checked_against_the_rest(demo_repo: Path) -> None:
    """What the pre-commit hook runs: `ppt validate` of the files a commit touches. A new
    file copying another case's id, and a staff member removed from staff.yaml while cases
    still name them, must not pass because the other files were not named."""
    copy = demo_repo / "concord" / "CON-2026-9100.yaml"
    text = (demo_repo / "concord" / "CON-2026-0042.yaml").read_text(encoding="utf-8").replace("id: CON-2026-0042", "id: CON-2026-0071")
    copy.write_text(text, encoding="utf-8")
    named = validate("concord/CON-2026-9100.yaml", cwd=demo_repo)
    assert named.returncode == 2
    assert problem_lines(named) == [
        "concord/CON-2026-9100.yaml:{}:{}: error: case id \"CON-2026-0071\" is also used by concord/CON-2026-0071.yaml".format(*where(text, "CON-2026-0071")),
    ]
    assert "1 problem; 0 valid case files" in named.stderr
    copy.unlink()
    assert validate("concord/CON-2026-0042.yaml", cwd=demo_repo).returncode == 0  # its own id is no clash
    edit_file(demo_repo / "staff.yaml", "  - {id: c.rivera,", "  - {id: c.riviera,")
    staff = validate("staff.yaml", cwd=demo_repo)
    assert staff.returncode == 2
    assert any('unknown staff id "c.rivera"' in line and line.startswith("concord/") for line in problem_lines(staff)), staff.stdout


def test_a_staff_supervisor_missing_from_the_roster(demo_repo: Path) -> None:
    text = edit_file(demo_repo / "staff.yaml", "role: cpsw, office: keene, supervisor: o.lindqvist}\n  - {id: q.hartley", "role: cpsw, office: keene, supervisor: o.lindkvist}\n  - {id: q.hartley")
    result = validate("cases", cwd=demo_repo.parent)
    assert result.returncode == 2
    assert problem_lines(result)[0].startswith("cases/staff.yaml:{}:{}: error: ".format(*where(text, "o.lindkvist")))
    assert '"o.lindkvist"' in result.stdout


def test_an_invalid_calendar_yaml_is_reported(demo_repo: Path) -> None:
    text = edit_file(demo_repo / "calendar.yaml", "{date: 2026-02-10, reason:", "{date: 2026-02-30, reason:")
    result = validate("cases", cwd=demo_repo.parent)
    assert result.returncode == 2
    lines = [ln for ln in problem_lines(result) if ln.startswith("cases/calendar.yaml:")]
    assert len(lines) == 1, result.stdout
    assert lines[0].startswith("cases/calendar.yaml:{}:{}: error: ".format(*where(text, "2026-02-30")))
    assert "not a real date" in lines[0]


def test_a_calendar_yaml_that_does_not_parse(demo_repo: Path) -> None:
    text = edit_file(demo_repo / "calendar.yaml", "  remove: []\n", "  remove: [\n")
    result = validate("cases", cwd=demo_repo.parent)
    assert result.returncode == 2
    lines = [ln for ln in problem_lines(result) if ln.startswith("cases/calendar.yaml:")]
    assert len(lines) == 1, result.stdout
    assert "invalid YAML" in lines[0]
    assert int(lines[0].split(":")[1]) >= where(text, "remove: [")[0]


# --- what only evaluation can tell ----------------------------------------------------------


def test_a_waiver_that_matches_no_obligation_is_reported_at_its_subject(demo_repo: Path) -> None:
    text = edit_file(demo_repo / DEMO_CASE, "    subject: meeting 2026-03-05\n", "    subject: meeting 2026-03-06\n")
    line, col = where(text, "meeting 2026-03-06")
    result = validate("cases", cwd=demo_repo.parent)
    assert result.returncode == 2
    lines = problem_lines(result)
    assert len(lines) == 1, result.stdout
    assert lines[0].startswith(f"cases/{DEMO_CASE}:{line}:{col}: error: ")
    assert 'matches no obligation "meeting 2026-03-06"' in lines[0]
    assert "meeting 2026-03-05" in lines[0]  # names the subjects it could have meant


RIVERA = "{id: c.rivera, name: Carmen Rivera, role: cpsw, office: concord, supervisor: m.okafor}"
SETTINGS_TYPOS = {
    "a staff member's office not in ppt.yaml": ("staff.yaml", RIVERA, RIVERA.replace("office: concord", "office: concrd"),
                                                'office "concrd" is not in ppt.yaml offices; did you mean "concord"?', "concrd"),
    "their own supervisor": ("staff.yaml", RIVERA, RIVERA.replace("m.okafor", "c.rivera"),
                             '"c.rivera" is given as their own supervisor', "c.rivera}"),
    "a caseworker as supervisor": ("staff.yaml", RIVERA, RIVERA.replace("m.okafor", "t.nguyen"),
                                   'supervisor "t.nguyen" has the role permanency_cpsw, not supervisor', "t.nguyen}"),
}


@pytest.mark.parametrize("name", list(SETTINGS_TYPOS))
def test_settings_that_contradict_each_other_are_reported(name: str, demo_repo: Path) -> None:
    """Otherwise findings go up to a caseworker, or an office's closure applies nowhere."""
    file, old, new, message, at = SETTINGS_TYPOS[name]
    text = edit_file(demo_repo / file, old, new)
    result = validate(".", cwd=demo_repo)
    assert result.returncode == 2
    line, col = where(text, at)
    assert f"{file}:{line}:{col}: error: {message}" in problem_lines(result), result.stdout


def test_a_closure_of_an_office_not_in_ppt_yaml_is_reported(demo_repo: Path) -> None:
    edit_file(demo_repo / "calendar.yaml", "\nclosures:\n", "\nclosures:\n  - {date: 2026-03-17, office: nashua, reason: Burst pipe}\n")
    result = validate(".", cwd=demo_repo)
    assert result.returncode == 2
    assert any(line.startswith("calendar.yaml:") and 'office "nashua" is not in ppt.yaml offices' in line for line in problem_lines(result)), result.stdout


def test_removing_a_day_that_is_no_holiday_is_reported(demo_repo: Path) -> None:
    """A typing mistake (07-05 for 07-03, Independence Day observed) keeps the real one off."""
    text = edit_file(demo_repo / "calendar.yaml", "  remove: []\n", "  remove: [{date: 2026-07-05}, {date: 2026-07-03}]\n")
    result = validate(".", cwd=demo_repo)
    assert result.returncode == 2
    assert problem_lines(result) == [
        "calendar.yaml:{}:{}: error: 2026-07-05 is not a state-office holiday, so there is none to remove (`ppt calendar` lists them)".format(*where(text, "2026-07-05")),
    ]
