"""The closed vocabularies of case files, without pydantic: command-line options list them
at start-up, and importing the models there would slow every command."""

from __future__ import annotations

from enum import StrEnum


class Program(StrEnum):
    CPS = "cps"
    JJS = "jjs"
    JOINT = "joint"  # a joint CPS/JJS case: both SOPs apply


class Goal(StrEnum):
    REUNIFICATION = "reunification"
    ADOPTION = "adoption"
    GUARDIANSHIP = "guardianship"
    APPLA = "appla"  # another planned permanent living arrangement: 16 or older (policy 1625)


class FactorKind(StrEnum):  # CPSW I.J 1-5, JPPO I.H 1-5
    TRAFFICKING = "trafficking"
    DOMESTIC_VIOLENCE = "domestic_violence"
    SUBSTANCE_ABUSE = "substance_abuse"
    FISCAL = "fiscal"
    MEDICAL = "medical"


class MeetingKind(StrEnum):
    REGULAR = "regular"
    SPECIAL = "special"  # outside the regular schedule (CPSW I.I, JPPO I.G)


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"


class Topic(StrEnum):  # CPSW I.E 1-6, JPPO I.D 1-6, in the SOP's order
    PRIOR_TASKS = "prior_tasks"
    CASE_PLAN_PROGRESS = "case_plan_progress"
    CONNECTIONS = "connections"
    BARRIERS = "barriers"
    PLACEMENT_CONCURRENT_GOAL = "placement_concurrent_goal"
    OTHER_NEEDS = "other_needs"
