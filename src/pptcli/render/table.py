"""--format table: what a supervisor reads in a terminal, for `ppt check` and `ppt due`.

Aligned plain text, one line per finding (render/textgrid.py): a statewide report has tens
of thousands of lines, and a layout engine that measures and wraps every cell took seconds.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pptcli.calendar import BusinessCalendar, long_day
from pptcli.model.finding import NONCOMPLIANT, UNASSIGNED, Finding, Report, Status
from pptcli.render import table_parts as parts
from pptcli.render import textgrid as tg
from pptcli.render import twofold
from pptcli.render.base import (
    RenderOptions,
    person,
    plural,
    relative_day,
    short_day,
    shown,
    worker_groups,
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


@dataclass(frozen=True)
class Mark:
    """Where a part of the check table begins (with RenderOptions.marks): a worker's block,
    or with worker None what follows the blocks. memo.py keeps each block apart, to print it
    again when only other workers' cases changed."""

    worker: str | None
    assumed: bool = False  # a finding of the block has an assumed deadline


def _check(report: Report, options: RenderOptions, width: int) -> Iterator[str | Mark]:
    color = options.color
    yield check_title(report, color)
    columns = _check_columns(width)

    def block(staff_id: str, group: list[Finding]) -> tuple[str, bool, list[str]]:
        """A worker's block, and whether a finding of it has an assumed deadline."""
        office = report.office_of.get(staff_id)
        lines = parts.heading(person(report, staff_id) + (f" — {office}" if office else ""), color)
        lines += parts.findings_block(group, columns, _check_row, _check_meta, width=width, color=color)
        return staff_id, any(f.authority == "assumed" for f in group), lines

    # Each worker's findings overdue first: still actionable.
    if report.ordered is not None:
        made = twofold.blocks(report.ordered, block)
    else:
        made = (block(staff_id, group) for staff_id, group in worker_groups(report, options))
    assumed = False
    for staff_id, held, lines in made:
        if options.marks:
            yield Mark(staff_id, held)
        yield from lines
        assumed = assumed or held
    if options.marks:
        yield Mark(None)
    yield from _check_tail(report, options, width, assumed)


def check_title(report: Report, color: bool) -> str:
    every = counts_of(report)
    counts = {s: every.status.get(str(s), 0) for s in NONCOMPLIANT}
    obligations = every.obligations
    tally = ", ".join(f"{counts[s]} {s}" for s in (Status.LATE, Status.MISSED, Status.OVERDUE))
    title = (
        f"PPT compliance as of {short_day(report.as_of)}: {tally} "
        f"of {plural(obligations, 'obligation')} in {plural(report.cases, 'case')}"
    )
    return tg.paint(title, tg.BOLD, color)


def _check_tail(report: Report, options: RenderOptions, width: int, assumed: bool) -> Iterator[str]:
    """What follows the workers' blocks: notes and the on-time rates."""
    color = options.color
    every = counts_of(report).status
    if assumed:
        yield from ["", tg.paint(parts.ASSUMED_NOTE, tg.DIM, color)]
    if not any(every.get(str(s)) for s in NONCOMPLIANT):
        when = short_day(report.as_of)
        none = f"No late, missed or overdue obligations as of {when}."
        yield from ["", tg.paint(none, tg.GREEN, color)]
    if report.findings or report.counts:
        keys = report_keys(report)
        for title, tallies, workers in (
            ("On-time rate by worker", by_worker(report), True),
            ("On-time rate by office", by_office(report), False),
        ):
            yield from parts.heading(title, color)
            yield from parts.tally_block(report, tallies, keys, workers=workers, width=width, color=color)


def check_tail(report: Report, options: RenderOptions, assumed: bool) -> str:
    """The check table after its blocks, problems included, as `lines` prints it."""
    width = options.width or 120
    return "".join(_finished(itertools.chain(_check_tail(report, options, width, assumed), _problems(report, options))))


# --- ppt due: by day -------------------------------------------------------------------------


def _due_columns(width: int) -> tuple[tg.Column, ...]:
    return _columns(width, tg.Column("responsible"), tg.Column("due"))


def _due_heading(f: Finding, as_of: dt.date) -> str:
    """'Overdue', one heading per due day ('Tuesday 2026-11-24 (tomorrow)'), or undated."""
    if f.status is Status.OVERDUE:
        return "Overdue"
    if f.due is None:
        return "No due date yet"
    when = relative_day(f.due, as_of)
    return long_day(f.due) + (f" ({when})" if when else "")


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


@dataclass
class _Load:
    """What one worker has on the due list: overdue, open, and the next open due date."""

    overdue: int = 0
    open: int = 0
    next_due: dt.date | None = None

    def add(self, f: Finding) -> None:
        if f.status is Status.OVERDUE:
            self.overdue += 1
        elif f.status is Status.OPEN:
            self.open += 1
            if f.due is not None and (self.next_due is None or f.due < self.next_due):
                self.next_due = f.due


def _worker_line(report: Report, staff_id: str, load: _Load) -> str:
    parts_ = [f"{load.overdue} overdue", f"{load.open} open"]
    if load.next_due is not None:
        when = relative_day(load.next_due, report.as_of)
        parts_.append(f"next due {short_day(load.next_due)}" + (f" ({when})" if when else ""))
    office = report.office_of.get(staff_id)
    return tg.clean(
        f"{person(report, staff_id)}{f', {office}' if office else ''}: {', '.join(parts_)}"
    )


def _due(report: Report, options: RenderOptions, width: int) -> Iterator[str]:
    color = options.color
    ordered = report.ordered
    held = shown(report, options, brief=True) if ordered is None else []

    def findings() -> Iterator[Finding]:  # in due order; read once, or twice when on disk
        return iter(held) if ordered is None else (f for _, f in ordered)

    if not (held if ordered is None else ordered):
        nothing = f"Nothing open or overdue as of {short_day(report.as_of)}."
        yield tg.paint(nothing, tg.GREEN, color)
        return
    view = _DueView(report, options.calendar or BusinessCalendar())
    yield tg.paint(f"Open and overdue obligations as of {short_day(report.as_of)}", tg.BOLD, color)
    columns = _due_columns(width)
    loads: dict[str, _Load] = {}
    assumed = False

    def tally(items: Iterable[Finding]) -> Iterator[Finding]:
        nonlocal assumed
        for f in items:
            for staff_id in dict.fromkeys(f.responsible or (UNASSIGNED,)):
                loads.setdefault(staff_id, _Load()).add(f)
            assumed = assumed or f.authority == "assumed"
            yield f

    def heading_of(f: Finding) -> str:
        return _due_heading(f, report.as_of)

    # In due order, each heading's findings come together: overdue, then day by day, then undated.
    if ordered is not None and ordered.spilled:  # a block may be too large to hold: read twice
        blocks: dict[str, parts.Block] = {}
        for heading, items in itertools.groupby(tally(findings()), key=heading_of):
            blocks[heading] = parts.Block(columns, view.row, view.meta, width=width, color=color)
            blocks[heading].fit(items)
        for heading, items in itertools.groupby(findings(), key=heading_of):
            yield from parts.heading(heading, color)
            yield from blocks[heading].lines(items)
    else:
        for heading, items in itertools.groupby(tally(findings()), key=heading_of):
            group = list(items)
            yield from parts.heading(heading, color)
            yield from parts.findings_block(group, columns, view.row, view.meta, width=width, color=color)
    if assumed:
        yield from ["", tg.paint(parts.ASSUMED_NOTE, tg.DIM, color)]
    yield ""
    yield from (_worker_line(report, s, loads[s]) for s in sorted(loads))


def lines(report: Report, options: RenderOptions) -> Iterator[str | Mark]:
    """The table, a line at a time (each ending in a newline), as it is made; in the check
    view with options.marks, a Mark where each part begins."""
    width = options.width or 120
    view = _check if options.view == "check" else _due
    yield from _finished(itertools.chain(view(report, options, width), _problems(report, options)))


def _problems(report: Report, options: RenderOptions) -> list[str]:
    problems = [tg.paint(tg.clean(p.render()), tg.RED, options.color) for p in report.problems]
    return ["", *problems] if problems else []


def _finished(lines: Iterable[str | Mark]) -> Iterator[str | Mark]:
    for line in lines:
        yield line if isinstance(line, Mark) else line.rstrip() + "\n"  # trailing blanks only get in a diff's way
