"""Worked scenarios, in the user's terms (issue 3 "Done when"; STYLE "Testing", habit 10).

Each scenario writes a small case repository inline (ppt.yaml, staff.yaml, the case files),
runs the real `ppt check --format json --all --as-of ...` and reads the finding a supervisor
would look at: its status, its due date and how many business days late it is.

The roster (helpers_check.STAFF_YAML): in Concord, CPSW c.ames (supervisor s.cole), JPPO
j.pratt (supervisor s.jjs), Permanency CPSW p.cpsw and Permanency JPPO p.jppo; in Keene,
CPSW k.ames (supervisor k.sup) and Permanency CPSW k.perm.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from helpers_check import check_repo, findings_of, ppt, the_finding, write_repo


def case(case_id: str, records: str, *, program: str = "cps", office: str = "concord", born: str = "2014-04-01", team: str = "{cpsw: c.ames}") -> str:
    """A case file: the header every case has, then the scenario's own records."""
    header = f"""\
        id: {case_id}
        program: {program}
        office: {office}
        child: {{name: "A. B.", born: {born}}}
        team: {team}
    """
    return textwrap.dedent(header) + textwrap.dedent(records)


JOINT_TEAM = "{cpsw: c.ames, jppo: j.pratt}"


def _status(f: dict[str, object]) -> tuple[object, ...]:
    return f["status"], f["due"], f["business_days_late"]


# --- Thanksgiving week (SPEC 4.2's examples) ---------------------------------------------------


def test_a_change_on_the_wednesday_before_thanksgiving_is_due_the_monday_after(tmp_path: Path) -> None:
    placed = """\
        placements:
          - {date: 2026-06-01, notified_ppt: 2026-06-01}
          - {date: 2026-11-25, provider: "Foster home (Belanger)"%s}
    """
    repo = write_repo(tmp_path / "repo", {
        "concord/CON-2026-0001.yaml": case("CON-2026-0001", placed % ", notified_ppt: 2026-11-30"),  # told Monday
        "concord/CON-2026-0002.yaml": case("CON-2026-0002", placed % ", notified_ppt: 2026-12-01"),  # told Tuesday
        "concord/CON-2026-0003.yaml": case("CON-2026-0003", placed % ""),  # not told
    })
    later = check_repo(repo, "2026-12-01")
    on_monday = the_finding(later, case="CON-2026-0001", rule="CPSW-I.A.2", subject="placement 2026-11-25")
    assert _status(on_monday) == ("met", "2026-11-30", 0)
    assert on_monday["done"] == "2026-11-30" and on_monday["trigger"] == "2026-11-25"
    on_tuesday = the_finding(later, case="CON-2026-0002", rule="CPSW-I.A.2", subject="placement 2026-11-25")
    assert _status(on_tuesday) == ("late", "2026-11-30", 1)
    never = the_finding(later, case="CON-2026-0003", rule="CPSW-I.A.2", subject="placement 2026-11-25")
    assert _status(never) == ("overdue", "2026-11-30", 1)
    # On the Monday itself the notice is still on time: open, not overdue.
    monday = check_repo(repo, "2026-11-30")
    assert _status(the_finding(monday, case="CON-2026-0003", rule="CPSW-I.A.2", subject="placement 2026-11-25")) == ("open", "2026-11-30", 0)


def test_the_screen_for_a_meeting_on_the_monday_after_thanksgiving_is_due_the_thursday_before(tmp_path: Path) -> None:
    meeting = """\
        placements: [{date: 2026-09-01, notified_ppt: 2026-09-01}]
        meetings:
          - {date: 2026-11-30, status: scheduled%s}
    """
    repo = write_repo(tmp_path / "repo", {
        "concord/CON-2026-0011.yaml": case("CON-2026-0011", meeting % ""),
        "concord/CON-2026-0012.yaml": case("CON-2026-0012", meeting % ", screen_completed: 2026-11-19"),
        "concord/CON-2026-0013.yaml": case("CON-2026-0013", meeting % ", screen_completed: 2026-11-20"),
    })
    data = check_repo(repo, "2026-11-23")
    missing = the_finding(data, case="CON-2026-0011", rule="CPSW-I.C", subject="meeting 2026-11-30")
    assert _status(missing) == ("overdue", "2026-11-19", 2)  # Fri 11-20 and Mon 11-23 have passed
    assert missing["authority"] == "sop" and missing["trigger"] == "2026-11-30"
    assert _status(the_finding(data, case="CON-2026-0012", rule="CPSW-I.C", subject="meeting 2026-11-30")) == ("met", "2026-11-19", 0)
    assert _status(the_finding(data, case="CON-2026-0013", rule="CPSW-I.C", subject="meeting 2026-11-30")) == ("late", "2026-11-19", 1)


def test_the_screen_for_a_meeting_after_martin_luther_king_day(tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "repo", {
        "concord/CON-2026-0014.yaml": case("CON-2026-0014", """\
            placements: [{date: 2025-12-01, notified_ppt: 2025-12-01}]
            meetings: [{date: 2026-01-20, status: held, screen_completed: 2026-01-12}]
        """),
    })
    data = check_repo(repo, "2026-11-23")
    assert _status(the_finding(data, rule="CPSW-I.C", subject="meeting 2026-01-20")) == ("met", "2026-01-12", 0)


# --- A Saturday placement ---------------------------------------------------------------------


def test_a_saturday_placement_is_due_that_saturday(tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "repo", {
        "concord/CON-2026-0021.yaml": case("CON-2026-0021", "placements: [{date: 2026-08-01, notified_ppt: 2026-08-01}]\n"),
        "concord/CON-2026-0022.yaml": case("CON-2026-0022", "placements: [{date: 2026-08-01, notified_ppt: 2026-08-03}]\n"),
    })
    data = check_repo(repo, "2026-11-23")
    same_day = the_finding(data, case="CON-2026-0021", rule="CPSW-I.A.1", subject="placement 2026-08-01")
    assert _status(same_day) == ("met", "2026-08-01", 0)
    monday = the_finding(data, case="CON-2026-0022", rule="CPSW-I.A.1", subject="placement 2026-08-01")
    assert _status(monday) == ("late", "2026-08-01", 1)  # Sunday is not a business day: Monday is the first
    assert monday["done"] == "2026-08-03"


# --- A JPPO change that does not affect the PPT schedule ------------------------------------------


def test_a_jppo_change_that_does_not_affect_the_ppt_schedule(tmp_path: Path) -> None:
    moves = """\
        placements:
          - {date: 2026-03-02, notified_ppt: 2026-03-02}
          - {date: 2026-11-05, provider: "Same program, new unit", affects_ppt_schedule: %s}
    """
    repo = write_repo(tmp_path / "repo", {
        "concord/CON-2026-0031.yaml": case("CON-2026-0031", moves % "false", program="jjs", team="{jppo: j.pratt}"),
        "concord/CON-2026-0032.yaml": case("CON-2026-0032", moves % "false", program="joint", team=JOINT_TEAM),
        "concord/CON-2026-0033.yaml": case("CON-2026-0033", moves % "true", program="jjs", team="{jppo: j.pratt}"),
    })
    data = check_repo(repo, "2026-11-23")
    # JJS case: the JPPO owes nothing for this move.
    jjs = findings_of(data, case="CON-2026-0031", rule="JPPO-I.A.2", subject="placement 2026-11-05")
    assert [f["status"] for f in jjs] == ["n/a"]
    # Joint case: nothing under the JPPO SOP, but the CPSW SOP has no such qualifier.
    joint = findings_of(data, case="CON-2026-0032", rule="JPPO-I.A.2", subject="placement 2026-11-05")
    assert [f["status"] for f in joint] == ["n/a"]
    cpsw = the_finding(data, case="CON-2026-0032", rule="CPSW-I.A.2", subject="placement 2026-11-05")
    # due Fri 11-06; 10 business days late on Mon 11-23 (Veterans Day, Wed 11-11, not counted)
    assert _status(cpsw) == ("overdue", "2026-11-06", 10)
    assert cpsw["responsible"] == ["c.ames"]
    # The same move when it does affect the schedule is owed by the JPPO.
    affects = the_finding(data, case="CON-2026-0033", rule="JPPO-I.A.2", subject="placement 2026-11-05")
    assert _status(affects) == ("overdue", "2026-11-06", 10)
    assert affects["responsible"] == ["j.pratt"]


# --- The first meeting and the second --------------------------------------------------------


def test_prior_tasks_are_not_asked_at_the_first_meeting_but_are_at_the_second(tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "repo", {
        "concord/CON-2026-0041.yaml": case("CON-2026-0041", """\
            plan: {goal: reunification, concurrent_goal: guardianship, set: 2026-02-20, set_by: [c.ames, s.cole], consulted: [p.cpsw], family_input: true}
            placements: [{date: 2026-01-12, notified_ppt: 2026-01-12}]
            meetings:
              - date: 2026-03-05
                status: held
                attendees: [c.ames, p.cpsw]
                discussed: [case_plan_progress, connections, barriers, placement_concurrent_goal]
              - date: 2026-09-03
                status: held
                attendees: [c.ames, p.cpsw]
                discussed: [case_plan_progress, connections, barriers, placement_concurrent_goal]
        """),
    })
    data = check_repo(repo, "2026-11-23")
    first = the_finding(data, rule="CPSW-I.E", subject="meeting 2026-03-05")
    assert _status(first) == ("met", "2026-03-05", 0)
    second = the_finding(data, rule="CPSW-I.E", subject="meeting 2026-09-03")
    assert _status(second) == ("missed", "2026-09-03", 0)
    assert "topic 1" in second["detail"]


# --- A worker absent, with and without the supervisor ------------------------------------------


def test_a_worker_absent_with_the_supervisor_present_and_without(tmp_path: Path) -> None:
    meeting = """\
        placements: [{date: 2026-01-12, notified_ppt: 2026-01-12}]
        meetings:
          - date: 2026-03-05
            status: held
            attendees: %s
            discussed: [case_plan_progress, connections, barriers]
    """
    repo = write_repo(tmp_path / "repo", {
        "concord/CON-2026-0051.yaml": case("CON-2026-0051", meeting % "[s.cole, p.cpsw]"),  # supervisor covers
        "concord/CON-2026-0052.yaml": case("CON-2026-0052", meeting % "[p.cpsw]"),  # nobody from the unit
        "concord/CON-2026-0053.yaml": case("CON-2026-0053", meeting % "[c.ames, p.cpsw]"),  # the worker is there
    })
    data = check_repo(repo, "2026-11-23")
    subject = "meeting 2026-03-05"
    covered_prepared = the_finding(data, case="CON-2026-0051", rule="CPSW-I.E", subject=subject)
    covered_supervisor = the_finding(data, case="CON-2026-0051", rule="CPSW-II.B", subject=subject)
    assert _status(covered_prepared) == ("met", "2026-03-05", 0)
    assert _status(covered_supervisor) == ("met", "2026-03-05", 0)
    assert covered_supervisor["responsible"] == ["s.cole"]

    alone_prepared = the_finding(data, case="CON-2026-0052", rule="CPSW-I.E", subject=subject)
    alone_supervisor = the_finding(data, case="CON-2026-0052", rule="CPSW-II.B", subject=subject)
    assert _status(alone_prepared) == ("missed", "2026-03-05", 0)
    assert _status(alone_supervisor) == ("missed", "2026-03-05", 0)
    assert "c.ames" in alone_prepared["detail"] and "s.cole" in alone_supervisor["detail"]

    # With the worker there, nothing is asked of the supervisor.
    present = findings_of(data, case="CON-2026-0053", rule="CPSW-II.B", subject=subject)
    assert [f["status"] for f in present] == ["n/a"]
    assert the_finding(data, case="CON-2026-0053", rule="CPSW-I.E", subject=subject)["status"] == "met"


# --- A joint plan without the JPPO side ------------------------------------------------------------


def test_a_joint_case_whose_plan_lacks_the_jppo_side(tmp_path: Path) -> None:
    plan = """\
        placements: [{date: 2026-01-12, notified_ppt: 2026-01-12}]
        plan:
          goal: reunification
          concurrent_goal: guardianship
          set: 2026-02-20
          set_by: %s
          consulted: [p.cpsw, p.jppo]
          family_input: true
    """
    repo = write_repo(tmp_path / "repo", {
        "concord/CON-2026-0061.yaml": case("CON-2026-0061", plan % "[c.ames, s.cole]", program="joint", team=JOINT_TEAM),
        "concord/CON-2026-0062.yaml": case("CON-2026-0062", plan % "[c.ames, s.cole, j.pratt, s.jjs]", program="joint", team=JOINT_TEAM),
    })
    data = check_repo(repo, "2026-11-23")
    cpsw = the_finding(data, case="CON-2026-0061", rule="CPSW-Q1", subject="plan")
    jppo = the_finding(data, case="CON-2026-0061", rule="JPPO-Q1", subject="plan")
    assert _status(cpsw) == ("missed", "2026-02-20", 0)
    assert _status(jppo) == ("missed", "2026-02-20", 0)
    assert "j.pratt" in cpsw["detail"] and "j.pratt" in jppo["detail"]
    assert cpsw["responsible"] == ["c.ames"] and jppo["responsible"] == ["j.pratt"]
    # The whole joint team setting it: both met.
    assert the_finding(data, case="CON-2026-0062", rule="CPSW-Q1", subject="plan")["status"] == "met"
    assert the_finding(data, case="CON-2026-0062", rule="JPPO-Q1", subject="plan")["status"] == "met"


# --- APPLA and the child's age -------------------------------------------------------------------


def test_an_appla_goal_for_a_15_year_old_is_missed_for_a_17_year_old_met(tmp_path: Path) -> None:
    records = """\
        placements: [{date: 2026-01-12, notified_ppt: 2026-01-12}]
        plan: {goal: appla, concurrent_goal: guardianship, set: 2026-02-20, set_by: [c.ames, s.cole], consulted: [p.cpsw], family_input: true}
    """
    repo = write_repo(tmp_path / "repo", {
        "concord/CON-2026-0071.yaml": case("CON-2026-0071", records, born="2010-09-01"),  # 15 on 2026-02-20
        "concord/CON-2026-0072.yaml": case("CON-2026-0072", records, born="2008-09-01"),  # 17
        "concord/CON-2026-0073.yaml": case("CON-2026-0073", records, born="2010-02-20"),  # 16 that very day
    })
    data = check_repo(repo, "2026-11-23")
    fifteen = the_finding(data, case="CON-2026-0071", rule="POL-1625.goals", subject="plan")
    assert _status(fifteen) == ("missed", "2026-03-13", 0)  # 60 days after Mon 2026-01-12
    assert "APPLA" in fifteen["detail"] and fifteen["authority"] == "policy"
    seventeen = the_finding(data, case="CON-2026-0072", rule="POL-1625.goals", subject="plan")
    assert _status(seventeen) == ("met", "2026-03-13", 0)
    assert seventeen["done"] == "2026-02-20"
    assert the_finding(data, case="CON-2026-0073", rule="POL-1625.goals", subject="plan")["status"] == "met"


# --- Waivers -----------------------------------------------------------------------------------


def test_an_expired_waiver_no_longer_covers_the_finding_an_active_one_does(tmp_path: Path) -> None:
    records = """\
        placements: [{date: 2026-09-01, notified_ppt: 2026-09-01}]
        meetings: [{date: 2026-11-30, status: scheduled}]
        waivers:
          - rule: CPSW-I.C
            subject: meeting 2026-11-30
            reason: "Worker on medical leave; supervisor to complete the screen"
            approved_by: s.cole
            approved: 2026-11-18
            expires: %s
    """
    repo = write_repo(tmp_path / "repo", {
        "concord/CON-2026-0081.yaml": case("CON-2026-0081", records % "2026-11-20"),
        "concord/CON-2026-0082.yaml": case("CON-2026-0082", records % "null"),
    })
    data = check_repo(repo, "2026-11-23")
    expired = the_finding(data, case="CON-2026-0081", rule="CPSW-I.C", subject="meeting 2026-11-30")
    assert _status(expired) == ("overdue", "2026-11-19", 2)
    active = the_finding(data, case="CON-2026-0082", rule="CPSW-I.C", subject="meeting 2026-11-30")
    assert active["status"] == "waived" and active["due"] == "2026-11-19" and active["business_days_late"] == 0
    assert "s.cole" in active["detail"]
    # On the day the first waiver still ran, it covered the overdue screen too.
    earlier = check_repo(repo, "2026-11-20")
    assert the_finding(earlier, case="CON-2026-0081", rule="CPSW-I.C", subject="meeting 2026-11-30")["status"] == "waived"


# --- An as-of date in the past -------------------------------------------------------------------


def test_records_after_the_as_of_date_are_ignored(tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "repo", {
        # a change on Wed 10-14 (due Thu 10-15) reported Mon 10-19
        "concord/CON-2026-0091.yaml": case("CON-2026-0091", """\
            placements:
              - {date: 2026-06-01, notified_ppt: 2026-06-01}
              - {date: 2026-10-14, notified_ppt: 2026-10-19}
              - {date: 2026-11-25, provider: "Planned move"}
        """),
        # the same change reported on time, on Thu 10-15
        "concord/CON-2026-0092.yaml": case("CON-2026-0092", """\
            placements:
              - {date: 2026-06-01, notified_ppt: 2026-06-01}
              - {date: 2026-10-14, notified_ppt: 2026-10-15}
        """),
    })
    subject = "placement 2026-10-14"

    on_the_day = check_repo(repo, "2026-10-14")  # the notices of 10-15 and 10-19 do not exist yet
    for case_id in ("CON-2026-0091", "CON-2026-0092"):
        f = the_finding(on_the_day, case=case_id, rule="CPSW-I.A.2", subject=subject)
        assert _status(f) == ("open", "2026-10-15", 0) and f["done"] is None

    next_day = check_repo(repo, "2026-10-16")
    late_one = the_finding(next_day, case="CON-2026-0091", rule="CPSW-I.A.2", subject=subject)
    assert _status(late_one) == ("overdue", "2026-10-15", 1) and late_one["done"] is None
    assert the_finding(next_day, case="CON-2026-0092", rule="CPSW-I.A.2", subject=subject)["status"] == "met"

    today = check_repo(repo, "2026-11-23")
    late_one = the_finding(today, case="CON-2026-0091", rule="CPSW-I.A.2", subject=subject)
    assert _status(late_one) == ("late", "2026-10-15", 2) and late_one["done"] == "2026-10-19"
    assert _status(the_finding(today, case="CON-2026-0092", rule="CPSW-I.A.2", subject=subject)) == ("met", "2026-10-15", 0)
    # The planned move of 11-25 does not exist on 11-23.
    assert findings_of(today, subject="placement 2026-11-25") == []
    assert findings_of(check_repo(repo, "2026-11-25"), rule="CPSW-I.A.2", subject="placement 2026-11-25") != []


# --- Closures in calendar.yaml --------------------------------------------------------------------


CLOSURES = """\
    closures:
      - {date: 2026-02-10, reason: "Ice storm: state offices closed"}
      - {date: 2026-09-15, office: keene, reason: "Keene office: water main break"}
"""
MOVES = """\
    placements:
      - {date: 2026-01-05, notified_ppt: 2026-01-05}
      - {date: 2026-02-09, notified_ppt: 2026-02-11}
      - {date: 2026-09-14, notified_ppt: 2026-09-16}
"""


def test_a_statewide_closure_and_an_office_closure_move_next_business_day_deadlines(tmp_path: Path) -> None:
    cases = {
        "concord/CON-2026-0101.yaml": case("CON-2026-0101", MOVES),
        "keene/KEE-2026-0101.yaml": case("KEE-2026-0101", MOVES, office="keene", team="{cpsw: k.ames}"),
    }
    repo = write_repo(tmp_path / "repo", cases, calendar_yaml=CLOSURES)
    data = check_repo(repo, "2026-11-23")
    # Mon 02-09, the statewide ice storm on Tue 02-10: due Wed 02-11 in both offices.
    for case_id in ("CON-2026-0101", "KEE-2026-0101"):
        assert _status(the_finding(data, case=case_id, rule="CPSW-I.A.2", subject="placement 2026-02-09")) == ("met", "2026-02-11", 0)
    # Mon 09-14: Keene was closed Tue 09-15, Concord was open.
    assert _status(the_finding(data, case="KEE-2026-0101", rule="CPSW-I.A.2", subject="placement 2026-09-14")) == ("met", "2026-09-16", 0)
    assert _status(the_finding(data, case="CON-2026-0101", rule="CPSW-I.A.2", subject="placement 2026-09-14")) == ("late", "2026-09-15", 1)

    # Without the closures, the February notice is a day late.
    plain = write_repo(tmp_path / "plain", cases)
    without = check_repo(plain, "2026-11-23")
    assert _status(the_finding(without, case="CON-2026-0101", rule="CPSW-I.A.2", subject="placement 2026-02-09")) == ("late", "2026-02-10", 1)
    assert _status(the_finding(without, case="KEE-2026-0101", rule="CPSW-I.A.2", subject="placement 2026-09-14")) == ("late", "2026-09-15", 1)

    # `ppt explain` names the closure as the reason the day was skipped.
    explained = ppt("explain", "KEE-2026-0101", "CPSW-I.A.2", "--repo", repo, "--as-of", "2026-11-23")
    assert explained.returncode == 0, explained.stderr
    assert "water main break" in explained.stdout and "Ice storm" in explained.stdout


# --- Policy overrides in ppt.yaml -----------------------------------------------------------------


def test_a_policy_override_changes_the_due_date_and_the_authority(tmp_path: Path) -> None:
    cases = {
        "concord/CON-2026-0111.yaml": case("CON-2026-0111", """\
            placements: [{date: 2026-09-01, notified_ppt: 2026-09-01}]
            meetings: [{date: 2026-11-30, status: scheduled}]
        """),
    }
    subject = "meeting 2026-11-30"
    shipped = check_repo(write_repo(tmp_path / "shipped", cases), "2026-11-23")
    finding = the_finding(shipped, rule="CPSW-I.C", subject=subject)
    assert _status(finding) == ("overdue", "2026-11-19", 2) and finding["authority"] == "sop"

    local = write_repo(tmp_path / "local", cases, ppt_yaml="""\
        offices: [concord, keene]
        policy:
          screen_business_days: 7
        rules: null
    """)
    overridden = check_repo(local, "2026-11-23")
    finding = the_finding(overridden, rule="CPSW-I.C", subject=subject)
    # 7 business days before Mon 11-30, skipping Thanksgiving and the day after: Tue 11-17
    assert _status(finding) == ("overdue", "2026-11-17", 4)
    assert finding["authority"] == "assumed"


def test_a_shorter_follow_up_interval_for_supervisors(tmp_path: Path) -> None:
    cases = {
        "concord/CON-2026-0121.yaml": case("CON-2026-0121", """\
            placements: [{date: 2026-01-12, notified_ppt: 2026-01-12}]
            meetings:
              - date: 2026-03-05
                status: held
                attendees: [c.ames]
                discussed: [case_plan_progress, connections, barriers]
                tasks: [{task: "Home study of maternal aunt", owner: c.ames}]
        """),
    }
    subject = "follow-up after 2026-03-05"
    shipped = check_repo(write_repo(tmp_path / "shipped", cases), "2026-05-08")
    # 30 days: Sat 04-04, rolled to Mon 04-06
    assert _status(the_finding(shipped, rule="CPSW-II.C", subject=subject))[:2] == ("overdue", "2026-04-06")
    local = write_repo(tmp_path / "local", cases, ppt_yaml="offices: [concord, keene]\npolicy: {followup_days: 14}\n")
    overridden = the_finding(check_repo(local, "2026-05-08"), rule="CPSW-II.C", subject=subject)
    assert overridden["status"] == "overdue" and overridden["due"] == "2026-03-19"
    assert overridden["responsible"] == ["s.cole"] and overridden["authority"] == "assumed"
