"""The loader's problems one by one (SPEC 3, issue 2 item 3): each with its file, exact line and
column, and a message a worker can act on. Small case files are written into a temporary
repository (ppt.yaml + staff.yaml + the case); positions are computed from the text written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import AS_OF, CASES, run_ppt
from pydantic import BaseModel

from pptcli.checks import _any_before, _dates
from pptcli.core import evaluate_repository
from pptcli.load import Repository, load_repository
from pptcli.problems import Problem
from pptcli.rules import load_rules

PPT_YAML = "# test repository\noffices: [concord, keene]\n"

STAFF_YAML = """\
staff:
  - {id: m.okafor, name: Marcus Okafor, role: supervisor, office: concord}
  - {id: r.singh, name: Rupinder Singh, role: supervisor, office: concord}
  - {id: c.rivera, name: Carmen Rivera, role: cpsw, office: concord, supervisor: m.okafor}
  - {id: d.walsh, name: Dana Walsh, role: jppo, office: concord, supervisor: r.singh}
  - {id: t.nguyen, name: Thanh Nguyen, role: permanency_cpsw, office: concord}
  - {id: p.lavoie, name: Paulette Lavoie, role: permanency_jppo, office: concord}
"""

CASE_FILE = "concord/CON-2026-0001.yaml"

# A small, valid CPS case. Every test below changes one thing in it.
GOOD = """\
# A. B. -- a small case for the loader tests
id: CON-2026-0001
program: cps
office: concord
child: {name: "A. B.", born: 2012-05-14}
team:
  cpsw: c.rivera
  permanency_cpsw: t.nguyen
placements:
  - date: 2026-01-12
    provider: "Foster home (Smith)"
    affects_ppt_schedule: true
    notified_ppt: 2026-01-12
factors:
  - {factor: substance_abuse, identified: 2026-02-02, advised: 2026-02-03}
meetings:
  - date: 2026-03-05
    status: held
    attendees: [c.rivera, t.nguyen]
    discussed: [case_plan_progress, connections, barriers]
    tasks:
      - {task: "Home study of maternal aunt", owner: t.nguyen, due: 2026-03-20, done: 2026-03-18}
"""

JJS = """\
id: CON-2026-0002
program: jjs
office: concord
child: {name: "C. D.", born: 2010-03-01}
team:
  jppo: d.walsh
  permanency_jppo: p.lavoie
placements:
  - {date: 2026-02-02, notified_ppt: 2026-02-02}
"""

DUTIES = load_rules().duties()


# --- helpers --------------------------------------------------------------------------------


def edit(text: str, old: str, new: str) -> str:
    """`text` with the one occurrence of `old` replaced (the edit must be unambiguous)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def where(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based line and column of the `occurrence`-th `needle` in `text`."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def make_repo(tmp_path: Path, cases: dict[str, str], *, ppt: str = PPT_YAML, staff: str | None = STAFF_YAML) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "ppt.yaml").write_text(ppt, encoding="utf-8")
    if staff is not None:
        (root / "staff.yaml").write_text(staff, encoding="utf-8")
    for rel, text in cases.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def load(root: Path) -> Repository:
    return load_repository(root, rules=DUTIES)


def problems_of(tmp_path: Path, text: str, rel: str = CASE_FILE) -> list[Problem]:
    """Problems of a repository holding one case file; the bad case must not be loaded."""
    repo = load(make_repo(tmp_path, {rel: text}))
    assert repo.cases == (), "a case with problems was handed to evaluation"
    return list(repo.problems)


def only_problem(tmp_path: Path, text: str, rel: str = CASE_FILE) -> Problem:
    problems = problems_of(tmp_path, text, rel)
    assert len(problems) == 1, problems
    assert problems[0].file == rel
    return problems[0]


def assert_at(problem: Problem, text: str, needle: str, fragment: str, occurrence: int = 1) -> None:
    assert (problem.line, problem.column) == where(text, needle, occurrence), problem
    assert fragment in problem.message, problem


# --- the baseline ---------------------------------------------------------------------------


def test_the_baseline_case_loads_without_problems(tmp_path: Path) -> None:
    repo = load(make_repo(tmp_path, {CASE_FILE: GOOD, "concord/CON-2026-0002.yaml": JJS}))
    assert repo.problems == ()
    assert sorted(c.case.id for c in repo.cases) == ["CON-2026-0001", "CON-2026-0002"]
    loaded = next(c for c in repo.cases if c.case.id == "CON-2026-0001")
    assert loaded.file == CASE_FILE
    assert loaded.case.placements[0].notified_ppt == dt.date(2026, 1, 12)


# --- YAML -----------------------------------------------------------------------------------


def test_yaml_syntax_error_is_located_at_the_offending_character(tmp_path: Path) -> None:
    text = edit(GOOD, "office: concord\n", "office: concord: keene\n")
    problem = only_problem(tmp_path, text)
    line, _ = where(text, "office: concord: keene")
    col = text.splitlines()[line - 1].index(": keene") + 1
    assert (problem.line, problem.column) == (line, col)
    assert "invalid YAML" in problem.message


def test_unclosed_flow_mapping_names_where_it_was_opened(tmp_path: Path) -> None:
    text = edit(GOOD, 'child: {name: "A. B.", born: 2012-05-14}\n', 'child: {name: "A. B.", born: 2012-05-14\n')
    problem = only_problem(tmp_path, text)
    open_line, open_col = where(text, "{name")
    assert problem.line > open_line
    assert f"opened at line {open_line}, column {open_col}" in problem.message


def test_duplicate_key_in_one_mapping_is_reported_at_the_second_key(tmp_path: Path) -> None:
    text = edit(GOOD, "program: cps\n", "program: cps\noffice: keene\n")
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, "office:", 'duplicate key "office"', occurrence=2)


def test_duplicate_key_in_a_nested_mapping(tmp_path: Path) -> None:
    text = edit(GOOD, "    notified_ppt: 2026-01-12\n", "    notified_ppt: 2026-01-12\n    notified_ppt: 2026-01-13\n")
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, "notified_ppt:", 'duplicate key "notified_ppt"', occurrence=2)


def test_tab_indentation_is_reported_at_the_tab(tmp_path: Path) -> None:
    text = edit(GOOD, "  permanency_cpsw: t.nguyen\n", "\tpermanency_cpsw: t.nguyen\n")
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, "\tpermanency_cpsw", "tab")


def test_git_conflict_markers_are_reported_at_the_first_marker(tmp_path: Path) -> None:
    text = edit(
        GOOD,
        "office: concord\n",
        "<<<<<<< HEAD\noffice: concord\n=======\noffice: keene\n>>>>>>> transfer-to-keene\n",
    )
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, "<<<<<<<", "conflict marker")


def test_an_empty_file_is_a_problem(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, "")
    assert (problem.line, problem.column) == (1, 1)
    assert "empty" in problem.message


def test_a_file_of_comments_only_is_empty(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, "# nothing here yet\n")
    assert (problem.line, problem.column) == (1, 1)
    assert "empty" in problem.message


def test_a_file_that_is_a_list_is_a_problem(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, "- id: CON-2026-0001\n- id: CON-2026-0002\n")
    assert (problem.line, problem.column) == (1, 1)
    assert "expected a mapping" in problem.message
    assert "list" in problem.message


@pytest.mark.parametrize(("text", "shown"), [("just some notes\n", '"just some notes"'), ("42\n", "42")])
def test_a_file_that_is_a_scalar_is_a_problem_in_plain_english(tmp_path: Path, text: str, shown: str) -> None:
    problem = only_problem(tmp_path, text)
    assert (problem.line, problem.column) == (1, 1)
    assert "expected a mapping" in problem.message
    assert shown in problem.message
    assert " a the " not in problem.message, problem.message  # "the file is a the text ..." is not English


def test_a_mapping_alias_is_refused(tmp_path: Path) -> None:
    text = edit(
        GOOD,
        "    notified_ppt: 2026-01-12\n",
        "    notified_ppt: 2026-01-12\n  - &again {date: 2026-02-09, notified_ppt: 2026-02-10}\n  - *again\n",
    )
    problem = only_problem(tmp_path, text)
    assert "anchors and aliases are not allowed" in problem.message
    assert (problem.line, problem.column) in {where(text, "&again"), where(text, "*again")}


def test_a_scalar_alias_is_refused_too(tmp_path: Path) -> None:
    text = edit(GOOD, "  - date: 2026-01-12\n", "  - date: &placed 2026-01-12\n")
    text = edit(text, "    notified_ppt: 2026-01-12\n", "    notified_ppt: *placed\n")
    problem = only_problem(tmp_path, text)
    assert "anchors and aliases are not allowed" in problem.message
    assert (problem.line, problem.column) in {where(text, "&placed"), where(text, "*placed")}


# --- schema: keys, types, enumerations, dates -----------------------------------------------


def test_misspelled_key_is_reported_at_the_key_with_a_suggestion(tmp_path: Path) -> None:
    text = edit(GOOD, "    notified_ppt: 2026-01-12\n", "    notifed_ppt: 2026-01-12\n")
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, "notifed_ppt", 'unknown key "notifed_ppt"; did you mean "notified_ppt"?')


def test_unknown_top_level_key_is_reported(tmp_path: Path) -> None:
    text = GOOD + "caseworker_notes: call the aunt\n"
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, "caseworker_notes", 'unknown key "caseworker_notes"')


def test_impossible_date_is_reported_at_the_value(tmp_path: Path) -> None:
    text = edit(GOOD, "  - date: 2026-01-12\n", "  - date: 2026-02-30\n")
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, "2026-02-30", '"2026-02-30" is not a real date')
    assert "placements[0].date" in problem.message


def test_date_written_as_a_number_is_reported(tmp_path: Path) -> None:
    text = edit(GOOD, "born: 2012-05-14", "born: 20120514")
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, "20120514", "YYYY-MM-DD")
    assert "number" in problem.message


@pytest.mark.parametrize("stamp", ["2026-01-12 09:30:00", "2026-01-12T09:30:00"])
def test_date_with_a_time_is_reported(tmp_path: Path, stamp: str) -> None:
    text = edit(GOOD, "    notified_ppt: 2026-01-12\n", f"    notified_ppt: {stamp}\n")
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, stamp, "without a time")


def test_date_in_another_format_is_reported(tmp_path: Path) -> None:
    text = edit(GOOD, "    notified_ppt: 2026-01-12\n", "    notified_ppt: 01/12/2026\n")
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, "01/12/2026", "YYYY-MM-DD")


def test_list_where_a_mapping_is_expected(tmp_path: Path) -> None:
    text = edit(GOOD, 'child: {name: "A. B.", born: 2012-05-14}', 'child: ["A. B.", 2012-05-14]')
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, '["A. B."', "expected a mapping")
    assert problem.message.startswith("child:")


def test_mapping_where_a_list_is_expected(tmp_path: Path) -> None:
    text = edit(GOOD, "    attendees: [c.rivera, t.nguyen]\n", "    attendees: {cpsw: c.rivera}\n")
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, "{cpsw: c.rivera}", "expected a list")


def test_text_where_a_boolean_is_expected(tmp_path: Path) -> None:
    # YAML 1.2: `yes` is text, not true. A worker who writes it must be told.
    text = edit(GOOD, "    affects_ppt_schedule: true\n", "    affects_ppt_schedule: yes\n")
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, "yes", "expected true or false")
    assert "placements[0].affects_ppt_schedule" in problem.message


def test_program_not_in_the_enumeration(tmp_path: Path) -> None:
    text = edit(GOOD, "program: cps\n", "program: cpsw\n")
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, "cpsw\n", '"cpsw" is not one of')
    for allowed in ("cps", "jjs", "joint"):
        assert f"'{allowed}'" in problem.message


def test_meeting_topic_not_in_the_enumeration(tmp_path: Path) -> None:
    text = edit(GOOD, "discussed: [case_plan_progress, connections, barriers]", "discussed: [case_plan_progress, conections, barriers]")
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, "conections", '"conections" is not one of')
    assert "meetings[0].discussed[1]" in problem.message


def test_missing_required_top_level_key_is_reported_at_the_mapping(tmp_path: Path) -> None:
    text = edit(GOOD, "program: cps\n", "")
    problem = only_problem(tmp_path, text)
    assert (problem.line, problem.column) == where(text, "id: CON")  # the document's mapping starts there
    assert 'missing required key "program"' in problem.message


def test_missing_required_nested_key_is_reported_at_its_parent(tmp_path: Path) -> None:
    text = edit(GOOD, 'child: {name: "A. B.", born: 2012-05-14}', 'child: {name: "A. B."}')
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, '{name: "A. B."}', 'child: missing required key "born"')


def test_missing_key_in_a_list_item_is_reported_at_the_item(tmp_path: Path) -> None:
    text = edit(GOOD, "  - {factor: substance_abuse, identified: 2026-02-02, advised: 2026-02-03}", "  - {factor: substance_abuse, advised: 2026-02-03}")
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, "{factor: substance_abuse", 'missing required key "identified"')


def test_every_schema_problem_of_one_file_is_reported_together(tmp_path: Path) -> None:
    text = edit(GOOD, "    notified_ppt: 2026-01-12\n", "    notifed_ppt: 2026-01-12\n")
    text = edit(text, "identified: 2026-02-02", "identified: 2026-02-30")
    text = edit(text, "program: cps\n", "program: cpss\n")
    problems = problems_of(tmp_path, text)
    assert [(p.line, p.column) for p in problems] == sorted([where(text, "cpss"), where(text, "notifed_ppt"), where(text, "2026-02-30")])


# --- cross-record checks (the end of SPEC 3) -------------------------------------------------


def test_duplicate_case_id_is_reported_in_the_second_file_naming_the_first(tmp_path: Path) -> None:
    second = edit(GOOD, "office: concord\n", "office: keene\n")
    repo = load(make_repo(tmp_path, {CASE_FILE: GOOD, "keene/KEE-2026-0001.yaml": second}))
    assert len(repo.problems) == 1, repo.problems
    problem = repo.problems[0]
    assert problem.file == "keene/KEE-2026-0001.yaml"
    assert_at(problem, second, "CON-2026-0001", f'case id "CON-2026-0001" is also used by {CASE_FILE}')
    assert [c.file for c in repo.cases] == [CASE_FILE]


def test_unknown_staff_id_in_a_team_slot_has_a_suggestion(tmp_path: Path) -> None:
    text = edit(GOOD, "  cpsw: c.rivera\n", "  cpsw: c.riviera\n")
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, "c.riviera", 'unknown staff id "c.riviera"; did you mean "c.rivera"?')


def test_unknown_staff_id_among_attendees(tmp_path: Path) -> None:
    text = edit(GOOD, "attendees: [c.rivera, t.nguyen]", "attendees: [c.rivera, t.nguyn]")
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, "t.nguyn", 'unknown staff id "t.nguyn"; did you mean "t.nguyen"?')


def test_unknown_task_owner(tmp_path: Path) -> None:
    text = edit(GOOD, "owner: t.nguyen", "owner: x.nobody")
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, "x.nobody", 'unknown staff id "x.nobody"')


def test_staff_with_the_wrong_role_in_a_team_slot(tmp_path: Path) -> None:
    text = edit(GOOD, "  permanency_cpsw: t.nguyen\n", "  permanency_cpsw: m.okafor\n")
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, "m.okafor", '"m.okafor" is a supervisor')
    assert "team.permanency_cpsw needs a permanency_cpsw" in problem.message


def test_a_jppo_in_the_cpsw_slot_is_the_wrong_role(tmp_path: Path) -> None:
    text = edit(GOOD, "  cpsw: c.rivera\n", "  cpsw: d.walsh\n")
    problems = problems_of(tmp_path, text)
    at_slot = [p for p in problems if (p.line, p.column) == where(text, "d.walsh")]
    assert len(at_slot) == 1, problems
    assert '"d.walsh" is a jppo' in at_slot[0].message


def test_cps_case_without_a_cpsw(tmp_path: Path) -> None:
    text = edit(GOOD, "  cpsw: c.rivera\n", "")
    text = edit(text, "attendees: [c.rivera, t.nguyen]", "attendees: [t.nguyen]")
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, "team:", "a cps case needs team.cpsw")


def test_jjs_case_without_a_jppo(tmp_path: Path) -> None:
    text = edit(JJS, "  jppo: d.walsh\n", "")
    problem = only_problem(tmp_path, text, "concord/CON-2026-0002.yaml")
    assert_at(problem, text, "team:", "a jjs case needs team.jppo")


def test_joint_case_without_either_worker(tmp_path: Path) -> None:
    text = edit(JJS, "program: jjs\n", "program: joint\n")
    text = edit(text, "  jppo: d.walsh\n", "")
    problems = problems_of(tmp_path, text, "concord/CON-2026-0002.yaml")
    assert len(problems) == 2, problems
    assert {(p.line, p.column) for p in problems} == {where(text, "team:")}
    assert sorted(p.message for p in problems) == ["a joint case needs team.cpsw", "a joint case needs team.jppo"]


def test_joint_case_with_both_workers_is_valid(tmp_path: Path) -> None:
    text = edit(JJS, "program: jjs\n", "program: joint\n")
    text = edit(text, "  jppo: d.walsh\n", "  jppo: d.walsh\n  cpsw: c.rivera\n  permanency_cpsw: t.nguyen\n")
    repo = load(make_repo(tmp_path, {"concord/CON-2026-0002.yaml": text}))
    assert repo.problems == ()
    assert [c.case.id for c in repo.cases] == ["CON-2026-0002"]


def test_a_date_before_the_childs_birth(tmp_path: Path) -> None:
    text = edit(GOOD, "  - date: 2026-01-12\n", "  - date: 2011-12-01\n")
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, "2011-12-01", "2011-12-01 is before the child's birth (2012-05-14)")


def test_every_date_before_birth_is_reported_at_its_own_position(tmp_path: Path) -> None:
    """Two dates of one record in a list, each found by the walk over the case and reported
    where it stands."""
    text = edit(GOOD, "  - date: 2026-01-12\n", "  - date: 2011-12-01\n")
    text = edit(text, "    notified_ppt: 2026-01-12\n", "    notified_ppt: 2011-12-02\n")
    problems = problems_of(tmp_path, text)
    before = [p for p in problems if "before the child's birth" in p.message]
    assert [p.message.split()[0] for p in before] == ["2011-12-01", "2011-12-02"]
    assert [(p.line, p.column) for p in before] == [where(text, "2011-12-01"), where(text, "2011-12-02")]


def test_the_date_walk_asks_only_fields_that_can_hold_a_date() -> None:
    """checks._dates skips the fields whose type cannot hold a date (names, flags, text):
    over every demonstration case it finds, in the same order, each date that a walk of
    every field finds."""

    def every(node: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], dt.date]]:
        if isinstance(node, dt.date):
            yield path, node
        elif isinstance(node, BaseModel):
            for name in type(node).model_fields:
                yield from every(getattr(node, name), (*path, name))
        elif isinstance(node, tuple):
            for i, value in enumerate(node):
                yield from every(value, (*path, i))

    repo = load_repository(CASES)
    assert len(repo.cases) > 10 and repo.problems == ()
    dated = 0
    for loaded in repo.cases:
        found = _dates(loaded.case, ())
        assert found == list(every(loaded.case, ())), loaded.file
        dated += len(found)
    assert dated > 20 * len(repo.cases)


def test_the_quick_walk_finds_a_date_before_birth_when_the_full_walk_does() -> None:
    """checks._any_before, which spares the walk with paths when no date is before birth,
    answers as that walk does: over every demonstration case with the child born on each
    of its dates, a day either side, and never."""
    repo = load_repository(CASES)
    for loaded in repo.cases:
        days = [day for _, day in _dates(loaded.case, ())]
        for born in {*days, *(d + dt.timedelta(days=k) for d in days for k in (-1, 1)), dt.date.min, dt.date.max}:
            assert _any_before(loaded.case, born) == any(day < born for day in days), (loaded.file, born)


def test_notified_ppt_before_the_placement(tmp_path: Path) -> None:
    text = edit(GOOD, "    notified_ppt: 2026-01-12\n", "    notified_ppt: 2026-01-10\n")
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, "2026-01-10", "notified_ppt 2026-01-10 is before the date 2026-01-12")


def test_task_done_before_its_meeting(tmp_path: Path) -> None:
    text = edit(GOOD, "done: 2026-03-18", "done: 2026-03-01")
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, "2026-03-01", "done 2026-03-01 is before the meeting 2026-03-05")


def test_factor_advised_before_identified(tmp_path: Path) -> None:
    text = edit(GOOD, "advised: 2026-02-03", "advised: 2026-02-01")
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, "2026-02-01", "advised 2026-02-01 is before the identified 2026-02-02")


def test_office_not_in_ppt_yaml(tmp_path: Path) -> None:
    text = edit(GOOD, "office: concord\n", "office: concrd\n")
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, "concrd", 'office "concrd" is not in ppt.yaml offices; did you mean "concord"?')


WAIVER = """\
waivers:
  - rule: {rule}
    subject: meeting 2026-03-05
    reason: "Worker on emergency leave"
    approved_by: {approver}
    approved: 2026-03-02
"""


def test_waiver_naming_an_unknown_rule(tmp_path: Path) -> None:
    text = GOOD + WAIVER.format(rule="CPSW-I.Z", approver="m.okafor")
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, "CPSW-I.Z", 'waiver names unknown rule "CPSW-I.Z"')


def test_waiver_approved_by_the_responsible_worker_is_refused(tmp_path: Path) -> None:
    text = GOOD + WAIVER.format(rule="CPSW-I.C", approver="c.rivera")
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, "c.rivera\n    approved:", '"c.rivera" is responsible for CPSW-I.C')
    assert "cannot approve its own waiver" in problem.message


def test_waiver_of_a_supervisor_duty_approved_by_that_supervisor_is_refused(tmp_path: Path) -> None:
    # team.cpsw_supervisor is not written: the supervisor comes from staff.yaml (c.rivera -> m.okafor)
    text = GOOD + WAIVER.format(rule="CPSW-II.B", approver="m.okafor")
    problem = only_problem(tmp_path, text)
    assert_at(problem, text, "m.okafor\n    approved:", '"m.okafor" is responsible for CPSW-II.B')


def test_jppo_waiver_approved_by_the_jppo_is_refused(tmp_path: Path) -> None:
    text = JJS + WAIVER.format(rule="JPPO-I.B", approver="d.walsh")
    problem = only_problem(tmp_path, text, "concord/CON-2026-0002.yaml")
    assert (problem.line, problem.column) == where(text, "d.walsh\n    approved:")
    assert '"d.walsh" is responsible for JPPO-I.B' in problem.message


@pytest.mark.parametrize(("rule", "approver"), [("CPSW-I.C", "m.okafor"), ("CPSW-II.B", "r.singh")])
def test_waiver_approved_by_someone_else_is_accepted(tmp_path: Path, rule: str, approver: str) -> None:
    text = GOOD + WAIVER.format(rule=rule, approver=approver)
    repo = load(make_repo(tmp_path, {CASE_FILE: text}))
    assert repo.problems == ()
    assert [c.case.waivers[0].approved_by for c in repo.cases] == [approver]


# --- many files, one run ----------------------------------------------------------------------


BAD_FILES = {
    "concord/a-syntax.yaml": edit(GOOD, "office: concord\n", "office: concord: keene\n").replace("CON-2026-0001", "CON-2026-0011"),
    "concord/b-key.yaml": edit(GOOD, "    notified_ppt: 2026-01-12\n", "    notifed_ppt: 2026-01-12\n").replace("CON-2026-0001", "CON-2026-0012"),
    "keene/c-date.yaml": edit(GOOD, "  - date: 2026-01-12\n", "  - date: 2026-02-30\n").replace("CON-2026-0001", "CON-2026-0013"),
    "keene/deeper/d-staff.yaml": edit(GOOD, "  cpsw: c.rivera\n", "  cpsw: c.riviera\n").replace("CON-2026-0001", "CON-2026-0014"),
    "keene/e-empty.yaml": "",
}
BAD_AT = {
    "concord/a-syntax.yaml": ": keene",
    "concord/b-key.yaml": "notifed_ppt",
    "keene/c-date.yaml": "2026-02-30",
    "keene/deeper/d-staff.yaml": "c.riviera",
}


def test_every_bad_file_is_reported_in_one_run_and_the_good_one_still_loads(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {CASE_FILE: GOOD, **BAD_FILES})
    repo = load(root)
    assert [c.case.id for c in repo.cases] == ["CON-2026-0001"]
    assert sorted({p.file for p in repo.problems}) == sorted(BAD_FILES)
    for rel, needle in BAD_AT.items():
        found = [(p.line, p.column) for p in repo.problems if p.file == rel]
        assert found == [where(BAD_FILES[rel], needle)], (rel, found)


def test_evaluation_goes_on_for_the_good_case_beside_bad_files(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {CASE_FILE: GOOD, **BAD_FILES})
    evaluated = evaluate_repository(root, dt.date.fromisoformat(AS_OF))
    assert {p.file for p in evaluated.problems} == set(BAD_FILES)
    assert evaluated.findings, "the good case was not evaluated"
    assert {f.case for f in evaluated.findings} == {"CON-2026-0001"}
    notice = [f for f in evaluated.findings if f.rule == "CPSW-I.A.1"]
    assert [(f.status.value, f.file) for f in notice] == [("met", CASE_FILE)]


def test_settings_files_and_hidden_folders_are_not_case_files(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {CASE_FILE: GOOD, ".drafts/broken.yaml": "id: [\n", "notes.txt": "id: ["})
    (root / "calendar.yaml").write_text("closures: []\n", encoding="utf-8")
    repo = load(root)
    assert repo.problems == ()
    assert [c.file for c in repo.cases] == [CASE_FILE]


# --- the same problems through the real CLI --------------------------------------------------


CLI_CASES = {
    "misspelled key": ("    notified_ppt: 2026-01-12\n", "    notifed_ppt: 2026-01-12\n", "notifed_ppt", 'did you mean "notified_ppt"?'),
    "impossible date": ("  - date: 2026-01-12\n", "  - date: 2026-02-30\n", "2026-02-30", "is not a real date"),
    "unknown staff": ("  cpsw: c.rivera\n", "  cpsw: c.riviera\n", "c.riviera", 'did you mean "c.rivera"?'),
    "syntax error": ("office: concord\n", "office: concord: keene\n", ": keene", "invalid YAML"),
    "wrong role": ("  permanency_cpsw: t.nguyen\n", "  permanency_cpsw: m.okafor\n", "m.okafor", "is a supervisor"),
    "refused waiver": ("program: cps\n", "program: cps\n" + WAIVER.format(rule="CPSW-I.C", approver="c.rivera"), "c.rivera\n    approved:", "cannot approve its own waiver"),
}


@pytest.mark.parametrize("name", CLI_CASES)
def test_validate_prints_the_problem_at_its_line_and_column(tmp_path: Path, name: str) -> None:
    old, new, needle, fragment = CLI_CASES[name]
    text = edit(GOOD, old, new)
    root = make_repo(tmp_path, {CASE_FILE: text, "concord/CON-2026-0002.yaml": JJS})
    result = run_ppt("validate", "--as-of", AS_OF, cwd=root)
    assert result.returncode == 2, result
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    line, col = where(text, needle)
    assert lines[0].startswith(f"{CASE_FILE}:{line}:{col}: error: "), lines[0]
    assert fragment in lines[0]
    assert "1 valid case file" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def _walked(root: Path, under: Path, skip: frozenset[Path]) -> list[tuple[str, bool]]:
    """The case files as the walk found them before it listed folders itself: os.walk,
    folders and files by name, an lstat for each file."""
    import os

    if under.is_file():
        return [(str(under), False)]
    found = []
    for folder, dirs, files in os.walk(under):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and here / d not in skip)
        for name in sorted(files):
            if name.startswith(".") or not name.endswith((".yaml", ".yml")):
                continue
            if here == root and name in ("ppt.yaml", "staff.yaml", "calendar.yaml"):
                continue
            found.append((str(here / name), (here / name).is_symlink()))
    return found


def test_case_files_are_found_in_os_walks_order(tmp_path: Path) -> None:
    """Files before folders, both by name (code points: B before a), links to folders not
    followed, links to files marked, hidden names, settings files at the root only and the
    rules folder left out: the same list as os.walk gives, in its order."""
    from pptcli.load import _case_names

    root = tmp_path / "repo"
    for rel in ("ppt.yaml", "staff.yaml", "b.yaml", "B.yml", "a.yaml.txt", ".hidden.yaml", "a/z.yaml",
                "a/ppt.yaml", "a/b/c.yaml", "a/b/.x/y.yaml", "a-b/x.yaml", "a.yaml", "A/q.yaml",
                "rules/r.yaml", ".drafts/d.yaml", "z/deep/er/still.yml"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("id: X\n", encoding="utf-8")
    (root / "a" / "link.yaml").symlink_to(root / "z" / "deep" / "er" / "still.yml")
    (root / "linked").symlink_to(root / "a", target_is_directory=True)
    (root / "a" / "dangling.yaml").symlink_to(root / "nowhere.yaml")
    skip = frozenset({root / "rules"})
    for under in (root, root / "a", root / "a" / "b.yaml", root / "a" / "z.yaml", root / "linked"):
        assert list(_case_names(root, under, skip)) == _walked(root, under.resolve(), skip), under
    names = [Path(n).relative_to(root).as_posix() for n, _ in _case_names(root, root, skip)]
    assert names == ["B.yml", "a.yaml", "b.yaml", "A/q.yaml", "a/dangling.yaml", "a/link.yaml", "a/ppt.yaml", "a/z.yaml",
                     "a/b/c.yaml", "a-b/x.yaml", "z/deep/er/still.yml"]
