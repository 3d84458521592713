"""The three settings files of a case repository (SPEC 2)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from pptcli.model.base import Date, Ident, Strict, Text, items


class Role(StrEnum):
    CPSW = "cpsw"
    JPPO = "jppo"
    SUPERVISOR = "supervisor"
    PERMANENCY_CPSW = "permanency_cpsw"
    PERMANENCY_JPPO = "permanency_jppo"
    REUNIFICATION_SPECIALIST = "reunification_specialist"


class StaffMember(Strict):
    id: Ident
    name: Text
    role: Role
    office: Ident | None = None
    supervisor: Ident | None = None


class Staff(Strict):
    staff: tuple[StaffMember, ...] = items()


class ClosureEntry(Strict):
    date: Date
    reason: Text
    office: Ident | None = None  # none: statewide


class HolidayEntry(Strict):
    date: Date
    name: Text | None = None


class HolidayChanges(Strict):
    add: tuple[HolidayEntry, ...] = items()
    remove: tuple[HolidayEntry, ...] = items()


class CalendarFile(Strict):
    closures: tuple[ClosureEntry, ...] = items()
    holidays: HolidayChanges = HolidayChanges()


class Settings(Strict):
    offices: tuple[Ident, ...] = items()
    # Values of any kind: each is checked against its parameter (engine.policy_error), and
    # `int | str` here took `true` for 1 and said of 2.5 that it was not text.
    policy: dict[str, Any] = Field(default_factory=dict)
    rules: Text | None = None
