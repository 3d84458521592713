"""What every format shares: the options, which findings a view shows, dates, redaction."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Literal

from pptcli.calendar import BusinessCalendar
from pptcli.calendar import short_day as _short_day
from pptcli.model.finding import NONCOMPLIANT, UNASSIGNED, Finding, Report, Status

View = Literal["check", "due"]


@dataclass(frozen=True)
class RenderOptions:
    view: View
    show_all: bool = False
    redact: bool = False
    color: bool = False
    width: int | None = None
    # Business days remaining in the due view; None means statewide holidays only, no closures.
    calendar: BusinessCalendar | None = None
    marks: bool = False  # the check table also yields table.Mark where each part begins


# --- Which findings a view shows ----------------------------------------------------------


def due_order(f: Finding) -> tuple[object, ...]:
    """Overdue first, then soonest due; findings without a due date last (SPEC 6 `ppt due`)."""
    return (
        f.status is not Status.OVERDUE,
        f.due is None,
        f.due or dt.date.max,
        f.case,
        f.rule,
        f.subject,
    )


def shown(report: Report, options: RenderOptions, *, brief: bool) -> list[Finding]:
    """The findings a format prints.

    check: `brief` formats (table, markdown) are for people and show only late, missed and
    overdue (SPEC 6); data formats show every obligation, since SPEC 7's summary counts `met`.
    n/a is shown only with --all. due: the command already chose open and overdue findings,
    so they are only put in order.
    """
    if report.ordered is not None:  # a table's report, read whole here: same findings
        return [f for _, f in report.ordered]
    if options.view == "due":
        return sorted(report.findings, key=due_order)
    if options.show_all:
        return list(report.findings)
    if brief:
        return [f for f in report.findings if f.status in NONCOMPLIANT]
    return [f for f in report.findings if f.status is not Status.NA]


# --- Dates and people, as a supervisor reads them -------------------------------------------


def short_day(d: dt.date | None) -> str:
    """'Thu 2026-11-19' (calendar.short_day), or nothing for no date."""
    return "" if d is None else _short_day(d)


def relative_day(d: dt.date, as_of: dt.date) -> str:
    """'today', 'tomorrow', 'yesterday' or '' relative to the report's as-of date."""
    return {0: "today", 1: "tomorrow", -1: "yesterday"}.get((d - as_of).days, "")


def person(report: Report, staff_id: str) -> str:
    """'Carmen Rivera (c.rivera)', or the bare id when staff.yaml does not name them."""
    name = report.names.get(staff_id)
    return f"{name} ({staff_id})" if name else staff_id


def escapes(pattern: re.Pattern[str], text: str) -> str:
    """`text` with each character `pattern` matches written as its Python escape (\\x1b,
    \\udcff): what a format cannot hold (a control character from a case file, a lone
    surrogate from a file name that is not UTF-8) stays readable, and nothing is lost."""
    return pattern.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape", "backslashreplace").decode("ascii")


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def worker_groups(report: Report, options: RenderOptions) -> Iterator[tuple[str, list[Finding]]]:
    """The findings a check table shows, per responsible staff id (ids sorted), each group
    overdue first and then soonest due: read in that order when the report holds them so."""
    if report.ordered is not None:
        yield from report.ordered.groups()
        return
    for staff_id, group in by_responsible(shown(report, options, brief=True)).items():
        yield staff_id, sorted(group, key=due_order)


def by_responsible(findings: list[Finding]) -> dict[str, list[Finding]]:
    """Findings per responsible staff id, ids sorted; a shared duty appears under each."""
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        for id_ in dict.fromkeys(f.responsible or (UNASSIGNED,)):
            groups.setdefault(id_, []).append(f)
    return {id_: groups[id_] for id_ in sorted(groups)}


# --- Redaction (SPEC 7: --redact in every format) -------------------------------------------


def initials(name: str) -> str:
    """'Jordan Doe' -> 'J. D.'; a name already in initials ('J. D.') is unchanged."""
    letters = (next((c for c in part if c.isalpha()), "") for part in name.split())
    return " ".join(f"{c.upper()}." for c in letters if c)


def redact_finding(f: Finding) -> Finding:
    """The finding with the child's name as initials and no date of birth anywhere.

    Free text is scrubbed too: a detail that quotes the name or birth date must not leak it.
    """
    short = initials(f.child)

    def scrub(text: str) -> str:
        if f.child and f.child != short:
            text = re.sub(re.escape(f.child), short, text, flags=re.IGNORECASE)
        if f.born is not None:
            text = text.replace(f.born.isoformat(), "[date of birth withheld]")
        return text

    return replace(
        f,
        child=short,
        born=None,
        subject=scrub(f.subject),
        title=scrub(f.title),
        detail=scrub(f.detail),
        explanation=tuple(scrub(line) for line in f.explanation),
    )


def redact_report(report: Report) -> Report:
    ordered = report.ordered.mapped(redact_finding) if report.ordered is not None else None
    return replace(report, findings=tuple(redact_finding(f) for f in report.findings), ordered=ordered)
