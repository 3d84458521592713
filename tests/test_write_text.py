"""Every kind of write changes only the lines it adds (issue 5, "Done when" 1; SPEC 6).

A hand-written case file full of comments, odd quoting, flow mappings and blank lines gets
one record at a time through the real CLI; the whole new text must equal the old text with
exactly the expected lines added or changed (pre-commit's habit: compare the full text).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_ppt

AS_OF = "2026-09-01"
CASE = "CON-2026-0900"
ODD = """\
# Written by hand: comments, odd quoting, flow mappings and blank lines everywhere.
id: "CON-2026-0900"    # quoted id
program: cps
office: concord
child: { name: 'A. B.', born: 2015-03-01 }   # padded flow mapping, single quotes

team:   {cpsw: c.rivera, cpsw_supervisor: m.okafor, permanency_cpsw: t.nguyen, reunification_specialist: l.marchetti}

# placements, kept by hand
placements:
- {date: 2026-01-05, provider: 'Kin: grandmother', notified_ppt: 2026-01-05, notified_reunification_specialist: 2026-01-05}

-   date: 2026-06-01          # the second home
    provider: "Foster home ('Oak' house)"
    notified_ppt: 2026-06-02


meetings:
  - date: 2026-02-20
    kind: regular
    status: held
    screen_completed: 2026-02-12
    info_gathered: {parents: 2026-02-10, child: 2026-02-11, providers: 2026-02-11}
    attendees: [ c.rivera, t.nguyen ]
    discussed: [case_plan_progress, connections, barriers]
    tasks:
      - task: 'Dental check-up'
        owner: c.rivera
        due: 2026-03-15   # dentist booked

  - date: 2026-08-20
    kind:   regular
    status: scheduled
    requested_by: ~
    screen_completed: null

supervisor_followups:
  - 2026-03-20        # first

# end of file
"""

PLACEMENTS_END = """\
    notified_ppt: 2026-06-02

"""
MEETING_2 = """\
    requested_by: ~
    screen_completed: null
"""

# (command, the text it replaces, the text it puts there); the old text occurs exactly once.
WRITES = {
    "a placement change, notified": (
        ["notify-placement", CASE, "--date", "2026-08-28", "--notified", "2026-08-31", "--reunification-specialist", "2026-08-31"],
        PLACEMENTS_END,
        PLACEMENTS_END + "-   date: 2026-08-28\n    notified_ppt: 2026-08-31\n    notified_reunification_specialist: 2026-08-31\n\n",
    ),
    "notifications on an existing placement, keys in the model's order": (
        ["notify-placement", CASE, "--date", "2026-06-01", "--reunification-specialist", "2026-06-03", "--no-affects-ppt-schedule"],
        """    provider: "Foster home ('Oak' house)"\n    notified_ppt: 2026-06-02\n""",
        ("""    provider: "Foster home ('Oak' house)"\n    affects_ppt_schedule: false\n    notified_ppt: 2026-06-02\n"""
        """    notified_reunification_specialist: 2026-06-03\n"""),
    ),
    "a placement between two others, in flow style like its neighbour": (
        ["notify-placement", CASE, "--date", "2026-03-01", "--provider", "Respite: Ms. O'Hara", "--notified", "2026-03-01"],
        "notified_reunification_specialist: 2026-01-05}\n\n",
        ("notified_reunification_specialist: 2026-01-05}\n\n"
        """- {date: 2026-03-01, provider: "Respite: Ms. O'Hara", notified_ppt: 2026-03-01}\n\n"""),
    ),
    "a court action: the missing list is added after placements": (
        ["log", "court-action", CASE, "--date", "2026-04-01", "--action", "Adjudication: neglect found", "--no-affects-permanency"],
        PLACEMENTS_END,
        PLACEMENTS_END + 'court_actions:\n- date: 2026-04-01\n  action: "Adjudication: neglect found"\n  affects_permanency: false\n\n',
    ),
    "a factor": (
        ["log", "factor", CASE, "--factor", "medical", "--identified", "2026-07-01", "--advised", "2026-07-02"],
        PLACEMENTS_END,
        PLACEMENTS_END + "factors:\n- factor: medical\n  identified: 2026-07-01\n  advised: 2026-07-02\n\n",
    ),
    "early permanency": (
        ["log", "early-permanency", CASE, "--identified", "2026-07-10", "--consulted-supervisor", "2026-07-10"],
        PLACEMENTS_END,
        PLACEMENTS_END + "early_permanency:\n- identified: 2026-07-10\n  consulted_supervisor: 2026-07-10\n\n",
    ),
    "a workgroup request": (
        ["log", "workgroup", CASE, "--date", "2026-07-15", "--via-permanency-jppo", "--core-ppt-invited"],
        PLACEMENTS_END,
        PLACEMENTS_END + "workgroup_requests:\n- date: 2026-07-15\n  via_permanency_jppo: true\n  core_ppt_invited: true\n\n",
    ),
    "a special meeting scheduled": (
        ["log", "meeting", CASE, "--date", "2026-12-01", "--kind", "special", "--requested-by", "t.nguyen", "--requested", "2026-08-30"],
        MEETING_2,
        MEETING_2 + "\n  - date: 2026-12-01\n    kind: special\n    status: scheduled\n    requested_by: t.nguyen\n    requested: 2026-08-30\n",
    ),
    "a meeting held: status replaced, attendees and topics added": (
        ["log", "meeting-held", CASE, "--date", "2026-08-20", "--attendee", "c.rivera", "--attendee", "l.marchetti", "--topic", "prior_tasks", "--topic", "barriers"],
        "    status: scheduled\n" + MEETING_2,
        "    status: held\n" + MEETING_2 + "    attendees: [c.rivera, l.marchetti]\n    discussed: [prior_tasks, barriers]\n",
    ),
    "more topics, in the SOP's order, into a flow list": (
        ["log", "meeting-held", CASE, "--date", "2026-02-20", "--topic", "prior_tasks", "--topic", "other_needs", "--attendee", "m.okafor"],
        "    attendees: [ c.rivera, t.nguyen ]\n    discussed: [case_plan_progress, connections, barriers]\n",
        "    attendees: [ c.rivera, t.nguyen, m.okafor ]\n    discussed: [prior_tasks, case_plan_progress, connections, barriers, other_needs]\n",
    ),
    "a meeting cancelled": (
        ["log", "meeting-cancelled", CASE, "--date", "2026-08-20"],
        "    status: scheduled\n",
        "    status: cancelled\n",
    ),
    "the screen completed: `null` replaced in place": (
        ["log", "screen", CASE, "--meeting", "2026-08-20", "--screen-completed", "2026-08-12"],
        "    screen_completed: null\n",
        "    screen_completed: 2026-08-12\n",
    ),
    "information gathered: a new mapping": (
        ["log", "info", CASE, "--meeting", "2026-08-20", "--source", "parents", "--date", "2026-08-10"],
        MEETING_2,
        MEETING_2 + "    info_gathered: {parents: 2026-08-10}\n",
    ),
    "information not applicable: into a flow mapping": (
        ["log", "info", CASE, "--meeting", "2026-02-20", "--source", "casa_gal", "--not-applicable", "no CASA/GAL assigned"],
        "providers: 2026-02-11}",
        'providers: 2026-02-11, casa_gal: {not_applicable: "no CASA/GAL assigned"}}',
    ),
    "a task with quotes in its text: a new list, one task per line": (
        ["log", "task", CASE, "--meeting", "2026-08-20", "--task", 'Ask school for the "IEP"', "--owner", "t.nguyen"],
        MEETING_2,
        MEETING_2 + '    tasks:\n    - {task: "Ask school for the \\"IEP\\"", owner: t.nguyen}\n',
    ),
    "a task after a block-style task": (
        ["log", "task", CASE, "--meeting", "2026-02-20", "--task", "Eye exam", "--owner", "c.rivera", "--due", "2026-03-30"],
        "        due: 2026-03-15   # dentist booked\n",
        '        due: 2026-03-15   # dentist booked\n      - task: "Eye exam"\n        owner: c.rivera\n        due: 2026-03-30\n',
    ),
    "a task done, named by part of its text": (
        ["log", "task-done", CASE, "--meeting", "2026-02-20", "--task", "dental", "--done", "2026-03-10"],
        "        due: 2026-03-15   # dentist booked\n",
        "        due: 2026-03-15   # dentist booked\n        done: 2026-03-10\n",
    ),
    "a follow-up before the first: date order kept": (
        ["log", "followup", CASE, "--date", "2026-03-01"],
        "supervisor_followups:\n",
        "supervisor_followups:\n  - 2026-03-01\n",
    ),
    "a follow-up defaults to today (the as-of date)": (
        ["log", "followup", CASE],
        "  - 2026-03-20        # first\n",
        f"  - 2026-03-20        # first\n  - {AS_OF}\n",
    ),
    "a waiver: the missing list goes before the trailing comment": (
        ["log", "waiver", CASE, "--rule", "CPSW-I.D", "--subject", "meeting 2026-02-20", "--reason", "Provider unreachable",
         "--approved-by", "m.okafor", "--approved", "2026-02-19"],
        "  - 2026-03-20        # first\n\n",
        ("  - 2026-03-20        # first\n\nwaivers:\n- rule: CPSW-I.D\n  subject: \"meeting 2026-02-20\"\n  reason: \"Provider unreachable\"\n"
        "  approved_by: m.okafor\n  approved: 2026-02-19\n\n"),
    ),
    "the plan: a block mapping after the team": (
        ["log", "plan", CASE, "--goal", "reunification", "--concurrent-goal", "adoption", "--set", "2026-02-20",
         "--set-by", "c.rivera", "--set-by", "m.okafor", "--consulted", "t.nguyen", "--family-input"],
        "reunification_specialist: l.marchetti}\n\n",
        ("reunification_specialist: l.marchetti}\n\nplan:\n  goal: reunification\n  concurrent_goal: adoption\n  set: 2026-02-20\n"
        "  set_by: [c.rivera, m.okafor]\n  consulted: [t.nguyen]\n  family_input: true\n\n"),
    ),
    "permanency achieved": (
        ["log", "permanency", CASE, "--achieved", "2026-08-25", "--outcome", "reunification", "--ppt-updated", "2026-08-26"],
        "  - 2026-03-20        # first\n\n",
        "  - 2026-03-20        # first\n\npermanency:\n  achieved: 2026-08-25\n  outcome: reunification\n  ppt_updated: 2026-08-26\n\n",
    ),
}


@pytest.fixture
def odd_case(demo_repo: Path) -> Path:
    path = demo_repo / "concord" / f"{CASE}.yaml"
    path.write_text(ODD, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", list(WRITES))
def test_a_write_changes_only_its_own_lines(name: str, odd_case: Path) -> None:
    args, old, new = WRITES[name]
    assert ODD.count(old) == 1, f"the expected change is ambiguous: {old!r}"
    result = run_ppt(*args, "--as-of", AS_OF, cwd=odd_case.parent)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"recorded in {CASE}.yaml: "), result.stdout
    assert odd_case.read_text(encoding="utf-8") == ODD.replace(old, new)


def test_the_same_write_twice_records_nothing_new(odd_case: Path) -> None:
    args = ["log", "screen", CASE, "--meeting", "2026-08-20", "--screen-completed", "2026-08-12", "--as-of", AS_OF]
    assert run_ppt(*args, cwd=odd_case.parent).returncode == 0
    once = odd_case.read_bytes()
    again = run_ppt(*args, cwd=odd_case.parent)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("nothing new to record")
    assert odd_case.read_bytes() == once


def test_a_change_on_the_wednesday_before_thanksgiving_is_due_the_monday_after(demo_repo: Path) -> None:
    result = run_ppt("notify-placement", "CON-2026-0042", "--date", "2026-11-25", "--provider", "Foster home (Lee)",
                     "--as-of", "2026-11-30", cwd=demo_repo)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "recorded in concord/CON-2026-0042.yaml: placement change 2026-11-25, PPT notified 2026-11-30",
        "CPSW-I.A.2 met: due Mon 2026-11-30, notified Mon 2026-11-30",
        "CPSW-II.A open: due Mon 2026-11-30, nothing recorded yet",  # the Reunification Specialist is assigned
    ]


def test_the_tuesday_after_thanksgiving_is_one_business_day_late(demo_repo: Path) -> None:
    result = run_ppt("notify-placement", "CON-2026-0042", "--date", "2026-11-25", "--notified", "2026-12-01",
                     "--reunification-specialist", "2026-11-30", "--as-of", "2026-12-01", cwd=demo_repo)
    assert result.returncode == 0, result.stderr
    assert "CPSW-I.A.2 late: due Mon 2026-11-30, notified Tue 2026-12-01 (1 business day late)" in result.stdout
    assert "CPSW-II.A met: due Mon 2026-11-30, notified Mon 2026-11-30" in result.stdout


def test_a_followup_prints_the_obligation_it_answers_and_the_next_one_it_starts(demo_repo: Path) -> None:
    result = run_ppt("log", "followup", "CON-2026-0090", "--date", "2026-11-27", "--as-of", "2026-11-30", cwd=demo_repo)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "recorded in concord/CON-2026-0090.yaml: supervisor follow-up 2026-11-27",
        "CPSW-II.C met: due Thu 2026-12-03, followed up Fri 2026-11-27",
        "CPSW-II.C open: due Mon 2026-12-28, nothing recorded yet",  # 30 days on, a task still open
        "JPPO-III.C met: due Thu 2026-12-03, followed up Fri 2026-11-27",  # a joint case: both supervisors' duty
        "JPPO-III.C open: due Mon 2026-12-28, nothing recorded yet",
    ]


def test_the_first_placement_of_a_case_is_due_the_same_day(demo_repo: Path) -> None:
    case = demo_repo / "concord" / "CON-2026-0950.yaml"
    case.write_text("id: CON-2026-0950\nprogram: cps\noffice: concord\nchild: {name: \"E. F.\", born: 2016-07-04}\n"
                    "team: {cpsw: c.rivera}\n", encoding="utf-8")
    result = run_ppt("notify-placement", "CON-2026-0950", "--date", "2026-11-21", "--provider", "Foster home (Ames)",
                     "--notified", "2026-11-23", "--as-of", "2026-11-23", cwd=demo_repo)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        "recorded in concord/CON-2026-0950.yaml: placement 2026-11-21, PPT notified 2026-11-23",
        "CPSW-I.A.1 late: due Sat 2026-11-21, notified Mon 2026-11-23 (1 business day late)",
    ]
    assert case.read_text(encoding="utf-8").endswith(
        'team: {cpsw: c.rivera}\nplacements:\n  - date: 2026-11-21\n    provider: "Foster home (Ames)"\n    notified_ppt: 2026-11-23\n'
    )
