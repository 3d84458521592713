"""What the engine produces: one finding per obligation (SPEC 5.2, 7)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from pptcli.problems import Problem

if TYPE_CHECKING:
    from pptcli.ordered import OrderedFindings
    from pptcli.summary import Counts


class Status(StrEnum):
    MET = "met"
    LATE = "late"
    MISSED = "missed"
    OVERDUE = "overdue"
    OPEN = "open"
    WAIVED = "waived"
    NA = "n/a"


# Statuses that count against a worker; `open` and `waived` do not, and n/a is not shown.
NONCOMPLIANT = frozenset({Status.LATE, Status.MISSED, Status.OVERDUE})
UNASSIGNED = "(unassigned)"  # where a report groups a finding nobody is responsible for
RATED = frozenset({Status.MET, Status.LATE, Status.MISSED, Status.OVERDUE})  # on_time_rate's denominator


@dataclass(frozen=True)
class Finding:
    case: str
    office: str
    program: str
    rule: str
    title: str
    source: str  # "CPSW PPT SOP I.C"
    authority: str  # sop | policy | assumed: the weakest of the rule's and its parameters'
    responsible: tuple[str, ...]
    accountable: tuple[str, ...]
    subject: str
    trigger: dt.date
    due: dt.date | None
    done: dt.date | None
    status: Status
    business_days_late: int
    detail: str
    file: str
    line: int
    quote: str = ""  # the SOP sentence, for explain/ics
    explanation: tuple[str, ...] = field(default=(), compare=False)  # how the due date was computed
    child: str = field(default="", compare=False)  # child's name, for reports; redacted on request
    born: dt.date | None = field(default=None, compare=False)

    @classmethod
    def filled(cls, values: Mapping[str, object] | Iterable[tuple[str, object]]) -> Finding:
        """The finding of these values, which give every field exactly once (rows.from_row's
        findings, which are the engine's, are checked field by field in tests/test_scan.py). A
        statewide report makes hundreds of thousands: filled in through its __dict__, since a
        frozen dataclass's __init__ sets each of 22 fields by a call, most of the cost. Same
        object: Finding has no __post_init__ and no default factory."""
        finding = object.__new__(cls)
        finding.__dict__.update(values)
        return finding

    def as_dict(self) -> dict[str, object]:
        """The JSON shape of SPEC 7."""
        return {
            "case": self.case,
            "office": self.office,
            "program": self.program,
            "rule": self.rule,
            "title": self.title,
            "source": self.source,
            "authority": self.authority,
            "responsible": list(self.responsible),
            "accountable": list(self.accountable),
            "subject": self.subject,
            "trigger": self.trigger.isoformat(),
            "due": self.due.isoformat() if self.due else None,
            "done": self.done.isoformat() if self.done else None,
            "status": str(self.status),
            "business_days_late": self.business_days_late,
            "detail": self.detail,
            "file": self.file,
            "line": self.line,
        }


@dataclass(frozen=True)
class Report:
    """Everything a command renders: findings already filtered, plus problems."""

    as_of: dt.date
    cases: int
    findings: tuple[Finding, ...]
    problems: tuple[Problem, ...] = ()
    office_of: dict[str, str] = field(default_factory=dict)  # staff id -> office, for summaries
    names: dict[str, str] = field(default_factory=dict)  # staff id -> name
    # Counts of every obligation, when `findings` holds only those the report shows.
    counts: Counts | None = None
    # The findings of a table, in its order and held outside memory (ordered.py); then
    # `findings` is empty.
    ordered: OrderedFindings | None = None
