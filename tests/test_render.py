"""Rendering a report in every format (SPEC 6, 7), as the supervisor and CI would read it."""

from __future__ import annotations

import csv
import dataclasses
import io
import itertools
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from typing import Any

import icalendar
import jsonschema
import pytest

from pptcli.calendar import BusinessCalendar, Closure
from pptcli.model.finding import Finding, Report, Status
from pptcli.problems import Problem
from pptcli.render import Format, initials, render
from pptcli.render.json_ import report_schema
from pptcli.summary import summarize

AS_OF = date(2026, 11, 23)  # a Monday; Thanksgiving is Thursday 2026-11-26
SPEC_FINDING_KEYS = [
    "case",
    "office",
    "program",
    "rule",
    "title",
    "source",
    "authority",
    "responsible",
    "accountable",
    "subject",
    "trigger",
    "due",
    "done",
    "status",
    "business_days_late",
    "detail",
    "file",
    "line",
]
ANSI = re.compile(r"\x1b\[")


def finding(**changes: Any) -> Finding:
    """SPEC 7's example finding: page 1 of the screen overdue for CON-2026-0042."""
    base = Finding(
        case="CON-2026-0042",
        office="concord",
        program="cps",
        rule="CPSW-I.C",
        title="Complete page 1 of the PPT screen",
        source="CPSW PPT SOP I.C",
        authority="sop",
        responsible=("c.rivera",),
        accountable=("m.okafor",),
        subject="meeting 2026-11-30",
        trigger=date(2026, 11, 30),
        due=date(2026, 11, 19),
        done=None,
        status=Status.OVERDUE,
        business_days_late=2,
        detail="screen_completed not recorded",
        file="concord/CON-2026-0042.yaml",
        line=57,
        quote="Complete page 1 of the PPT screen three business days prior to the meeting.",
        child="Jordan Doe",
        born=date(2012, 5, 14),
    )
    if "rule" in changes and "source" not in changes:  # "CPSW-I.A.2" -> "CPSW PPT SOP I.A.2"
        sop, section = changes["rule"].split("-", 1)
        changes["source"] = f"{sop} PPT SOP {section}"
    return dataclasses.replace(base, **changes)


def met(**changes: Any) -> Finding:
    return finding(
        **{
            "rule": "CPSW-I.A.1",
            "title": "Notify the PPT of the placement",
            "subject": "placement 2026-01-12",
            "trigger": date(2026, 1, 12),
            "due": date(2026, 1, 12),
            "done": date(2026, 1, 12),
            "status": Status.MET,
            "business_days_late": 0,
            "detail": "",
            "line": 24,
            **changes,
        }
    )


def open_(**changes: Any) -> Finding:
    return finding(
        **{
            "rule": "CPSW-I.D",
            "title": "Gather information before the meeting",
            "due": date(2026, 11, 27),
            "status": Status.OPEN,
            "business_days_late": 0,
            "detail": "",
            **changes,
        }
    )


def report(*findings: Finding, problems: tuple[Problem, ...] = (), cases: int = 2) -> Report:
    return Report(
        as_of=AS_OF,
        cases=cases,
        findings=findings,
        problems=problems,
        office_of={"c.rivera": "concord", "t.nguyen": "concord", "d.walsh": "manchester"},
        names={"c.rivera": "Carmen Rivera", "t.nguyen": "Thanh Nguyen", "d.walsh": "Dana Walsh"},
    )


# A realistic office: Carmen has one of each status, a JPPO in Manchester has a late notice.
MIXED = report(
    finding(),
    met(),
    finding(
        rule="CPSW-I.A.2",
        subject="placement 2026-05-01",
        title="Notify the PPT of a change in placement",
        trigger=date(2026, 5, 1),
        due=date(2026, 5, 4),
        done=date(2026, 5, 6),
        status=Status.LATE,
        business_days_late=2,
        detail="notified_ppt 2026-05-06",
        line=30,
    ),
    finding(
        rule="CPSW-I.E",
        subject="meeting 2026-03-05",
        title="Attend prepared",
        trigger=date(2026, 3, 5),
        due=date(2026, 3, 5),
        done=None,
        status=Status.MISSED,
        business_days_late=0,
        detail="not discussed: barriers",
        line=41,
    ),
    open_(responsible=("c.rivera", "t.nguyen"), authority="assumed"),
    finding(
        rule="CPSW-I.B",
        subject="court action 2026-06-10",
        status=Status.WAIVED,
        due=date(2026, 6, 11),
        trigger=date(2026, 6, 10),
        business_days_late=0,
        detail="waiver approved by m.okafor",
    ),
    finding(
        rule="CPSW-I.G",
        subject="early permanency 2026-07-01",
        status=Status.NA,
        due=None,
        business_days_late=0,
        detail="",
    ),
    finding(
        case="MAN-2026-0007",
        office="manchester",
        program="jjs",
        rule="JPPO-I.A.1",
        responsible=("d.walsh",),
        accountable=("r.singh",),
        subject="placement 2026-09-04",
        trigger=date(2026, 9, 4),
        due=date(2026, 9, 4),
        done=date(2026, 9, 9),
        status=Status.LATE,
        business_days_late=3,
        detail="notified_ppt 2026-09-09",
        file="manchester/MAN-2026-0007.yaml",
        line=12,
        child="Sam Roe",
        born=date(2010, 2, 3),
    ),
    problems=(
        Problem(
            "concord/CON-2026-0050.yaml",
            3,
            5,
            'unknown key "notifed_ppt" (did you mean "notified_ppt"?)',
        ),
    ),
)


# --- summary (SPEC 7) ------------------------------------------------------------------------


def test_on_time_rate_is_met_over_met_late_missed_overdue() -> None:
    summary = summarize(MIXED)
    carmen = next(w for w in summary["by_worker"] if w["id"] == "c.rivera")
    # met 1; late 1, missed 1, overdue 1: open and waived are not rated
    assert carmen == {
        "id": "c.rivera",
        "met": 1,
        "late": 1,
        "missed": 1,
        "overdue": 1,
        "open": 1,
        "waived": 1,
        "n/a": 1,
        "on_time_rate": 0.25,
    }


def test_on_time_rate_rounds_to_three_decimals() -> None:
    r = report(
        met(),
        met(subject="placement 2026-02-01"),
        finding(status=Status.LATE, done=date(2026, 11, 20)),
    )
    assert summarize(r)["by_worker"][0]["on_time_rate"] == 0.667


def test_on_time_rate_is_null_when_nothing_is_rated_yet() -> None:
    r = report(open_(), finding(status=Status.WAIVED))
    assert summarize(r)["by_worker"] == [
        {
            "id": "c.rivera",
            "met": 0,
            "late": 0,
            "missed": 0,
            "overdue": 0,
            "open": 1,
            "waived": 1,
            "on_time_rate": None,
        }
    ]


def test_by_status_has_every_status_but_na_unless_present() -> None:
    assert summarize(report(finding()))["by_status"] == {
        "met": 0,
        "late": 0,
        "missed": 0,
        "overdue": 1,
        "open": 0,
        "waived": 0,
    }
    by_status = summarize(MIXED)["by_status"]
    assert by_status == {
        "met": 1,
        "late": 2,
        "missed": 1,
        "overdue": 1,
        "open": 1,
        "waived": 1,
        "n/a": 1,
    }


def test_obligations_exclude_na_and_shared_duties_count_for_each_worker() -> None:
    summary = summarize(MIXED)
    assert summary["cases"] == 2
    assert summary["obligations"] == 7
    assert [w["id"] for w in summary["by_worker"]] == ["c.rivera", "d.walsh", "t.nguyen"]
    nguyen = summary["by_worker"][2]
    assert (nguyen["open"], nguyen["on_time_rate"]) == (1, None)
    assert [(o["id"], o["late"], o["on_time_rate"]) for o in summary["by_office"]] == [
        ("concord", 1, 0.25),
        ("manchester", 1, 0.0),
    ]


# --- json ------------------------------------------------------------------------------------


def test_json_is_exactly_spec_7_and_validates_against_the_shipped_schema() -> None:
    data = json.loads(render(MIXED, Format.JSON, view="check"))
    jsonschema.validate(
        data, report_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    assert list(data) == ["as_of", "summary", "findings", "problems"]
    assert data["as_of"] == "2026-11-23"
    assert list(data["summary"])[:4] == ["cases", "obligations", "by_status", "by_worker"]
    assert all(list(f) == SPEC_FINDING_KEYS for f in data["findings"])
    assert data["findings"][0] == {
        "case": "CON-2026-0042",
        "office": "concord",
        "program": "cps",
        "rule": "CPSW-I.C",
        "title": "Complete page 1 of the PPT screen",
        "source": "CPSW PPT SOP I.C",
        "authority": "sop",
        "responsible": ["c.rivera"],
        "accountable": ["m.okafor"],
        "subject": "meeting 2026-11-30",
        "trigger": "2026-11-30",
        "due": "2026-11-19",
        "done": None,
        "status": "overdue",
        "business_days_late": 2,
        "detail": "screen_completed not recorded",
        "file": "concord/CON-2026-0042.yaml",
        "line": 57,
    }
    assert data["problems"] == [
        {
            "file": "concord/CON-2026-0050.yaml",
            "line": 3,
            "column": 5,
            "message": 'unknown key "notifed_ppt" (did you mean "notified_ppt"?)',
        }
    ]


def test_json_check_shows_met_but_not_na_unless_all() -> None:
    statuses = [
        f["status"] for f in json.loads(render(MIXED, Format.JSON, view="check"))["findings"]
    ]
    assert "met" in statuses and "n/a" not in statuses
    everything = json.loads(render(MIXED, Format.JSON, view="check", show_all=True))
    jsonschema.validate(everything, report_schema())
    assert len(everything["findings"]) == len(MIXED.findings)


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d["findings"][0].update(child="Jordan Doe"),  # SPEC 7 has no child key
        lambda d: d["findings"][0].update(status="pending"),
        lambda d: d["findings"][0].update(due="11/19/2026"),
        lambda d: d["problems"][0].pop("column"),
        lambda d: d["summary"]["by_worker"][0].pop("on_time_rate"),
    ],
)
def test_schema_rejects_what_spec_7_does_not_allow(breakage: Any) -> None:
    data = json.loads(render(MIXED, Format.JSON, view="check"))
    breakage(data)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, report_schema())


def test_json_due_lists_overdue_first_then_soonest() -> None:
    r = report(
        open_(due=date(2026, 11, 30)),
        open_(subject="meeting 2026-12-01", due=date(2026, 11, 24)),
        finding(),
    )
    data = json.loads(render(r, Format.JSON, view="due"))
    assert [(f["status"], f["due"]) for f in data["findings"]] == [
        ("overdue", "2026-11-19"),
        ("open", "2026-11-24"),
        ("open", "2026-11-30"),
    ]


# --- csv -------------------------------------------------------------------------------------


def test_csv_parses_back_with_spec_7_columns() -> None:
    text = render(MIXED, Format.CSV, view="check")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == SPEC_FINDING_KEYS
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert len(records) == 7  # n/a left out
    shared = next(r for r in records if r["rule"] == "CPSW-I.D")
    assert shared["responsible"] == "c.rivera;t.nguyen"
    assert shared["done"] == ""
    assert records[0]["due"] == "2026-11-19" and records[0]["business_days_late"] == "2"


def test_csv_quotes_commas_and_quotes_in_free_text() -> None:
    r = report(finding(subject='task 2026-03-05 "Home study, maternal aunt"'))
    (row,) = csv.DictReader(io.StringIO(render(r, Format.CSV, view="check")))
    assert row["subject"] == 'task 2026-03-05 "Home study, maternal aunt"'


# --- junit -----------------------------------------------------------------------------------


def test_junit_has_a_suite_per_rule_and_fails_late_missed_overdue() -> None:
    root = ET.fromstring(render(MIXED, Format.JUNIT, view="check", show_all=True))
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {
        "CPSW-I.A.1",
        "CPSW-I.A.2",
        "CPSW-I.B",
        "CPSW-I.C",
        "CPSW-I.D",
        "CPSW-I.E",
        "CPSW-I.G",
        "JPPO-I.A.1",
        "ppt validate",
    }
    assert len(root.findall(".//failure")) == 4  # 2 late, 1 missed, 1 overdue
    assert (root.get("failures"), root.get("skipped"), root.get("errors")) == ("4", "1", "1")
    overdue = suites["CPSW-I.C"].find("testcase")
    assert overdue is not None
    assert (overdue.get("name"), overdue.get("classname")) == (
        "CON-2026-0042 meeting 2026-11-30",
        "CPSW-I.C",
    )
    failure = overdue.find("failure")
    assert failure is not None and "overdue" in failure.get("message", "")
    assert "screen_completed not recorded" in (failure.text or "")
    assert suites["CPSW-I.G"].find("testcase/skipped") is not None
    waived = suites["CPSW-I.B"].find("testcase")
    assert waived is not None and waived.find("failure") is None
    assert "waiver approved" in (waived.findtext("system-out") or "")
    assert suites["CPSW-I.A.1"].find("testcase/failure") is None


def test_junit_escapes_xml_in_free_text() -> None:
    r = report(finding(detail='provider <Smith & "Jones">'))
    failure = ET.fromstring(render(r, Format.JUNIT, view="check")).find(".//failure")
    assert failure is not None and 'provider <Smith & "Jones">' in (failure.text or "")


# --- ics -------------------------------------------------------------------------------------


def _events(text: str) -> list[Any]:
    return list(icalendar.Calendar.from_ical(text).walk("VEVENT"))


def test_ics_has_one_all_day_event_per_dated_obligation() -> None:
    r = report(finding(), open_(), open_(subject="next PPT after 2026-11-30", due=None))
    cal = icalendar.Calendar.from_ical(render(r, Format.ICS, view="due"))
    assert str(cal["PRODID"]) == "-//ppt//PPT compliance//EN" and str(cal["VERSION"]) == "2.0"
    events = _events(render(r, Format.ICS, view="due"))
    assert len(events) == 2  # the undated one has no day to sit on
    overdue, upcoming = events
    assert overdue.decoded("DTSTART") == date(2026, 11, 19)
    assert overdue.decoded("DTEND") == date(2026, 11, 20)
    assert (
        str(overdue["SUMMARY"])
        == "OVERDUE: CON-2026-0042 CPSW-I.C: Complete page 1 of the PPT screen (meeting 2026-11-30)"
    )
    assert (
        str(upcoming["SUMMARY"]) == "CON-2026-0042 CPSW-I.D: Gather information before the meeting (meeting 2026-11-30)"
    )
    assert overdue.decoded("DTSTAMP") == datetime(2026, 11, 23, tzinfo=UTC)
    description = str(overdue["DESCRIPTION"])
    for expected in (
        "meeting 2026-11-30",
        "overdue",
        "CPSW PPT SOP I.C",
        "sop",
        "three business days prior to the meeting",
        "concord/CON-2026-0042.yaml:57",
    ):
        assert expected in description


def test_ics_uid_is_stable_per_obligation_whatever_its_status() -> None:
    before = _events(render(report(finding(), open_()), Format.ICS, view="due"))
    done = finding(status=Status.LATE, done=date(2026, 11, 24), business_days_late=3)
    after = _events(render(report(done, open_()), Format.ICS, view="check"))
    assert [str(e["UID"]) for e in before] == [str(e["UID"]) for e in after]
    assert len({str(e["UID"]) for e in before}) == 2
    assert all(str(e["UID"]).endswith("@ppt") for e in before)


def test_ics_is_reproducible_and_stamped_with_the_as_of_date_not_the_clock() -> None:
    assert render(MIXED, Format.ICS, view="check") == render(MIXED, Format.ICS, view="check")
    # a past report: the test machine's clock may well read AS_OF itself
    past = dataclasses.replace(report(finding()), as_of=date(2026, 11, 20))
    (event,) = _events(render(past, Format.ICS, view="due"))
    assert event.decoded("DTSTAMP") == datetime(2026, 11, 20, tzinfo=UTC)


# --- table: ppt check ------------------------------------------------------------------------


def test_check_table_groups_non_compliant_findings_by_worker() -> None:
    text = render(MIXED, Format.TABLE, view="check", width=160)
    carmen, walsh = (
        text.index("Carmen Rivera (c.rivera) — concord"),
        text.index("Dana Walsh (d.walsh) — manchester"),
    )
    assert carmen < walsh
    assert "MAN-2026-0007" in text[walsh:]
    assert "MAN-2026-0007" not in text[carmen:walsh]
    for shown in (
        "meeting 2026-11-30",
        "placement 2026-05-01",
        "meeting 2026-03-05",
        "Thu 2026-11-19",
    ):
        assert shown in text[carmen:walsh]
    # met, open, waived and n/a are not shown without --all
    for hidden in (
        "placement 2026-01-12",
        "court action 2026-06-10",
        "early permanency 2026-07-01",
    ):
        assert hidden not in text
    assert "No late, missed or overdue" not in text


def test_check_table_with_all_lists_a_shared_duty_under_each_worker_and_marks_assumptions() -> None:
    text = render(MIXED, Format.TABLE, view="check", show_all=True, width=160)
    nguyen = text.index("Thanh Nguyen (t.nguyen) — concord")
    assert (
        "CPSW-I.D"
        in text[text.index("Carmen Rivera (c.rivera)") : text.index("Dana Walsh (d.walsh)")]
    )
    assert "CPSW-I.D" in text[nguyen : text.index("On-time rate by worker")]
    assert "ASSUMED" in text and "early permanency 2026-07-01" in text


def test_check_table_ends_with_on_time_rates_per_worker_and_office() -> None:
    text = render(MIXED, Format.TABLE, view="check", width=160)
    workers = text[text.index("On-time rate by worker") : text.index("On-time rate by office")]
    assert re.search(r"Carmen Rivera \(c\.rivera\).*25\.0%", workers)
    assert re.search(r"Thanh Nguyen \(t\.nguyen\).*—", workers)
    offices = text[text.index("On-time rate by office") :]
    assert re.search(r"manchester .*0\.0%", offices)


def test_check_table_says_so_when_nothing_is_late() -> None:
    text = render(report(met(), open_()), Format.TABLE, view="check")
    assert "No late, missed or overdue obligations as of Mon 2026-11-23" in text
    assert "CPSW-I.A.1" not in text.split("On-time rate")[0]


def test_table_lists_problems_as_path_line_col() -> None:
    text = render(MIXED, Format.TABLE, view="check", width=200)
    assert 'concord/CON-2026-0050.yaml:3:5: error: unknown key "notifed_ppt"' in text


def test_table_prints_user_text_literally_not_as_rich_markup() -> None:
    text = render(
        report(finding(detail="[bold]see [red]file[/red]")), Format.TABLE, view="check", width=200
    )
    assert "[bold]see [red]file[/red]" in text


# --- table: ppt due --------------------------------------------------------------------------

DUE = report(
    open_(due=date(2026, 11, 30), subject="meeting 2026-12-02"),
    open_(due=date(2026, 11, 24), subject="meeting 2026-11-25"),
    finding(),
    open_(
        due=date(2026, 11, 23),
        rule="CPSW-I.E",
        subject="meeting 2026-11-23",
        responsible=("t.nguyen",),
    ),
)


def test_due_table_groups_by_day_overdue_first_with_today_and_tomorrow() -> None:
    text = render(DUE, Format.TABLE, view="due", width=160)
    headings = [line for line in text.splitlines() if re.match(r"^(Overdue|\w+day 2026-)", line)]
    assert headings == [
        "Overdue",
        "Monday 2026-11-23 (today)",
        "Tuesday 2026-11-24 (tomorrow)",
        "Monday 2026-11-30",
    ]
    assert re.search(r"2 late", text[: text.index("Monday 2026-11-23")])


def test_due_table_counts_business_days_left_over_thanksgiving() -> None:
    text = render(DUE, Format.TABLE, view="due", width=160)
    # Tue 24, Wed 25, then Thanksgiving and the day after, the weekend, Mon 30: 3 business days
    assert re.search(r"Mon 2026-11-30 +3 left", text)
    assert re.search(r"Tue 2026-11-24 +1 left", text)
    closed = BusinessCalendar(closures=[Closure(date(2026, 11, 24), "Ice storm", office="concord")])
    assert re.search(
        r"Mon 2026-11-30 +2 left",
        render(DUE, Format.TABLE, view="due", width=160, calendar=closed),
    )


def test_due_table_ends_with_one_line_per_worker() -> None:
    lines = render(DUE, Format.TABLE, view="due", width=160).splitlines()
    assert (
        "Carmen Rivera (c.rivera), concord: 1 overdue, 2 open, next due Tue 2026-11-24 (tomorrow)"
        in lines
    )
    assert (
        "Thanh Nguyen (t.nguyen), concord: 0 overdue, 1 open, next due Mon 2026-11-23 (today)"
        in lines
    )


def test_due_table_when_nothing_is_due() -> None:
    assert "Nothing open or overdue as of Mon 2026-11-23" in render(
        report(), Format.TABLE, view="due"
    )


# --- markdown --------------------------------------------------------------------------------


def test_markdown_has_a_summary_and_a_table_per_worker_with_pipes_escaped() -> None:
    r = report(finding(detail="parents | child not consulted"), met())
    text = render(r, Format.MARKDOWN, view="check")
    assert text.startswith("# PPT compliance as of Mon 2026-11-23\n")
    assert (
        "## Summary by worker" in text
        and "| Carmen Rivera (c.rivera) | concord | 1 | 0 | 0 | 1 |" in text
    )
    assert "## Carmen Rivera (c.rivera) — concord" in text
    assert "parents \\| child not consulted" in text
    table_rows = [line for line in text.splitlines() if line.startswith("| CON-")]
    assert len(table_rows) == 1  # the met finding is not listed
    assert len(re.findall(r"(?<!\\)\|", table_rows[0])) == 11  # 10 cells


# --- colour and redaction (every format) -----------------------------------------------------


@pytest.mark.parametrize("fmt", list(Format))
@pytest.mark.parametrize("view", ["check", "due"])
def test_no_colour_escapes_unless_asked(
    fmt: Format, view: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")  # a CI setting must not leak escapes into files
    assert not ANSI.search(render(MIXED, fmt, view=view, show_all=True))


def test_colour_when_asked() -> None:
    assert ANSI.search(render(MIXED, Format.TABLE, view="check", color=True))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Jordan Doe", "J. D."),
        ("J. D.", "J. D."),
        ("jordan de la cruz", "J. D. L. C."),
        ("Cher", "C."),
        ("", ""),
    ],
)
def test_initials(name: str, expected: str) -> None:
    assert initials(name) == expected


@pytest.mark.parametrize("fmt", list(Format))
def test_redact_leaves_no_child_name_or_birth_date(fmt: Format) -> None:
    leaky = report(finding(detail="APPLA: Jordan Doe, born 2012-05-14, is under 16"), met())
    plain = render(leaky, fmt, view="check", show_all=True, width=300)
    redacted = render(leaky, fmt, view="check", show_all=True, redact=True, width=300)
    assert "Jordan Doe" in plain  # the test can see a leak: the detail carries the name
    assert "Jordan Doe" not in redacted and "2012-05-14" not in redacted
    if fmt in (Format.TABLE, Format.MARKDOWN):
        assert "J. D." in redacted


@pytest.mark.parametrize("fmt", [Format.JSON, Format.CSV])
def test_json_and_csv_never_carry_the_child(fmt: Format) -> None:
    text = render(report(finding(detail="")), fmt, view="check")
    assert "Jordan" not in text and "J. D." not in text and "2012-05-14" not in text


@pytest.mark.parametrize("width", [120, 160])
@pytest.mark.parametrize("view", ["check", "due"])
def test_table_puts_each_finding_on_one_aligned_line_in_full(width: int, view: Any) -> None:
    long = "the JPPO (g.duarte) is not among those who set the plan; " * 4
    r = report(*MIXED.findings, finding(rule="CPSW-Q1", detail=long)) if view == "check" else DUE
    text = render(r, Format.TABLE, view=view, show_all=True, width=width)
    lines = text.splitlines()
    assert all(line == line.rstrip() for line in lines)
    for f in r.findings:
        line = next(line for line in lines if f" {f.rule} " in line and f.subject in line)
        # nothing wrapped or cut: the detail, however long, ends the finding's own line
        assert line.startswith(f"  {f.case}  ") and line.endswith(f.detail.strip())
    # every due date of a block starts under the block's "due" header
    headers = [i for i, line in enumerate(lines) if line.startswith("  case ")]
    assert headers
    for i in headers:
        column = lines[i].index(" due ") + 1
        rows = list(itertools.takewhile(lambda row: row.startswith("  "), lines[i + 1 :]))
        assert rows and all(re.match(r"\w{3} 2026-|  ", row[column:]) for row in rows)


def test_narrow_terminal_gets_one_entry_per_finding_instead_of_a_squeezed_table() -> None:
    text = render(MIXED, Format.TABLE, view="check", width=80)
    carmen = text[text.index("Carmen Rivera (c.rivera) — concord") : text.index("Dana Walsh")]
    assert "overdue CON-2026-0042 (Jordan Doe)  CPSW-I.C  meeting 2026-11-30" in carmen
    assert "due Thu 2026-11-19, 2 business days late · CPSW PPT SOP I.C" in carmen
    assert "screen_completed not recorded" in carmen
    due = render(DUE, Format.TABLE, view="due", width=80)
    assert "Carmen Rivera (c.rivera) · due Mon 2026-11-30 · 3 business days left" in due


def test_a_grid_fitted_in_batches_then_printed_is_the_grid_of_the_rows_in_hand() -> None:
    """textgrid.Grid, which the due table uses to read a block twice from disk: fitted a few
    rows at a time, it lays out the text `grid` does with every row at once."""
    from pptcli.render import textgrid as tg

    columns = (tg.Column("case"), tg.Column("child", optional=True), tg.Column("days", right=True), tg.Column("subject", cap=8), tg.Column("detail"))
    rows = [
        ("CON-1", "", "3", "short", "a"),
        ("CON-22", "", ("12", tg.RED), "a subject longer than its cap", ""),
        ("KEE-333", "", "", "漢字の件名", "wide"),
        ("MAN-4", "", "1", "tab\there", "control"),
        ("NAS-55555", "", "100", "x", ""),
    ]
    for color in (False, True):
        for batch in (1, 2, 3, 100):
            layout = tg.Grid(columns, color=color)
            layout.fit(rows, batch=batch)
            assert list(layout.lines(rows)) == tg.grid(columns, rows, color=color), (color, batch)
