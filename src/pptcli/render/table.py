"""--format table: what a supervisor reads in a terminal (rich), for `ppt check` and `ppt due`."""

from __future__ import annotations

import io

from rich.console import Console, RenderableType
from rich.text import Text

from pptcli.calendar import BusinessCalendar
from pptcli.model.finding import NONCOMPLIANT, Finding, Report, Status
from pptcli.render import rich_parts as parts
from pptcli.render.base import (
    RenderOptions,
    by_responsible,
    due_order,
    long_day,
    person,
    plural,
    relative_day,
    short_day,
    shown,
)
from pptcli.summary import by_office, by_worker, counts_of, report_keys

# --- ppt check: by worker --------------------------------------------------------------------

CHECK_HEADERS = (
    "case",
    "rule",
    "subject",
    "due",
    "status",
    "late (bus. days)",
    "authority",
    "detail",
)


def _late(f: Finding) -> str:
    return str(f.business_days_late) if f.status in (Status.LATE, Status.OVERDUE) else ""


def _check_cells(f: Finding) -> list[RenderableType]:
    return [
        parts.case(f),
        parts.rule(f),
        Text(f.subject),
        short_day(f.due),
        parts.status(f),
        _late(f),
        parts.authority(f),
        Text(f.detail),
    ]


def _check_meta(f: Finding) -> str:
    late = f", {plural(f.business_days_late, 'business day')} late" if _late(f) else ""
    return f"due {short_day(f.due) or '(no date)'}{late} · {f.source}"


def _check(console: Console, report: Report, options: RenderOptions) -> None:
    findings = shown(report, options, brief=True)
    every = counts_of(report).status
    counts = {s: every.get(str(s), 0) for s in NONCOMPLIANT}
    obligations = sum(n for s, n in every.items() if s != str(Status.NA))
    tally = ", ".join(f"{counts[s]} {s}" for s in (Status.LATE, Status.MISSED, Status.OVERDUE))
    console.print(
        Text(
            f"PPT compliance as of {short_day(report.as_of)}: {tally} "
            f"of {plural(obligations, 'obligation')} in {plural(report.cases, 'case')}",
            style="bold",
        )
    )
    for staff_id, group in by_responsible(findings).items():
        office = report.office_of.get(staff_id)
        group = sorted(group, key=due_order)  # overdue first: it is the one still actionable
        block = parts.findings_block(group, CHECK_HEADERS, _check_cells, _check_meta, console.width)
        parts.titled(console, person(report, staff_id) + (f" — {office}" if office else ""), block)
    if any(f.authority == "assumed" for f in findings):
        console.print(Text(parts.ASSUMED_NOTE, style="dim"))
    if not any(counts.values()):
        console.print()
        console.print(
            Text(
                f"No late, missed or overdue obligations as of {short_day(report.as_of)}.",
                style="green",
            )
        )
    if report.findings or report.counts:
        keys = report_keys(report)
        parts.titled(
            console,
            "On-time rate by worker",
            parts.tally_table(report, by_worker(report), keys, workers=True, width=console.width),
        )
        parts.titled(
            console,
            "On-time rate by office",
            parts.tally_table(report, by_office(report), keys, workers=False, width=console.width),
        )


# --- ppt due: by day -------------------------------------------------------------------------

DUE_HEADERS = ("case", "rule", "subject", "responsible", "due", "bus. days", "authority", "detail")


def _due_groups(findings: list[Finding], report: Report) -> dict[str, list[Finding]]:
    """Overdue first, then one group per due day ('Tuesday 2026-11-24 (tomorrow)'), then undated."""
    groups: dict[str, list[Finding]] = {}
    for f in findings:  # already in due order, so the groups come out in order too
        if f.status is Status.OVERDUE:
            title = "Overdue"
        elif f.due is None:
            title = "No due date yet"
        else:
            when = relative_day(f.due, report.as_of)
            title = long_day(f.due) + (f" ({when})" if when else "")
        groups.setdefault(title, []).append(f)
    return groups


class _DueView:
    """Cells of the due view; business days left need the report's date and a calendar."""

    def __init__(self, report: Report, calendar: BusinessCalendar) -> None:
        self.report, self.calendar = report, calendar

    def _days(self, f: Finding) -> tuple[int, str] | None:
        if f.status is Status.OVERDUE:
            return f.business_days_late, "late"
        if f.due is None:
            return None
        # business_days_late(a, b) counts the business days in (a, b]: the days left to act.
        return self.calendar.business_days_late(self.report.as_of, f.due, f.office), "left"

    def days(self, f: Finding) -> str:
        days = self._days(f)
        return f"{days[0]} {days[1]}" if days else ""

    def people(self, f: Finding) -> str:
        return "\n".join(person(self.report, s) for s in f.responsible)

    def cells(self, f: Finding) -> list[RenderableType]:
        return [
            parts.case(f),
            parts.rule(f),
            Text(f.subject),
            Text(self.people(f)),
            short_day(f.due),
            self.days(f),
            parts.authority(f),
            Text(f.detail),
        ]

    def meta(self, f: Finding) -> str:
        who = "; ".join(person(self.report, s) for s in f.responsible)
        days = self._days(f)
        left = f" · {plural(days[0], 'business day')} {days[1]}" if days else ""
        return f"{who} · due {short_day(f.due) or '(no date)'}{left} · {f.source}"


def _worker_line(report: Report, staff_id: str, findings: list[Finding]) -> Text:
    overdue = sum(1 for f in findings if f.status is Status.OVERDUE)
    upcoming = [f.due for f in findings if f.status is Status.OPEN and f.due is not None]
    parts_ = [f"{overdue} overdue", f"{sum(1 for f in findings if f.status is Status.OPEN)} open"]
    if upcoming:
        when = relative_day(min(upcoming), report.as_of)
        parts_.append(f"next due {short_day(min(upcoming))}" + (f" ({when})" if when else ""))
    office = report.office_of.get(staff_id)
    return Text(f"{person(report, staff_id)}{f', {office}' if office else ''}: {', '.join(parts_)}")


def _due(console: Console, report: Report, options: RenderOptions) -> None:
    findings = shown(report, options, brief=True)
    if not findings:
        console.print(
            Text(f"Nothing open or overdue as of {short_day(report.as_of)}.", style="green")
        )
        return
    view = _DueView(report, options.calendar or BusinessCalendar())
    console.print(
        Text(f"Open and overdue obligations as of {short_day(report.as_of)}", style="bold")
    )
    for title, group in _due_groups(findings, report).items():
        parts.titled(
            console,
            title,
            parts.findings_block(group, DUE_HEADERS, view.cells, view.meta, console.width),
        )
    if any(f.authority == "assumed" for f in findings):
        console.print(Text(parts.ASSUMED_NOTE, style="dim"))
    console.print()
    for staff_id, group in by_responsible(findings).items():
        console.print(_worker_line(report, staff_id, group))


def render(report: Report, options: RenderOptions) -> str:
    out = io.StringIO()
    console = Console(
        file=out,
        width=options.width or 120,
        force_terminal=options.color,
        no_color=not options.color,
        color_system="standard" if options.color else None,
        highlight=False,
        emoji=False,
    )
    if options.view == "check":
        _check(console, report, options)
    else:
        _due(console, report, options)
    if report.problems:
        console.print()
        for problem in report.problems:
            console.print(Text(problem.render(), style="red"))
    # rich pads wrapped grid rows to the full width; trailing blanks only get in a diff's way.
    return "".join(line.rstrip() + "\n" for line in out.getvalue().splitlines())
