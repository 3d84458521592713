"""A finding as the engine makes it, stored and passed between processes: a row.

A statewide report makes hundreds of thousands of findings, and most are only counted
(met, open, n/a). The engine makes each as a tuple of the fields below, in this order; a
Finding object, with the fields the rule set or the case supply again (title, source, quote;
child and born), is made only for a finding that is printed or asked for (`from_row`).
Building every finding as an object and then taking it apart into a row cost a fifth of the
engine's time in a report's workers (half of it when evaluating alone, findings kept).

A row's dates (trigger, due, done) are day numbers (`date.toordinal()`, None for none): a
row is pickled to be cached, sent between processes and held on disk in print order, and
pickling a date object costs a call, a tuple and its bytes each time; a day number is an
integer. Whoever reads a row's date directly compares day numbers (`day_of`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Any

from pptcli.model.finding import Finding, Status

if TYPE_CHECKING:
    from pptcli.rules import RuleSet

Row = tuple[Any, ...]

ROW = ("case", "office", "program", "rule", "authority", "responsible", "accountable", "subject",
       "trigger", "due", "done", "status", "business_days_late", "detail", "file", "line")
AT = {name: i for i, name in enumerate(ROW)}
assert ROW[3] == "rule" and ROW[8] == "trigger" and ROW[11] == "status"  # to_row and from_row rely on it

STATUS = {s.value: s for s in Status}
VALUE = {s: s.value for s in Status}  # faster than .value, a descriptor call in Python 3.11
_FIELDS = tuple(f.name for f in dataclasses.fields(Finding))


def day_of(day: dt.date | None) -> int | None:
    """A date as a row holds it: its day number (None for none)."""
    return None if day is None else day.toordinal()


def date_of(day: int | None) -> dt.date | None:
    """A row's day number as a date (None for none)."""
    return None if day is None else _date(day)


def _date(day: int) -> dt.date:
    """One date object per day, however many findings name it (a report in a data format
    holds every finding it prints, and a date object is 32 bytes)."""
    date = _DATES.get(day)
    if date is None:
        date = _DATES[day] = dt.date.fromordinal(day)
    return date


_DATES: dict[int, dt.date] = {}  # a few thousand days in a statewide report; case dates lie in FIRST_YEAR-LAST_YEAR


def to_row(f: Finding) -> Row:
    return (f.case, f.office, f.program, f.rule, f.authority, f.responsible, f.accountable, f.subject,
            f.trigger.toordinal(), day_of(f.due), day_of(f.done), VALUE[f.status], f.business_days_late, f.detail, f.file, f.line)


def from_row(
    row: Row, ruleset: RuleSet, child: tuple[str, dt.date | None], explanation: tuple[str, ...] = (),
    described: tuple[str, str, str] | None = None,
) -> Finding:
    """The finding of a row, with the child's name and birth date and, for `ppt explain`,
    how its due date was reached; `described`: its rule version's title, source and quote
    (else those of the version in force on its trigger date)."""
    trigger, due, done = _date(row[8]), date_of(row[9]), date_of(row[10])
    title, source, quote = described or ruleset.described(row[3], trigger)  # rule, trigger
    values = (*row[:4], title, source, *row[4:8], trigger, due, done, STATUS[row[11]], *row[12:], quote, explanation, *child)
    return Finding.filled(zip(_FIELDS, values))
