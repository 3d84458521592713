"""Rule files: each SOP duty as data (SPEC 5). The engine gives them meaning."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator

from pptcli.calendar import DeadlineKind
from pptcli.model.base import Date, Strict, Text, items


class Authority(StrEnum):
    SOP = "sop"
    POLICY = "policy"
    ASSUMED = "assumed"


class Worker(StrEnum):
    """Whose SOP: W is the cpsw for CPSW rules, the jppo for JPPO rules, both for policy rules."""

    CPSW = "cpsw"
    JPPO = "jppo"
    BOTH = "both"


class Party(StrEnum):
    WORKER = "worker"
    SUPERVISOR = "supervisor"
    TASK_OWNER = "task_owner"
    PERMANENCY_WORKER = "permanency_worker"


class Selector(StrEnum):
    """What a rule iterates over: the records of a case, or obligations derived from them."""

    PLACEMENTS = "placements"
    COURT_ACTIONS = "court_actions"
    MEETINGS = "meetings"
    FACTORS = "factors"
    EARLY_PERMANENCY = "early_permanency"
    WORKGROUP_REQUESTS = "workgroup_requests"
    TASKS = "tasks"
    PLAN = "plan"
    PERMANENCY = "permanency"
    MEETING_SCHEDULE = "meeting_schedule"  # the PPT meetings policy requires (CPSW I.F)
    FOLLOWUPS = "followups"  # supervisor follow-up periods while tasks are open (CPSW II.C)


class Source(Strict):
    document: Text  # "CPSW PPT SOP"
    section: Text  # "I.C"
    quote: Text


class DeadlineSpec(Strict):
    kind: str  # a deadline kind, or the name of a parameter whose value is one
    n: int | str | None = None  # a number, or the name of a parameter
    when: str | None = None  # first matching spec applies
    counts_from: str | None = Field(default=None, alias="from")  # default: the trigger
    not_before: str | None = None  # never due before this date (e.g. the day a factor is known)


class Check(Strict):
    require: str
    says: Text  # what failed, in the user's words; {name} takes a value from the context


class Example(Strict):
    name: Text
    as_of: Date
    case: dict[str, Any]
    expect: tuple[dict[str, Any], ...]  # [{status, due?, subject?, done?}] in order, n/a left out


class Rule(Strict):
    id: Text
    title: Text
    source: Source
    authority: Authority
    worker: Worker
    programs: tuple[str, ...]
    responsible: tuple[Party, ...] = (Party.WORKER,)
    accountable: tuple[Party, ...] = (Party.SUPERVISOR,)
    effective_from: Date = dt.date(2000, 1, 1)
    effective_to: Date | None = None
    for_each: Selector
    when: str | None = None
    subject: str | None = None  # overrides the selector's subject, e.g. "plan"
    trigger: str
    deadline: tuple[DeadlineSpec, ...]
    evidence: tuple[str, ...] = items()  # date expressions; all needed, done = the latest
    evidence_names: tuple[str, ...] = items()  # how to name missing evidence, same order
    checks: tuple[Check, ...] = items()
    parameters: tuple[str, ...] = items()  # parameters used in expressions (besides the deadline)
    examples: tuple[Example, ...] = items()

    @field_validator("deadline", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, dict) else value

    @field_validator("evidence", mode="before")
    @classmethod
    def _evidence_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    def in_force(self, day: dt.date) -> bool:
        # engine._evaluate_rule makes the same test inline, once per item
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def expressions(self) -> list[tuple[str, str]]:
        """(where, source) of every expression, to parse and name-check when rules load."""
        found = [("trigger", self.trigger), *((f"evidence[{i}]", e) for i, e in enumerate(self.evidence))]
        if self.when:
            found.append(("when", self.when))
        for i, spec in enumerate(self.deadline):
            for name in ("when", "counts_from", "not_before"):
                value = getattr(spec, name)
                if value:
                    found.append((f"deadline[{i}].{'from' if name == 'counts_from' else name}", value))
        found += [(f"checks[{i}].require", c.require) for i, c in enumerate(self.checks)]
        return found


class Parameter(Strict):
    default: int | str
    authority: Authority
    source: Text
    description: Text

    @field_validator("default")
    @classmethod
    def _kind_or_number(cls, value: Any) -> Any:
        if isinstance(value, str):
            DeadlineKind(value)
        return value


class ParameterFile(Strict):
    parameters: dict[str, Parameter]


class CoverageItem(Strict):
    document: Text
    section: Text
    text: Text
    rules: tuple[str, ...] = items()
    guidance: Text | None = None  # why no record can prove it


class CoverageFile(Strict):
    items: tuple[CoverageItem, ...]
