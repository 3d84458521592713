"""The findings a table prints, put in the table's order as the cases are read.

`ppt check` prints findings per responsible worker, overdue first and then soonest due;
`ppt due` prints them soonest due. Neither can print a line before the last case is read,
so the findings wait here, in order, in an external sort (spill.py): memory stays flat from
a hundred cases to a hundred thousand. Rows are turned into findings only when printed.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pptcli.model.finding import UNASSIGNED, Finding, Status
from pptcli.rows import ROW, from_row
from pptcli.rules import RuleSet
from pptcli.spill import ExternalSort

_STATUS, _DUE, _CASE, _RULE, _SUBJECT, _RESPONSIBLE = (ROW.index(n) for n in ("status", "due", "case", "rule", "subject", "responsible"))
_OVERDUE = Status.OVERDUE.value


def due_key(row: tuple[Any, ...]) -> str:
    """render.base.due_order of a row (overdue first, then soonest due, undated last; then
    case, rule, subject), as one string that sorts the same: comparing strings is one C call,
    comparing tuples of six fields was most of the time a large table took to sort.

    The flags and the due date's day number have fixed widths (seven digits reach the year
    9999); each text field ends with NUL NUL, and a NUL inside one becomes NUL SOH, so a
    field that is a prefix of another still sorts first, as in a tuple.
    """
    due = row[_DUE]
    return "".join((
        "1" if row[_STATUS] != _OVERDUE else "0",
        "1" if due is None else "0",
        "9999999" if due is None else f"{due:07d}",
        _field(row[_CASE]),
        _field(row[_RULE]),
        _field(row[_SUBJECT]),
    ))


def _before_subject(item: tuple[Any, ...]) -> str:
    """An item's key up to its subject: worker, flags, due date, case and rule."""
    key, row = item[0], item[3]
    return key[: len(key) - len(_field(row[_SUBJECT]))]


def _field(text: str) -> str:
    return (text.replace("\0", "\0\1") if "\0" in text else text) + "\0\0"


class OrderedFindings:
    """Findings in print order: by worker then due order (`by_worker`), or due order alone.

    Iterating yields (worker id or None, finding); a duty shared by two workers comes once
    under each. Equal keys keep the order the rows were added in (file order).
    """

    def __init__(self, ruleset: RuleSet, *, by_worker: bool, limit: int | None = None) -> None:
        self._ruleset = ruleset
        self._by_worker = by_worker
        self._sort = ExternalSort(limit, keyed=True)
        self._seq = itertools.count()
        self._transform: Callable[[Finding], Finding] | None = None
        self.rows = 0
        # One object per birth date: findings come from many processes, each date a copy of
        # its own, and pickle writes a date it has seen in a batch as a reference, each
        # distinct object by a call (a row's own dates are day numbers: rows.py).
        self._days: dict[dt.date, dt.date] = {}

    def add(self, rows: Iterable[tuple[Any, ...]], child: tuple[str, dt.date | None]) -> None:
        add, seq, day = self._sort.add, self._seq, self._days.setdefault
        if child[1] is not None:
            child = (child[0], day(child[1], child[1]))
        for row in rows:
            self.rows += 1
            key = due_key(row)
            if self._by_worker:
                for worker in dict.fromkeys(row[_RESPONSIBLE] or (UNASSIGNED,)):  # a repeated id once
                    add((_field(worker) + key, next(seq), worker, row, child))
            else:
                add((key, next(seq), None, row, child))

    def mapped(self, transform: Callable[[Finding], Finding]) -> OrderedFindings:
        """The same findings, each passed through `transform` as it is read (redaction)."""
        view = object.__new__(OrderedFindings)
        view.__dict__.update(self.__dict__)
        view._transform = transform
        return view

    def __bool__(self) -> bool:
        return self.rows > 0

    @property
    def spilled(self) -> bool:
        """Whether the findings wait on disk: then a table reads them twice rather than
        holding a block of them (ppt due's overdue block is a third of a repository's)."""
        return self._sort.spilled

    def __iter__(self) -> Iterator[tuple[str | None, Finding]]:
        return self._findings(iter(self._sort))

    def _findings(self, items: Iterator[tuple[Any, ...]]) -> Iterator[tuple[str | None, Finding]]:
        ruleset, transform = self._ruleset, self._transform
        if transform is None:
            for _key, _seq, worker, row, child in items:
                yield worker, from_row(row, ruleset, child)
            return
        # The subject is the last part of the key, and a transform may rewrite it (redaction
        # turns "Tom Smith therapy" into "T. S. therapy"): findings equal up to the subject
        # are put in order again by the subject as it is printed, then file order.
        for _prefix, tied in itertools.groupby(items, key=_before_subject):
            ties = [(transform(from_row(row, ruleset, child)), seq, worker) for _key, seq, worker, row, child in tied]
            if len(ties) > 1:
                ties.sort(key=lambda tie: (tie[0].subject, tie[1]))
            for finding, _seq, worker in ties:
                yield worker, finding

    def groups(self, low: str | None = None, high: str | None = None) -> Iterator[tuple[str, list[Finding]]]:
        """(worker id, that worker's findings in due order), worker ids in order (by_worker);
        given `low` or `high` (`middle`), the workers from `low` on and before `high`."""
        for worker, found in itertools.groupby(self._findings(self._sort.between(low, high)), key=lambda item: item[0]):
            yield worker or UNASSIGNED, [f for _, f in found]

    def middle(self) -> str | None:
        """Where to split the workers' blocks (by_worker) so that about half the findings
        come before: a worker's place in the order (None: no findings)."""
        key: str | None = self._sort.middle()
        return None if key is None else key[: key.index("\0\0") + 2]  # the worker's field: a NUL in it is NUL SOH


def worker_order(worker: str) -> str:
    """The key the blocks of a check table follow each other by (a worker's id, as sorted)."""
    return _field(worker)
