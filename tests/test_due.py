"""`ppt due`: what is coming up in the next N business days, and what is overdue (issue 4).

End to end: real case repositories on disk (the demonstration repository, a private copy of
it, or a small one written here), the CLI in a subprocess, always with --as-of. The expected
windows are computed here from the state-office holidays written out below and the
repository's calendar.yaml, never with pptcli's own calendar.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import icalendar
import pytest
from ruamel.yaml import YAML

PROJECT = Path(__file__).resolve().parent.parent
CASES = PROJECT / "cases"
RULES = PROJECT / "rules"
AS_OF = dt.date(2026, 11, 23)  # Monday of Thanksgiving week; the demo is written for this day

# SPEC 4.1: the State of New Hampshire paid holidays, on the days state offices observe them
# in 2026 (Independence Day falls on a Saturday and is observed Friday 07-03). Written out,
# not computed, so that the test does not share a mistake with src/pptcli/calendar.py.
STATE_HOLIDAYS_2026 = {
    dt.date(2026, 1, 1): "New Year's Day",
    dt.date(2026, 1, 19): "Martin Luther King Jr./Civil Rights Day",
    dt.date(2026, 2, 16): "Washington's Birthday",
    dt.date(2026, 5, 25): "Memorial Day",
    dt.date(2026, 7, 3): "Independence Day (observed)",
    dt.date(2026, 9, 7): "Labor Day",
    dt.date(2026, 11, 11): "Veterans Day",
    dt.date(2026, 11, 26): "Thanksgiving Day",
    dt.date(2026, 11, 27): "Day after Thanksgiving",
    dt.date(2026, 12, 25): "Christmas Day",
}
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# SPEC 7: the columns of a finding, in order.
SPEC_COLUMNS = [
    "case", "office", "program", "rule", "title", "source", "authority", "responsible",
    "accountable", "subject", "trigger", "due", "done", "status", "business_days_late",
    "detail", "file", "line",
]
ANSI = re.compile(r"\x1b\[")

Key = tuple[str, str, str]  # (case, rule, subject): one obligation


# --- Running ppt --------------------------------------------------------------------------


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PPT_") and k not in ("NO_COLOR", "FORCE_COLOR")}
    env["NO_COLOR"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra)
    return env


def ppt(*args: object, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pptcli", *map(str, args)],
        cwd=PROJECT,
        env=env if env is not None else _env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@functools.cache
def _demo_run(*args: object) -> subprocess.CompletedProcess[str]:
    """The demonstration repository is only read, so each command runs once per session."""
    return ppt(*args)


def run(*args: object) -> subprocess.CompletedProcess[str]:
    return _demo_run(*args) if args[1] == CASES else ppt(*args)


def due_json(repo: Path, *args: object, as_of: dt.date = AS_OF, rc: int = 0) -> dict[str, Any]:
    result = run("due", repo, "--as-of", as_of, "--format", "json", *args)
    assert result.returncode == rc, result.stderr + result.stdout
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def keys(findings: Iterable[dict[str, Any]]) -> set[Key]:
    return {(f["case"], f["rule"], f["subject"]) for f in findings}


def by_key(findings: Iterable[dict[str, Any]]) -> dict[Key, dict[str, Any]]:
    return {(f["case"], f["rule"], f["subject"]): f for f in findings}


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# --- An office calendar of our own (SPEC 4.1) --------------------------------------------

_yaml = YAML(typ="safe")


def read_yaml(path: Path) -> Any:
    return _yaml.load(path.read_text(encoding="utf-8")) if path.exists() else None


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


class OfficeDays:
    """Business days of one office: weekdays minus the holidays above, calendar.yaml's
    additions (minus its removals) and the closures that apply to the office."""

    def __init__(self, repo: Path, office: str) -> None:
        data = read_yaml(repo / "calendar.yaml") or {}
        holidays = data.get("holidays") or {}
        off = set(STATE_HOLIDAYS_2026) | {_as_date(h["date"]) for h in holidays.get("add") or ()}
        off -= {_as_date(h["date"]) for h in holidays.get("remove") or ()}
        off |= {_as_date(c["date"]) for c in data.get("closures") or () if c.get("office") in (None, office)}
        self.off = off

    def is_business_day(self, d: dt.date) -> bool:
        assert d.year == 2026, f"{d}: only 2026's holidays are written out in this test"
        return d.weekday() < 5 and d not in self.off

    def nth_after(self, d: dt.date, n: int) -> dt.date:
        """The n-th business day after d, d not counted (n = 0: d)."""
        while n > 0:
            d += dt.timedelta(days=1)
            n -= self.is_business_day(d)
        return d

    def between(self, start: dt.date, end: dt.date) -> int:
        """Business days in (start, end]."""
        return sum(self.is_business_day(start + dt.timedelta(days=i)) for i in range(1, (end - start).days + 1))


def expected_due(repo: Path, as_of: dt.date, n: int) -> set[Key]:
    """SPEC 6 from `ppt check --all`: open and due no more than n business days away (before
    the office's (n+1)-th business day), or overdue."""
    result = run("check", repo, "--all", "--format", "json", "--as-of", as_of, "--fail-on", "")
    assert result.returncode == 0, result.stderr
    calendars: dict[str, OfficeDays] = {}
    chosen = []
    for f in json.loads(result.stdout)["findings"]:
        office = calendars.setdefault(f["office"], OfficeDays(repo, f["office"]))
        if f["status"] == "overdue" or (f["status"] == "open" and f["due"] and day(f["due"]) < office.nth_after(as_of, n + 1)):
            chosen.append(f)
    return keys(chosen)


def assert_due_order(findings: list[dict[str, Any]]) -> None:
    """Overdue first, then soonest due."""
    order = [(f["status"] != "overdue", f["due"]) for f in findings]
    assert order == sorted(order), order


# --- Small repositories written by the tests --------------------------------------------

STAFF = """\
staff:
  - {id: m.okafor, name: Marcus Okafor, role: supervisor, office: concord}
  - {id: r.singh, name: Rupinder Singh, role: supervisor, office: concord}
  - {id: c.rivera, name: Carmen Rivera, role: cpsw, office: concord, supervisor: m.okafor}
  - {id: d.walsh, name: Dana Walsh, role: jppo, office: concord, supervisor: r.singh}
  - {id: t.nguyen, name: Thanh Nguyen, role: permanency_cpsw, office: concord}
  - {id: p.lavoie, name: Paulette Lavoie, role: permanency_jppo, office: concord}
  - {id: o.lindqvist, name: Oskar Lindqvist, role: supervisor, office: keene}
  - {id: i.ferreira, name: Ines Ferreira, role: cpsw, office: keene, supervisor: o.lindqvist}
  - {id: z.morin, name: Zoe Morin, role: permanency_cpsw, office: keene}
"""
WORKERS = {"concord": ("c.rivera", "m.okafor", "t.nguyen"), "keene": ("i.ferreira", "o.lindqvist", "z.morin")}


def write_repo(root: Path, cases: dict[str, str], calendar: str = "closures: []\n") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "ppt.yaml").write_text("offices: [concord, keene]\n", encoding="utf-8")
    (root / "staff.yaml").write_text(STAFF, encoding="utf-8")
    (root / "calendar.yaml").write_text(calendar, encoding="utf-8")
    for rel, text in cases.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def settled_case(case_id: str, office: str, scheduled: Iterable[str]) -> str:
    """A cps case whose past duties are all met (placed 06-01, goals 06-15, first PPT held
    07-01, the next one due in January 2027), with PPT meetings scheduled on `scheduled`."""
    cpsw, supervisor, permanency = WORKERS[office]
    meetings = "".join(f"  - {{date: {d}, status: scheduled}}\n" for d in scheduled)
    return (
        f"id: {case_id}\nprogram: cps\noffice: {office}\n"
        'child: {name: "A. B.", born: 2015-03-01}\n'
        f"team: {{cpsw: {cpsw}}}\n"
        "plan:\n  goal: reunification\n  concurrent_goal: guardianship\n  set: 2026-06-15\n"
        f"  set_by: [{cpsw}, {supervisor}]\n  consulted: [{permanency}]\n  family_input: true\n"
        "placements:\n  - {date: 2026-06-01, notified_ppt: 2026-06-01}\n"
        "meetings:\n"
        "  - date: 2026-07-01\n    status: held\n    screen_completed: 2026-06-20\n"
        "    info_gathered: {parents: 2026-06-25, child: 2026-06-25, providers: 2026-06-25}\n"
        f"    attendees: [{cpsw}]\n"
        "    discussed: [case_plan_progress, connections, barriers, placement_concurrent_goal]\n"
        + meetings
    )


SCREEN_1130 = ("CON-2026-0001", "CPSW-I.C", "meeting 2026-12-07")  # page 1 due Mon 11-30
SCREEN_1201 = ("CON-2026-0001", "CPSW-I.C", "meeting 2026-12-08")  # page 1 due Tue 12-01


def screens_repo(root: Path, calendar: str = "closures: []\n", offices: Iterable[str] = ("concord",)) -> Path:
    """One settled case per office with PPT meetings on Mon 12-07 and Tue 12-08: their
    screens are due Mon 11-30 and Tue 12-01, the first and second business days after
    Thanksgiving."""
    cases = {}
    for office in offices:
        case_id = f"{office[:3].upper()}-2026-0001"
        cases[f"{office}/{case_id}.yaml"] = settled_case(case_id, office, ["2026-12-07", "2026-12-08"])
    return write_repo(root, cases, calendar)


# --- 1. The window on the demonstration repository ---------------------------------------


@pytest.mark.parametrize("n", [0, 3, 10])
def test_demo_lists_exactly_the_open_obligations_of_the_window_and_every_overdue_one(n: int) -> None:
    report = due_json(CASES, "--business-days", n)
    findings = report["findings"]
    listed = keys(findings)

    assert len(listed) == len(findings), "an obligation is listed twice"
    assert listed == expected_due(CASES, AS_OF, n)
    assert {f["status"] for f in findings} <= {"open", "overdue"}
    assert_due_order(findings)
    assert report["problems"] == []
    # The summary counts what is listed, nothing else (SPEC 7: "the same object").
    assert report["summary"]["by_status"]["open"] + report["summary"]["by_status"]["overdue"] == len(findings)


def test_demo_window_of_ten_business_days_skips_thanksgiving() -> None:
    """COVERAGE.md: 11-24, 11-25, 11-30 ... 12-09; the last day is in, the day after is not."""
    concord = OfficeDays(CASES, "concord")
    assert concord.nth_after(AS_OF, 10) == dt.date(2026, 12, 9)  # the test's own calendar agrees
    findings = due_json(CASES, "--business-days", 10)["findings"]
    open_due = {day(f["due"]) for f in findings if f["status"] == "open"}
    assert min(open_due) == AS_OF  # due today is still open, and shown
    assert max(open_due) == dt.date(2026, 12, 9)
    overdue = [f for f in findings if f["status"] == "overdue"]
    assert len(overdue) == 8  # COVERAGE.md: the eight overdue findings of the demo
    assert ("CON-2026-0071", "CPSW-I.C", "meeting 2026-11-30") in keys(overdue)  # SPEC 7's example


def test_demo_overdue_obligations_are_counted_in_business_days() -> None:
    for f in due_json(CASES, "--business-days", 0)["findings"]:
        if f["status"] == "overdue":
            office = OfficeDays(CASES, f["office"])
            assert f["business_days_late"] == office.between(day(f["due"]), AS_OF), f


def test_windows_grow_with_the_number_of_business_days() -> None:
    sets = [keys(due_json(CASES, "-n", n)["findings"]) for n in (0, 1, 3, 10)]
    for smaller, larger in itertools.pairwise(sets):
        assert smaller <= larger
    assert sets[0] < sets[-1]


# --- 2. Filters ----------------------------------------------------------------------------


def _staff(repo: Path) -> dict[str, dict[str, Any]]:
    return {m["id"]: m for m in read_yaml(repo / "staff.yaml")["staff"]}


def _supervises(repo: Path, supervisor: str) -> Callable[[dict[str, Any]], bool]:
    """SPEC 6: the supervisor's team (staff.yaml) and the supervisor's own obligations."""
    team = {sid for sid, m in _staff(repo).items() if m.get("supervisor") == supervisor} | {supervisor}
    return lambda f: bool(team & set(f["responsible"])) or supervisor in f["accountable"]


FILTERS = [
    (["--worker", "j.beaulieu"], lambda f: "j.beaulieu" in f["responsible"]),
    (["--worker", "m.okafor"], lambda f: "m.okafor" in f["responsible"]),  # a supervisor's own duties
    (["--supervisor", "k.osei"], None),
    (["--supervisor", "m.okafor"], None),
    (["--office", "keene"], lambda f: f["office"] == "keene"),
    (["--case", "CON-2026-0125"], lambda f: f["case"] == "CON-2026-0125"),
    (["--rule", "CPSW-I.F"], lambda f: f["rule"] == "CPSW-I.F"),
    (["--rule", "JPPO-*"], lambda f: f["rule"].startswith("JPPO-")),
    (["--office", "concord", "--worker", "j.beaulieu"], lambda f: f["office"] == "concord" and "j.beaulieu" in f["responsible"]),
]


@pytest.mark.parametrize(("args", "accepts"), FILTERS, ids=[" ".join(a) for a, _ in FILTERS])
def test_each_filter_keeps_exactly_the_matching_obligations(args: list[str], accepts: Any) -> None:
    if accepts is None:
        accepts = _supervises(CASES, args[1])
    everything = due_json(CASES, "-n", 10)["findings"]
    filtered = due_json(CASES, "-n", 10, *args)["findings"]

    assert filtered, "the filter should keep something on the demo"
    assert keys(filtered) < keys(everything)
    assert all(accepts(f) for f in filtered)
    assert keys(filtered) == {k for k, f in by_key(everything).items() if accepts(f)}
    assert_due_order(filtered)


def test_a_misspelt_worker_is_an_error_not_an_empty_list() -> None:
    result = ppt("due", CASES, "--as-of", AS_OF, "--worker", "j.beaulie")
    assert result.returncode == 2
    assert 'did you mean "j.beaulieu"' in result.stderr
    assert "Traceback" not in result.stderr


# --- 3. Holidays and closures move the window ---------------------------------------------


def _listed(repo: Path, as_of: dt.date, n: int) -> dict[Key, dict[str, Any]]:
    return by_key(due_json(repo, "--business-days", n, as_of=as_of)["findings"])


def test_thanksgiving_and_the_day_after_are_skipped(tmp_path: Path) -> None:
    """Three business days from Mon 11-23 end on Mon 11-30, not on Thu 11-26."""
    repo = screens_repo(tmp_path / "repo")
    listed = _listed(repo, AS_OF, 3)
    assert set(listed) == {SCREEN_1130}
    assert listed[SCREEN_1130]["due"] == "2026-11-30"
    assert set(_listed(repo, AS_OF, 4)) == {SCREEN_1130, SCREEN_1201}
    # From the Wednesday before Thanksgiving, the next business day is the Monday after.
    assert set(_listed(repo, dt.date(2026, 11, 25), 1)) == {SCREEN_1130}
    assert set(_listed(repo, dt.date(2026, 11, 25), 0)) == set()


def test_a_duty_due_on_the_weekend_after_the_last_business_day_is_listed_before_it(tmp_path: Path) -> None:
    """Information for a Monday meeting is due the day before, a Sunday (CPSW I.D). On
    Friday no business day is left before it, so it is within 0 business days; on Thursday
    one business day (Friday) is, so it is within 1 but not 0."""
    info = ("CON-2026-0001", "CPSW-I.D", "meeting 2026-12-07")
    repo = screens_repo(tmp_path / "repo")
    friday = _listed(repo, dt.date(2026, 12, 4), 0)
    assert info in friday
    assert (friday[info]["due"], friday[info]["status"]) == ("2026-12-06", "open")
    assert info in _listed(repo, dt.date(2026, 12, 3), 1)
    assert info not in _listed(repo, dt.date(2026, 12, 3), 0)


def test_a_statewide_closure_extends_the_window_by_a_day(tmp_path: Path) -> None:
    calendar = 'closures:\n  - {date: 2026-11-24, reason: "Ice storm: state offices closed"}\n'
    repo = screens_repo(tmp_path / "repo", calendar)
    listed = _listed(repo, AS_OF, 3)
    assert set(listed) == {SCREEN_1130, SCREEN_1201}  # the window now ends Tue 12-01
    assert listed[SCREEN_1201]["due"] == "2026-12-01"


def test_an_office_closure_extends_only_that_offices_window(tmp_path: Path) -> None:
    calendar = 'closures:\n  - {date: 2026-11-24, office: keene, reason: "Keene: no heat"}\n'
    repo = screens_repo(tmp_path / "repo", calendar, offices=("concord", "keene"))
    listed = set(_listed(repo, AS_OF, 3))
    assert listed == {
        ("CON-2026-0001", "CPSW-I.C", "meeting 2026-12-07"),
        ("KEE-2026-0001", "CPSW-I.C", "meeting 2026-12-07"),
        ("KEE-2026-0001", "CPSW-I.C", "meeting 2026-12-08"),  # Keene's window ends Tue 12-01
    }
    assert set(_listed(repo, AS_OF, 4)) == listed | {("CON-2026-0001", "CPSW-I.C", "meeting 2026-12-08")}


def test_holidays_added_and_removed_in_calendar_yaml_move_the_window(tmp_path: Path) -> None:
    added = 'holidays:\n  add: [{date: 2026-11-25, name: "Governor\'s order"}]\n'
    assert set(_listed(screens_repo(tmp_path / "added", added), AS_OF, 3)) == {SCREEN_1130, SCREEN_1201}
    # The Day after Thanksgiving worked: three business days end Fri 11-27, before the screen.
    removed = "holidays:\n  remove: [{date: 2026-11-27}]\n"
    assert set(_listed(screens_repo(tmp_path / "removed", removed), AS_OF, 3)) == set()


# --- 4. The schedule in view: duties that exist before their evidence can ------------------

NEW_PLACEMENT = """\
    # Placed Mon 10-05; nothing else yet: first PPT and goals due 60 days later, Fri 12-04.
    id: CON-2026-0201
    program: cps
    office: concord
    child: {name: "N. P.", born: 2019-04-02}
    team: {cpsw: c.rivera}
    placements:
      - {date: 2026-10-05, notified_ppt: 2026-10-05}
"""
LATER_PLACEMENT = """\
    # Placed Mon 11-02: first PPT and goals due Fri 2027-01-01, a holiday, so Mon 01-04.
    id: CON-2026-0202
    program: cps
    office: concord
    child: {name: "L. P.", born: 2018-01-09}
    team: {cpsw: c.rivera}
    placements:
      - {date: 2026-11-02, notified_ppt: 2026-11-02}
"""
JJS_PLACEMENT = """\
    id: CON-2026-0203
    program: jjs
    office: concord
    child: {name: "J. J.", born: 2010-08-20}
    team: {jppo: d.walsh}
    placements:
      - {date: 2026-10-05, notified_ppt: 2026-10-05}
"""
IN_PROGRESS = """\
    # First PPT held Tue 05-26 with a task left without a due date; supervisor follow-ups
    # every four weeks since; the next PPT is scheduled Thu 12-03; a factor came up 11-16.
    id: CON-2026-0204
    program: cps
    office: concord
    child: {name: "I. P.", born: 2014-11-30}
    team: {cpsw: c.rivera}
    plan:
      goal: reunification
      concurrent_goal: adoption
      set: 2026-04-20
      set_by: [c.rivera, m.okafor]
      consulted: [t.nguyen]
      family_input: true
    placements:
      - {date: 2026-04-01, notified_ppt: 2026-04-01}
    factors:
      - {factor: domestic_violence, identified: 2026-11-16}
    meetings:
      - date: 2026-05-26
        status: held
        screen_completed: 2026-05-15
        info_gathered: {parents: 2026-05-20, child: 2026-05-20, providers: 2026-05-20}
        attendees: [c.rivera]
        discussed: [case_plan_progress, connections, barriers, placement_concurrent_goal]
        tasks:
          - {task: "Dental appointment", owner: c.rivera, due: 2026-06-20, done: 2026-06-18}
          - {task: "Home study of the grandmother", owner: c.rivera}
      - {date: 2026-12-03, status: scheduled}
    supervisor_followups: [2026-06-23, 2026-07-21, 2026-08-18, 2026-09-15, 2026-10-13, 2026-11-05]
"""


@pytest.fixture(scope="module")
def schedule_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_repo(
        tmp_path_factory.mktemp("schedule"),
        {
            "concord/CON-2026-0201.yaml": NEW_PLACEMENT,
            "concord/CON-2026-0202.yaml": LATER_PLACEMENT,
            "concord/CON-2026-0203.yaml": JJS_PLACEMENT,
            "concord/CON-2026-0204.yaml": IN_PROGRESS,
        },
    )


def _case(findings: dict[Key, dict[str, Any]], case: str) -> dict[tuple[str, str], str]:
    """(rule, subject) -> due, for one case."""
    return {(r, s): f["due"] for (c, r, s), f in findings.items() if c == case}


def test_a_child_in_placement_without_a_meeting_shows_the_first_ppt_and_the_goals(schedule_repo: Path) -> None:
    listed = _listed(schedule_repo, AS_OF, 10)
    assert _case(listed, "CON-2026-0201") == {
        ("CPSW-I.F", "next PPT after 2026-10-05"): "2026-12-04",
        ("POL-1625.goals", "plan"): "2026-12-04",
    }
    assert _case(listed, "CON-2026-0203") == {  # the JPPO SOP's schedule, same policy deadline
        ("JPPO-I.E", "next PPT after 2026-10-05"): "2026-12-04",
        ("POL-1625.goals", "plan"): "2026-12-04",
    }
    # Due after the window: not listed yet; listed once the window reaches it. From Mon
    # 12-28, the 4th business day is Mon 01-04 (New Year's Day skipped), the 3rd Thu 12-31.
    assert _case(listed, "CON-2026-0202") == {}
    assert _case(_listed(schedule_repo, dt.date(2026, 12, 28), 3), "CON-2026-0202") == {}
    assert _case(_listed(schedule_repo, dt.date(2026, 12, 28), 4), "CON-2026-0202") == {
        ("CPSW-I.F", "next PPT after 2026-11-02"): "2027-01-04",
        ("POL-1625.goals", "plan"): "2027-01-04",
    }


def test_a_scheduled_meeting_brings_its_screen_information_factors_tasks_and_follow_up(schedule_repo: Path) -> None:
    listed = _listed(schedule_repo, AS_OF, 10)
    assert _case(listed, "CON-2026-0204") == {
        ("CPSW-I.C", "meeting 2026-12-03"): "2026-11-24",  # 5 business days back, past Thanksgiving
        ("CPSW-I.D", "meeting 2026-12-03"): "2026-12-02",  # the day before the meeting
        ("CPSW-I.J", "factor domestic_violence 2026-11-16"): "2026-12-02",  # business day before
        ("CPSW-I.K", 'task 2026-05-26 "Home study of the grandmother"'): "2026-12-03",  # at the next PPT
        # Six months after 05-26 is Thanksgiving: past the Day after and the weekend, Mon 11-30.
        ("CPSW-I.F", "next PPT after 2026-05-26"): "2026-11-30",
        ("CPSW-II.C", "follow-up after 2026-11-05"): "2026-12-07",  # 30 days: Sat 12-05, then Mon
    }
    follow_up = listed[("CON-2026-0204", "CPSW-II.C", "follow-up after 2026-11-05")]
    assert follow_up["responsible"] == ["m.okafor"]  # the supervisor's duty
    task = listed[("CON-2026-0204", "CPSW-I.K", 'task 2026-05-26 "Home study of the grandmother"')]
    assert task["responsible"] == ["c.rivera"]


# --- 5. Calendar export ----------------------------------------------------------------------


def _quotes() -> dict[str, str]:
    quotes = {}
    for path in RULES.rglob("*.yaml"):
        data = read_yaml(path)
        if isinstance(data, dict) and "source" in data and "id" in data:
            quotes[data["id"]] = " ".join(str(data["source"]["quote"]).split())
    return quotes


def _ics(repo: Path, *args: object, as_of: dt.date = AS_OF) -> str:
    result = run("due", repo, "--as-of", as_of, "--format", "ics", *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _events(text: str, findings: list[dict[str, Any]]) -> dict[Key, icalendar.Event]:
    """Each finding's one event: SUMMARY names its case and rule, DESCRIPTION its subject."""
    cal = icalendar.Calendar.from_ical(text)
    events = list(cal.walk("VEVENT"))
    assert len(events) == len(findings)
    matched: dict[Key, icalendar.Event] = {}
    for f in findings:
        mine = [
            e for e in events
            if f"{f['case']} {f['rule']}" in str(e["SUMMARY"]) and f"Subject: {f['subject']}\n" in str(e["DESCRIPTION"]) + "\n"
        ]
        assert len(mine) == 1, (f, [str(e["SUMMARY"]) for e in mine])
        matched[(f["case"], f["rule"], f["subject"])] = mine[0]
    return matched


def _uids(text: str, findings: list[dict[str, Any]]) -> dict[Key, str]:
    return {k: str(e["UID"]) for k, e in _events(text, findings).items()}


def test_ics_round_trips_with_one_all_day_event_per_obligation() -> None:
    findings = due_json(CASES, "-n", 10)["findings"]
    text = _ics(CASES, "-n", 10)
    cal = icalendar.Calendar.from_ical(text)
    assert str(cal["VERSION"]) == "2.0" and str(cal["PRODID"])
    quotes = _quotes()
    events = _events(text, findings)
    for key, event in events.items():
        f = by_key(findings)[key]
        start = event.decoded("DTSTART")
        assert type(start) is dt.date and start == day(f["due"])  # all day, not a date-time
        assert event.decoded("DTEND") == start + dt.timedelta(days=1)
        summary, description = str(event["SUMMARY"]), str(event["DESCRIPTION"])
        assert f["case"] in summary and f["rule"] in summary and f["title"] in summary
        assert quotes[f["rule"]] in " ".join(description.split())
        assert f["file"] in description
        assert event.decoded("DTSTAMP")
    uids = [str(e["UID"]) for e in events.values()]
    assert len(set(uids)) == len(uids)


def test_ics_uids_are_stable_across_runs_and_as_of_dates() -> None:
    first = _ics(CASES, "-n", 10)
    second = ppt("due", CASES, "--as-of", AS_OF, "-n", 10, "--format", "ics").stdout  # a second process
    assert first == second  # nothing depends on the clock
    today = due_json(CASES, "-n", 10)["findings"]
    later = due_json(CASES, "-n", 10, as_of=dt.date(2026, 11, 24))["findings"]
    uids_today = _uids(first, today)
    uids_later = _uids(_ics(CASES, "-n", 10, as_of=dt.date(2026, 11, 24)), later)
    # Everything listed on Monday is still listed on Tuesday (the window only grows), under
    # the same UID, including the notices due Monday that are overdue by Tuesday.
    assert set(uids_today) <= set(uids_later)
    assert {k: uids_later[k] for k in uids_today} == uids_today
    notice = ("CON-2026-0112", "CPSW-I.A.2", "placement 2026-11-20")
    assert (by_key(today)[notice]["status"], by_key(later)[notice]["status"]) == ("open", "overdue")
    assert len(set(uids_later.values())) == len(uids_later)


def test_adding_a_record_leaves_the_other_events_uids_alone(tmp_path: Path) -> None:
    repo = tmp_path / "cases"
    shutil.copytree(CASES, repo, ignore=shutil.ignore_patterns(".ppt-cache"))
    before_findings = due_json(repo, "-n", 10)["findings"]
    before = _uids(_ics(repo, "-n", 10), before_findings)
    # A new court action at the top of the list shifts every later line of the file.
    path = repo / "concord" / "CON-2026-0125.yaml"
    text = path.read_text(encoding="utf-8")
    assert "court_actions:\n" in text
    path.write_text(
        text.replace(
            "court_actions:\n",
            'court_actions:\n  - {date: 2026-11-23, action: "Dispositional hearing moved up", affects_permanency: true}\n',
            1,
        ),
        encoding="utf-8",
    )
    after_findings = due_json(repo, "-n", 10)["findings"]
    after = _uids(_ics(repo, "-n", 10), after_findings)
    new = ("CON-2026-0125", "CPSW-I.B", "court action 2026-11-23")
    assert set(after) == set(before) | {new}
    assert {k: after[k] for k in before} == before
    assert after[new] not in before.values()


# --- 6. The table, for people ------------------------------------------------------------------


def _table(repo: Path, *args: object, env: dict[str, str] | None = None) -> str:
    result = run("due", repo, "--as-of", AS_OF, *args) if env is None else ppt("due", repo, "--as-of", AS_OF, *args, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _label(d: dt.date) -> str:
    when = {0: " (today)", 1: " (tomorrow)"}.get((d - AS_OF).days, "")
    return f"{DAY_NAMES[d.weekday()]} {d.isoformat()}{when}"


def _groups(text: str) -> dict[str, list[str]]:
    """The table's lines under each heading (a line that is a day or 'Overdue')."""
    heading = re.compile(rf"^(Overdue|(?:{'|'.join(DAY_NAMES)}) \d{{4}}-\d\d-\d\d.*)$")
    groups: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if heading.match(line):
            current = line
            groups[current] = []
        elif current is not None:
            groups[current].append(line)
    return groups


def _column(lines: list[str], name: str) -> str:
    """The cells of a right-aligned column of the table, in order, joined by spaces: each
    cell ends where the column's header does."""
    header = next(line for line in lines if line.lstrip().startswith("case ") and name in line)
    end = header.index(name) + len(name)
    rows = [line for line in lines if re.match(r"^\s*[A-Z]{3}-\d{4}-\d{4}\s", line)]
    return " ".join(line[:end].rsplit("  ", 1)[-1].strip() for line in rows)


def test_table_groups_by_day_with_weekday_names_overdue_first() -> None:
    findings = due_json(CASES, "-n", 10)["findings"]
    groups = _groups(_table(CASES, "-n", 10))
    days = sorted({day(f["due"]) for f in findings if f["status"] == "open"})
    assert list(groups) == ["Overdue", *(_label(d) for d in days)]
    assert "Monday 2026-11-23 (today)" in groups and "Tuesday 2026-11-24 (tomorrow)" in groups
    assert "Sunday 2026-11-29" in groups  # "before" a Monday meeting is a Sunday (COVERAGE.md)


def test_table_shows_business_days_left_and_late() -> None:
    findings = due_json(CASES, "-n", 10)["findings"]
    groups = _groups(_table(CASES, "-n", 10))
    overdue = sorted((f for f in findings if f["status"] == "overdue"), key=lambda f: f["due"])
    cells = re.findall(r"(\d+)\s+late", _column(groups["Overdue"], "bus. days"))
    assert [int(c) for c in cells] == [OfficeDays(CASES, f["office"]).between(day(f["due"]), AS_OF) for f in overdue]
    for d in sorted({day(f["due"]) for f in findings if f["status"] == "open"}):
        rows = [f for f in findings if f["status"] == "open" and f["due"] == d.isoformat()]
        left = {OfficeDays(CASES, f["office"]).between(AS_OF, d) for f in rows}
        cells = re.findall(r"(\d+)\s+left", _column(groups[_label(d)], "bus. days"))
        assert [int(c) for c in cells] == [left.pop()] * len(rows), d
        assert not left  # the demo's offices agree on these days
    assert "1 left" in "\n".join(groups["Tuesday 2026-11-24 (tomorrow)"])


def test_table_ends_with_one_line_per_worker() -> None:
    findings = due_json(CASES, "-n", 10)["findings"]
    text = _table(CASES, "-n", 10)
    staff = _staff(CASES)
    people = {sid for f in findings for sid in f["responsible"]}
    lines = [line for line in text.splitlines() if re.match(r"^[A-Z][a-z]+ [A-Z][a-z]+ \([a-z]\.[a-z]+\)", line)]
    assert len(lines) == len(people)
    for sid in people:
        (line,) = [line for line in lines if line.startswith(f"{staff[sid]['name']} ({sid})")]
        mine = [f for f in findings if sid in f["responsible"]]
        assert f"{sum(f['status'] == 'overdue' for f in mine)} overdue" in line
        assert f"{sum(f['status'] == 'open' for f in mine)} open" in line
    beaulieu = next(line for line in lines if "(j.beaulieu)" in line)
    assert "next due Mon 2026-11-23 (today)" in beaulieu


def test_no_colour_when_piped_or_when_no_color_is_set() -> None:
    assert not ANSI.search(_table(CASES, "-n", 10))  # NO_COLOR=1, piped
    piped = _env()
    piped.pop("NO_COLOR")
    assert not ANSI.search(_table(CASES, "-n", 10, env=piped))  # piped, NO_COLOR unset


def _on_terminal(*args: object, no_color: bool) -> str:
    pty = pytest.importorskip("pty", reason="needs a pseudo-terminal (POSIX)")
    env = _env(COLUMNS="150", LINES="50", TERM="xterm-256color")
    if not no_color:
        env.pop("NO_COLOR")
    master, slave = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "pptcli", *map(str, args)], cwd=PROJECT, env=env, stdout=slave, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the process closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert process.wait(timeout=120) == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_colour_on_a_terminal_unless_no_color() -> None:
    args = ("due", CASES, "--as-of", AS_OF, "-n", 10, "--case", "CON-2026-0071")
    assert ANSI.search(_on_terminal(*args, no_color=False))
    plain = _on_terminal(*args, no_color=True)
    assert not ANSI.search(plain)
    assert "Overdue" in plain


def test_redact_hides_a_full_child_name_in_every_format(tmp_path: Path) -> None:
    repo = tmp_path / "cases"
    shutil.copytree(CASES, repo, ignore=shutil.ignore_patterns(".ppt-cache"))
    path = repo / "concord" / "CON-2026-0125.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('name: "R. P."', 'name: "Rosalind Pemberton"'), encoding="utf-8")
    plain = _table(repo, "-n", 10, "--case", "CON-2026-0125")
    assert "Rosalind Pemberton" in plain  # the control: without --redact the name is shown
    for fmt in ("table", "json", "csv", "ics"):
        text = _table(repo, "-n", 10, "--redact", "--format", fmt)
        assert "Rosalind" not in text and "Pemberton" not in text, fmt
        assert "2025-06-30" not in text, fmt  # the child's date of birth
    assert "R. P." in _table(repo, "-n", 10, "--redact", "--case", "CON-2026-0125")


# --- 7. CSV, exit codes and bad input --------------------------------------------------------


def test_csv_has_the_spec_columns_and_the_same_obligations_as_json() -> None:
    result = ppt("due", CASES, "--as-of", AS_OF, "-n", 10, "--format", "csv")
    assert result.returncode == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == SPEC_COLUMNS
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    findings = due_json(CASES, "-n", 10)["findings"]
    assert [(r["case"], r["rule"], r["subject"]) for r in records] == [(f["case"], f["rule"], f["subject"]) for f in findings]
    for record, f in zip(records, findings):
        assert record["due"] == f["due"] and record["status"] == f["status"]
        assert record["responsible"].split(";") == f["responsible"]


def test_exit_code_is_zero_with_overdue_items_unless_asked_to_fail() -> None:
    findings = due_json(CASES, "-n", 10)["findings"]  # asserts exit 0
    assert any(f["status"] == "overdue" for f in findings)
    assert ppt("due", CASES, "--as-of", AS_OF, "--fail-on", "overdue").returncode == 1
    assert ppt("due", CASES, "--as-of", AS_OF, "--office", "concord", "--rule", "CPSW-I.B", "--fail-on", "overdue").returncode == 0
    assert ppt("due", CASES, "--as-of", AS_OF, "--rule", "CPSW-I.B", "--fail-on", "open").returncode == 1
    bad = ppt("due", CASES, "--as-of", AS_OF, "--fail-on", "overdu")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_an_invalid_case_file_exits_2_and_the_valid_cases_are_still_listed(tmp_path: Path) -> None:
    repo = tmp_path / "cases"
    shutil.copytree(CASES, repo, ignore=shutil.ignore_patterns(".ppt-cache"))
    expected = keys(due_json(repo, "-n", 10)["findings"])
    broken = repo / "concord" / "CON-2026-0999.yaml"
    broken.write_text(
        "id: CON-2026-0999\nprogram: cps\noffice: concord\n"
        'child: {name: "X. Y.", born: 2016-01-01}\nteam: {cpsw: c.rivera}\n'
        "placements:\n  - {date: 2026-11-20, notifed_ppt: 2026-11-20}\n",
        encoding="utf-8",
    )
    report = due_json(repo, "-n", 10, rc=2)
    assert keys(report["findings"]) == expected
    (problem,) = report["problems"]
    assert problem["file"] == "concord/CON-2026-0999.yaml" and problem["line"] == 7
    assert "notifed_ppt" in problem["message"]
    for fmt in ("csv", "ics", "table"):
        result = ppt("due", repo, "--as-of", AS_OF, "-n", 10, "--format", fmt)
        assert result.returncode == 2, fmt
        assert "CON-2026-0999.yaml:7" in result.stdout + result.stderr, fmt
        assert "CON-2026-0125" in result.stdout, fmt
        assert "Traceback" not in result.stderr
