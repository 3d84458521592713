"""--format table: what a supervisor reads in a terminal, for `ppt check` and `ppt due`.

Aligned plain text, one line per finding (render/textgrid.py): a statewide report has tens
of thousands of lines, and a layout engine that measures and wraps every cell took seconds.
"""

from __future__ import annotations

from pptcli.calendar import BusinessCalendar
from pptcli.model.finding import NONCOMPLIANT, Finding, Report, Status
from pptcli.render import table_parts as parts
from pptcli.render import textgrid as tg
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


def _columns(width: int, *middle: tg.Column) -> tuple[tg.Column, ...]:
    """The columns of a findings block. Only the subject is capped, and it comes last but one:
    a longer subject then pushes only the detail to the right, never the columns one scans."""
    return (
        tg.Column("case"),
        tg.Column("child", optional=True),
        tg.Column("rule"),
        *middle,
        tg.Column("bus. days", right=True),
        tg.Column("authority"),
        tg.Column("source"),
        tg.Column("subject", cap=48 if width >= 140 else 32),
        tg.Column("detail"),
    )


def _check_columns(width: int) -> tuple[tg.Column, ...]:
    return _columns(width, tg.Column("due"), tg.Column("status"))


def _late(f: Finding) -> str:
    late = f.status in (Status.LATE, Status.OVERDUE)
    return f"{f.business_days_late} late" if late else ""


def _check_row(f: Finding) -> tuple[tg.Cell, ...]:
    return (
        f.case,
        f.child,
        f.rule,
        short_day(f.due),
        parts.status(f),
        _late(f),
        parts.authority(f),
        (f.source, tg.DIM),
        f.subject,
        f.detail,
    )


def _check_meta(f: Finding) -> str:
    late = f", {plural(f.business_days_late, 'business day')} late" if _late(f) else ""
    return f"due {short_day(f.due) or '(no date)'}{late} · {f.source}"


def _check(report: Report, options: RenderOptions, width: int) -> list[str]:
    color = options.color
    findings = shown(report, options, brief=True)
    every = counts_of(report).status
    counts = {s: every.get(str(s), 0) for s in NONCOMPLIANT}
    obligations = sum(n for s, n in every.items() if s != str(Status.NA))
    tally = ", ".join(f"{counts[s]} {s}" for s in (Status.LATE, Status.MISSED, Status.OVERDUE))
    title = (
        f"PPT compliance as of {short_day(report.as_of)}: {tally} "
        f"of {plural(obligations, 'obligation')} in {plural(report.cases, 'case')}"
    )
    lines = [tg.paint(title, tg.BOLD, color)]
    columns = _check_columns(width)
    for staff_id, group in by_responsible(findings).items():
        office = report.office_of.get(staff_id)
        group = sorted(group, key=due_order)  # overdue first: it is the one still actionable
        lines += parts.heading(person(report, staff_id) + (f" — {office}" if office else ""), color)
        lines += parts.findings_block(
            group, columns, _check_row, _check_meta, width=width, color=color
        )
    if any(f.authority == "assumed" for f in findings):
        lines += ["", tg.paint(parts.ASSUMED_NOTE, tg.DIM, color)]
    if not any(counts.values()):
        when = short_day(report.as_of)
        none = f"No late, missed or overdue obligations as of {when}."
        lines += ["", tg.paint(none, tg.GREEN, color)]
    if report.findings or report.counts:
        keys = report_keys(report)
        for title, tallies, workers in (
            ("On-time rate by worker", by_worker(report), True),
            ("On-time rate by office", by_office(report), False),
        ):
            lines += parts.heading(title, color)
            lines += parts.tally_block(
                report, tallies, keys, workers=workers, width=width, color=color
            )
    return lines


# --- ppt due: by day -------------------------------------------------------------------------


def _due_columns(width: int) -> tuple[tg.Column, ...]:
    return _columns(width, tg.Column("responsible"), tg.Column("due"))


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

    def row(self, f: Finding) -> tuple[tg.Cell, ...]:
        return (
            f.case,
            f.child,
            f.rule,
            "; ".join(person(self.report, s) for s in f.responsible),
            short_day(f.due),
            self.days(f),
            parts.authority(f),
            (f.source, tg.DIM),
            f.subject,
            f.detail,
        )

    def meta(self, f: Finding) -> str:
        who = "; ".join(person(self.report, s) for s in f.responsible)
        days = self._days(f)
        left = f" · {plural(days[0], 'business day')} {days[1]}" if days else ""
        return f"{who} · due {short_day(f.due) or '(no date)'}{left} · {f.source}"


def _worker_line(report: Report, staff_id: str, findings: list[Finding]) -> str:
    overdue = sum(1 for f in findings if f.status is Status.OVERDUE)
    upcoming = [f.due for f in findings if f.status is Status.OPEN and f.due is not None]
    parts_ = [f"{overdue} overdue", f"{sum(1 for f in findings if f.status is Status.OPEN)} open"]
    if upcoming:
        when = relative_day(min(upcoming), report.as_of)
        parts_.append(f"next due {short_day(min(upcoming))}" + (f" ({when})" if when else ""))
    office = report.office_of.get(staff_id)
    return tg.clean(
        f"{person(report, staff_id)}{f', {office}' if office else ''}: {', '.join(parts_)}"
    )


def _due(report: Report, options: RenderOptions, width: int) -> list[str]:
    color = options.color
    findings = shown(report, options, brief=True)
    if not findings:
        nothing = f"Nothing open or overdue as of {short_day(report.as_of)}."
        return [tg.paint(nothing, tg.GREEN, color)]
    view = _DueView(report, options.calendar or BusinessCalendar())
    title = f"Open and overdue obligations as of {short_day(report.as_of)}"
    lines = [tg.paint(title, tg.BOLD, color)]
    columns = _due_columns(width)
    for heading, group in _due_groups(findings, report).items():
        lines += parts.heading(heading, color)
        lines += parts.findings_block(group, columns, view.row, view.meta, width=width, color=color)
    if any(f.authority == "assumed" for f in findings):
        lines += ["", tg.paint(parts.ASSUMED_NOTE, tg.DIM, color)]
    lines.append("")
    lines += [_worker_line(report, s, group) for s, group in by_responsible(findings).items()]
    return lines


def render(report: Report, options: RenderOptions) -> str:
    width = options.width or 120
    view = _check if options.view == "check" else _due
    lines = view(report, options, width)
    if report.problems:
        lines.append("")
        lines += [tg.paint(tg.clean(p.render()), tg.RED, options.color) for p in report.problems]
    # Trailing blanks only get in a diff's way.
    return "".join(line.rstrip() + "\n" for line in lines)
