"""`ppt rules list | show | coverage | test`, and rule folders of one's own (SPEC 5; issue 3).

"A new duty of an existing shape is a new YAML file, not new Python": a repository that
points ppt.yaml's `rules:` at a copy of the shipped rules plus one new file gets findings of
that rule from `ppt check`. Broken rule files are reported as file:line:col problems.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest
from helpers_check import (
    PROJECT,
    SPEC_RULE_IDS,
    check_repo,
    findings_of,
    ppt,
    report,
    the_finding,
    write_repo,
)

SHIPPED_RULES = PROJECT / "rules"


def custom_repo(root: Path, cases: dict[str, str] | None = None, *, inside: bool = False) -> tuple[Path, Path]:
    """A repository whose ppt.yaml points `rules:` at a copy of the shipped rules: a folder
    inside the repository (`rules: myrules`, as the README tells an office to do) or one
    beside it (`rules: ../office-rules`)."""
    folder = "myrules" if inside else "../office-rules"
    repo = write_repo(root / "repo", cases or {}, ppt_yaml=f"offices: [concord, keene]\npolicy: {{}}\nrules: {folder}\n")
    rules = (repo / folder).resolve()
    shutil.copytree(SHIPPED_RULES, rules)
    return repo, rules


def edit(path: Path, old: str, new: str) -> int:
    """Replace one line's text; returns the 1-based line number of the edit."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


# --- The shipped catalogue --------------------------------------------------------------------


def test_rules_test_runs_every_example_and_all_pass() -> None:
    result = ppt("rules", "test")
    assert result.returncode == 0, result.stdout
    match = re.search(r"^(\d+) passed, 0 failed$", result.stdout, re.MULTILINE)
    assert match, result.stdout
    assert int(match.group(1)) >= 60
    assert "FAIL" not in result.stdout


def test_rules_list_has_the_whole_catalogue() -> None:
    result = ppt("rules", "list")
    assert result.returncode == 0
    ids = [line.split()[0] for line in result.stdout.splitlines() if line.strip()]
    assert sorted(ids) == sorted(SPEC_RULE_IDS)


def test_rules_show_quotes_the_sop_and_names_the_parameter() -> None:
    result = ppt("rules", "show", "CPSW-I.C")
    assert result.returncode == 0
    out = result.stdout
    assert "at least 5 business days prior to a PPT meeting" in out  # the SOP sentence
    assert "CPSW PPT SOP I.C" in out
    assert re.search(r"parameter screen_business_days = 5\b", out)
    assert "example" in out


def test_rules_show_an_unknown_rule_suggests_one() -> None:
    result = ppt("rules", "show", "CPSW-I.X")
    assert result.returncode == 2
    assert "did you mean" in result.stderr


LETTERED = [("CPSW PPT SOP", s) for s in (*(f"I.{c}" for c in "ABCDEFGHIJKL"), "II.A", "II.B", "II.C", "Q1")] + [
    ("JPPO PPT SOP", s) for s in (*(f"I.{c}" for c in "ABCDEFGHIJ"), "II", "III.A", "III.B", "III.C", "Q1")
]


def test_rules_coverage_lists_every_lettered_item_of_both_sops() -> None:
    result = ppt("rules", "coverage")
    assert result.returncode == 0
    rows = {}
    for line in result.stdout.splitlines():
        match = re.match(r"^(CPSW PPT SOP|JPPO PPT SOP) (\S+)\s+(.*)$", line)
        if match:
            rows[(match.group(1), match.group(2))] = match.group(3)
    assert set(LETTERED) <= set(rows), f"items missing: {sorted(set(LETTERED) - set(rows))}"
    for item in LETTERED:
        shown = rows[item]
        assert shown.startswith("guidance:") or re.match(r"^(CPSW|JPPO|POL)-", shown), (item, shown)
    # Duties no record can prove are listed as guidance, not dropped.
    for item in [("CPSW PPT SOP", "I.H"), ("CPSW PPT SOP", "I.I"), ("JPPO PPT SOP", "I.F"), ("JPPO PPT SOP", "I.G")]:
        assert rows[item].startswith("guidance:"), item
    # Every rule of the catalogue encodes some item.
    encoded = {r.strip() for shown in rows.values() if not shown.startswith("guidance") for r in shown.split(",")}
    assert set(SPEC_RULE_IDS) <= encoded
    assert "NOT ENCODED" not in result.stdout


# --- A rule of one's own ----------------------------------------------------------------------

LOCAL_RULE = """\
# Concord office practice: every court action, whatever it decides, is reported to the PPT
# within three days. The shape of CPSW-I.B, without its affects_permanency condition.
id: LOCAL-court.any
title: Report every court action to the PPT within three days
source:
  document: Concord district office practice memo
  section: "2026-01"
  quote: "Report every court hearing outcome to the PPT within three days."
authority: assumed
worker: cpsw
programs: [cps, joint]
for_each: court_actions
trigger: date
deadline: {kind: calendar_days_after, n: 3}
evidence: notified_ppt
evidence_names: [PPT notified]
examples:
  - name: a hearing continued on Wednesday, reported Friday, was due Monday (Saturday rolls forward)
    as_of: 2026-11-23
    case: {court_actions: [{date: 2026-06-10, action: Hearing continued, affects_permanency: false, notified_ppt: 2026-06-12}]}
    expect: [{status: met, due: 2026-06-15}]
  - name: a hearing never reported is overdue
    as_of: 2026-11-23
    case: {court_actions: [{date: 2026-10-01, action: Hearing continued, affects_permanency: false}]}
    expect: [{status: overdue, due: 2026-10-05}]
"""

COURT_CASE = """\
id: CON-2026-0201
program: cps
office: concord
child: {name: "A. B.", born: 2014-04-01}
team: {cpsw: c.ames}
placements: [{date: 2026-05-04, notified_ppt: 2026-05-04}]
court_actions:
  - {date: 2026-06-10, action: "Hearing continued", affects_permanency: false, notified_ppt: 2026-06-12}
  - {date: 2026-10-01, action: "Review hearing: no change", affects_permanency: false}
"""


@pytest.mark.parametrize("inside", [True, False], ids=["rules-inside-the-repository", "rules-beside-it"])
def test_a_new_duty_is_a_new_yaml_file(tmp_path: Path, inside: bool) -> None:
    repo, rules = custom_repo(tmp_path, {"concord/CON-2026-0201.yaml": COURT_CASE}, inside=inside)
    (rules / "local").mkdir()
    (rules / "local" / "LOCAL-court.any.yaml").write_text(LOCAL_RULE, encoding="utf-8")

    listed = ppt("rules", "list", "--repo", repo)
    assert listed.returncode == 0
    assert "LOCAL-court.any" in [line.split()[0] for line in listed.stdout.splitlines() if line.strip()]

    tested = ppt("rules", "test", "--repo", repo)
    assert tested.returncode == 0, tested.stdout
    shipped = int(re.search(r"(\d+) passed", ppt("rules", "test").stdout).group(1))
    assert f"{shipped + 2} passed, 0 failed" in tested.stdout

    data = check_repo(repo, "2026-11-23")
    met = the_finding(data, rule="LOCAL-court.any", subject="court action 2026-06-10")
    assert (met["status"], met["due"], met["done"]) == ("met", "2026-06-15", "2026-06-12")
    overdue = the_finding(data, rule="LOCAL-court.any", subject="court action 2026-10-01")
    assert (overdue["status"], overdue["due"]) == ("overdue", "2026-10-05")  # Sun 10-04 rolls to Monday
    assert overdue["responsible"] == ["c.ames"] and overdue["authority"] == "assumed"
    assert overdue["source"] == "Concord district office practice memo 2026-01"
    # The shipped CPSW-I.B does not apply to these court actions: the local rule is the only duty.
    assert {f["status"] for f in findings_of(data, rule="CPSW-I.B")} == {"n/a"}
    # --rule selects it like any shipped rule.
    only = report("check", repo, "--as-of", "2026-11-23", "--format", "json", "--rule", "LOCAL-*", expect_rc=1)
    assert {f["rule"] for f in only["findings"]} == {"LOCAL-court.any"}

    # The same cases with the shipped rules: no such duty.
    shipped_repo = write_repo(tmp_path / "shipped", {"concord/CON-2026-0201.yaml": COURT_CASE})
    assert findings_of(check_repo(shipped_repo, "2026-11-23"), rule="LOCAL-court.any") == []


# --- Broken rule files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "old", "new", "message", "column"),
    [
        ("cpsw/CPSW-I.A.1.yaml", "when: first\n", "when: frist\n", "unknown name 'frist'", 7),
        ("cpsw/CPSW-I.A.2.yaml", "when: not first\n", "when: \"__import__('os')\"\n", "__import__", 7),
        ("cpsw/CPSW-I.B.yaml", "when: affects_permanency\n", "when: x[0]\n", "Subscript", 7),
        ("cpsw/CPSW-I.C.yaml", "deadline: {kind: business_days_before,", "deadline: {kind: fortnightly,", "fortnightly", None),
        ("cpsw/CPSW-I.C.yaml", "n: screen_business_days}", "n: court_action_notice}", "not a whole number", None),
    ],
)
def test_a_broken_rule_file_is_a_problem_with_file_line_and_column(tmp_path: Path, file: str, old: str, new: str, message: str, column: int | None) -> None:
    repo, rules = custom_repo(tmp_path, {"concord/CON-2026-0201.yaml": COURT_CASE})
    line = edit(rules / file, old, new)

    for command in (("rules", "test", "--repo", repo), ("rules", "list", "--repo", repo)):
        result = ppt(*command)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        where = re.search(rf"^(\S*{re.escape(file)}):(\d+):(\d+): error: (.*)$", result.stderr, re.MULTILINE)
        assert where, result.stderr
        assert int(where.group(2)) == line
        assert column is None or int(where.group(3)) == column
        assert int(where.group(3)) >= 1
        assert message in where.group(4)

    # `ppt check` reports the problem, exits 2, and still evaluates the other rules.
    data = report("check", repo, "--as-of", "2026-11-23", "--format", "json", "--all", expect_rc=2)
    problems = [p for p in data["problems"] if p["file"].endswith(file)]
    assert problems and problems[0]["line"] == line and message in problems[0]["message"]
    broken = file.split("/")[1].removesuffix(".yaml")
    rules_seen = {f["rule"] for f in data["findings"]}
    assert broken not in rules_seen
    assert "CPSW-I.F" in rules_seen and "POL-1625.goals" in rules_seen


def test_a_rule_problem_in_a_report_names_a_file_one_can_open(tmp_path: Path) -> None:
    """SPEC 7: a problem's `file` is relative to the repository root, as for case files; a
    CI annotation or an editor jump from the JSON must land on the broken rule file (here in
    the repository's own `myrules/`, the README's way; an absolute path would do as well)."""
    repo, rules = custom_repo(tmp_path, {"concord/CON-2026-0201.yaml": COURT_CASE}, inside=True)
    line = edit(rules / "cpsw" / "CPSW-I.A.1.yaml", "when: first\n", "when: frist\n")
    data = report("check", repo, "--as-of", "2026-11-23", "--format", "json", expect_rc=2)
    problems = [p for p in data["problems"] if "frist" in p["message"]]
    assert len(problems) == 1 and problems[0]["line"] == line
    named = Path(problems[0]["file"])
    assert (repo / named).resolve() == (rules / "cpsw" / "CPSW-I.A.1.yaml").resolve(), named


VERSION_1 = """\
id: CPSW-I.C
title: Complete page 1 of the PPT screen
source: {document: CPSW PPT SOP, section: I.C, quote: "at least 5 business days prior to a PPT meeting"}
authority: sop
worker: cpsw
programs: [cps, joint]
effective_to: 2026-06-30
for_each: meetings
when: status != 'cancelled'
trigger: date
deadline: {kind: business_days_before, n: 5}
evidence: screen_completed
evidence_names: [page 1 of the PPT screen]
"""
VERSION_2 = VERSION_1.replace("effective_to: 2026-06-30", "effective_from: 2026-07-01").replace("n: 5}", "n: 10}").replace("at least 5", "at least 10")

MEETINGS_CASE = """\
id: CON-2026-0301
program: cps
office: concord
child: {name: "A. B.", born: 2014-04-01}
team: {cpsw: c.ames}
placements: [{date: 2026-01-05, notified_ppt: 2026-01-05}]
meetings:
  - {date: 2026-03-16, status: held, screen_completed: 2026-03-09}
  - {date: 2026-09-21, status: held, screen_completed: 2026-09-04}
"""


def test_the_version_in_force_on_the_trigger_date_applies(tmp_path: Path) -> None:
    repo, rules = custom_repo(tmp_path, {"concord/CON-2026-0301.yaml": MEETINGS_CASE})
    (rules / "cpsw" / "CPSW-I.C.yaml").unlink()
    (rules / "cpsw" / "CPSW-I.C.v1.yaml").write_text(VERSION_1, encoding="utf-8")
    (rules / "cpsw" / "CPSW-I.C.v2.yaml").write_text(VERSION_2, encoding="utf-8")
    data = check_repo(repo, "2026-11-23")
    march = the_finding(data, rule="CPSW-I.C", subject="meeting 2026-03-16")
    assert (march["status"], march["due"]) == ("met", "2026-03-09")  # version 1: 5 business days
    september = the_finding(data, rule="CPSW-I.C", subject="meeting 2026-09-21")
    # version 2: 10 business days back from Mon 09-21, Labor Day (09-07) skipped
    assert (september["status"], september["due"]) == ("met", "2026-09-04")
    shown = ppt("rules", "show", "CPSW-I.C", "--repo", repo)
    assert shown.returncode == 0
    assert "to 2026-06-30" in shown.stdout and "effective: 2026-07-01" in shown.stdout


def test_overlapping_versions_are_a_problem(tmp_path: Path) -> None:
    repo, rules = custom_repo(tmp_path)
    (rules / "cpsw" / "CPSW-I.C.yaml").unlink()
    (rules / "cpsw" / "CPSW-I.C.v1.yaml").write_text(VERSION_1.replace("effective_to: 2026-06-30\n", ""), encoding="utf-8")
    (rules / "cpsw" / "CPSW-I.C.v2.yaml").write_text(VERSION_2, encoding="utf-8")
    result = ppt("rules", "test", "--repo", repo)
    assert result.returncode == 2
    where = re.search(r"^(\S+):(\d+):(\d+): error: (.*overlap.*)$", result.stderr, re.MULTILINE)
    assert where, result.stderr
    assert where.group(1).endswith("CPSW-I.C.v2.yaml") and int(where.group(2)) == 1  # where its `id:` is


def test_overlapping_versions_each_keep_their_own_words(tmp_path: Path) -> None:
    """Both versions of an overlap (reported, as above) are evaluated; each finding must
    carry the quote of the version it is of, not of the first one in force that day."""
    import datetime as dt

    from pptcli import core

    repo, rules = custom_repo(tmp_path, {"concord/CON-2026-0301.yaml": MEETINGS_CASE})
    (rules / "cpsw" / "CPSW-I.C.yaml").unlink()
    (rules / "cpsw" / "CPSW-I.C.v1.yaml").write_text(VERSION_1.replace("effective_to: 2026-06-30\n", ""), encoding="utf-8")
    (rules / "cpsw" / "CPSW-I.C.v2.yaml").write_text(VERSION_2, encoding="utf-8")
    evaluated = core.evaluate_repository(repo, dt.date(2026, 11, 23))
    september = [f for f in evaluated.findings if f.rule == "CPSW-I.C" and f.subject == "meeting 2026-09-21"]
    assert sorted((f.quote, f.due) for f in september) == [
        ("at least 10 business days prior to a PPT meeting", dt.date(2026, 9, 4)),
        ("at least 5 business days prior to a PPT meeting", dt.date(2026, 9, 14)),
    ]


def test_a_rule_defined_twice_keeps_the_first_files_expressions(tmp_path: Path) -> None:
    """The second file of one rule id and version is a problem and is left out, with all of
    its expressions: the rule kept must not evaluate the other file's `when`."""
    repo, rules = custom_repo(tmp_path, {"concord/CON-2026-0301.yaml": MEETINGS_CASE})
    copy = (rules / "cpsw" / "CPSW-I.A.1.yaml").read_text(encoding="utf-8").replace("when: first\n", "when: not first\n")
    (rules / "cpsw" / "zz-copy-of-CPSW-I.A.1.yaml").write_text(copy, encoding="utf-8")
    data = report("check", repo, "--as-of", "2026-11-23", "--format", "json", "--all", expect_rc=2)
    assert len(data["problems"]) == 1, data["problems"]
    assert "rule CPSW-I.A.1 effective 2000-01-01 is also defined in" in data["problems"][0]["message"]
    assert the_finding(data, rule="CPSW-I.A.1", subject="placement 2026-01-05")["status"] == "met"


def test_a_wrong_example_fails_rules_test_by_name(tmp_path: Path) -> None:
    repo, rules = custom_repo(tmp_path)
    edit(rules / "cpsw" / "CPSW-I.C.yaml", "expect: [{status: met, due: 2026-11-19}]", "expect: [{status: met, due: 2026-11-20}]")
    result = ppt("rules", "test", "--repo", repo)
    assert result.returncode == 1
    assert "FAIL CPSW-I.C: for a meeting on the Monday after Thanksgiving the screen is due the Thursday before" in result.stdout
    assert "2026-11-20" in result.stdout and "2026-11-19" in result.stdout
    assert re.search(r"^\d+ passed, 1 failed$", result.stdout, re.MULTILINE)
    # The shipped rules are untouched by a repository's own folder.
    assert ppt("rules", "test").returncode == 0


def test_a_rules_folder_without_the_schedule_parameters_is_reported_not_a_crash(tmp_path: Path) -> None:
    """The engine reads the PPT schedule's parameters whatever the rules; a folder whose
    parameters.yaml is gone used to end every report in an internal error (KeyError)."""
    repo, rules = custom_repo(tmp_path, {"concord/CON-2026-0201.yaml": COURT_CASE}, inside=True)
    (rules / "parameters.yaml").unlink()
    result = ppt("check", repo, "--as-of", "2026-11-23")
    assert result.returncode == 2 and "internal error" not in result.stderr, result.stderr
    for name, default in (("first_ppt_days", 60), ("ppt_interval_months", 6), ("followup_days", 30)):
        assert f"myrules/parameters.yaml:0:0: error: parameter '{name}' is missing; the PPT schedule needs it, so the shipped default ({default}) is used" in result.stdout


def test_a_rules_folder_that_does_not_exist(tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "repo", {}, ppt_yaml=textwrap.dedent("rules: no-such-folder\n"))
    result = ppt("rules", "list", "--repo", repo)
    assert result.returncode == 2
    assert "no-such-folder" in result.stderr
