"""The case file: one child, everything the PPT procedures ask to be recorded (SPEC 3)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Discriminator, Tag

from pptcli.model.base import CaseId, Date, Flag, Ident, Strict, Text, items
from pptcli.model.vocab import FactorKind, Goal, MeetingKind, MeetingStatus, Program, Topic

__all__ = ["FactorKind", "Goal", "MeetingKind", "MeetingStatus", "Program", "Topic"]


class Child(Strict):
    name: Text
    born: Date


class Team(Strict):
    cpsw: Ident | None = None
    cpsw_supervisor: Ident | None = None
    permanency_cpsw: Ident | None = None
    jppo: Ident | None = None
    jppo_supervisor: Ident | None = None
    permanency_jppo: Ident | None = None
    reunification_specialist: Ident | None = None
    casa_gal: Text | None = None


class Plan(Strict):
    goal: Goal
    concurrent_goal: Goal | None = None
    set: Date
    set_by: tuple[Ident, ...] = items()
    consulted: tuple[Ident, ...] = items()
    family_input: Flag = False


class Placement(Strict):
    date: Date
    provider: Text | None = None
    affects_ppt_schedule: Flag = True
    notified_ppt: Date | None = None
    notified_reunification_specialist: Date | None = None


class CourtAction(Strict):
    date: Date
    action: Text
    affects_permanency: Flag = True
    notified_ppt: Date | None = None


class Factor(Strict):
    factor: FactorKind
    identified: Date
    advised: Date | None = None


class EarlyPermanency(Strict):
    identified: Date
    consulted_supervisor: Date | None = None
    advised: Date | None = None


class WorkgroupRequest(Strict):
    date: Date
    via_permanency_jppo: Flag = False
    core_ppt_invited: Flag = False


class NotApplicable(Strict):
    not_applicable: Text


def _source_kind(value: Any) -> str:
    """Which of the two a value is: read from a file (a mapping or a date), or written out
    (the model itself, which serializing asks about too)."""
    return "not_applicable" if isinstance(value, (dict, NotApplicable)) else "date"


InfoSource = Annotated[
    Annotated[Date, Tag("date")] | Annotated[NotApplicable, Tag("not_applicable")],
    Discriminator(_source_kind),
]


class InfoGathered(Strict):
    parents: InfoSource | None = None
    child: InfoSource | None = None
    providers: InfoSource | None = None
    casa_gal: InfoSource | None = None


class Task(Strict):
    task: Text
    owner: Ident
    due: Date | None = None  # none: due at the next PPT meeting (CPSW I.K / JPPO I.I)
    done: Date | None = None


class Meeting(Strict):
    date: Date
    kind: MeetingKind = MeetingKind.REGULAR
    status: MeetingStatus = MeetingStatus.SCHEDULED
    requested_by: Ident | None = None
    requested: Date | None = None
    screen_completed: Date | None = None
    info_gathered: InfoGathered = InfoGathered()
    attendees: tuple[Ident, ...] = items()
    discussed: tuple[Topic, ...] = items()
    tasks: tuple[Task, ...] = items()


class Waiver(Strict):
    rule: Text
    subject: Text
    reason: Text
    approved_by: Ident
    approved: Date
    expires: Date | None = None


class Permanency(Strict):
    achieved: Date
    outcome: Goal
    ppt_updated: Date | None = None


class Case(Strict):
    id: CaseId
    program: Program
    office: Ident
    child: Child
    team: Team = Team()
    plan: Plan | None = None
    placements: tuple[Placement, ...] = items()
    court_actions: tuple[CourtAction, ...] = items()
    factors: tuple[Factor, ...] = items()
    early_permanency: tuple[EarlyPermanency, ...] = items()
    workgroup_requests: tuple[WorkgroupRequest, ...] = items()
    meetings: tuple[Meeting, ...] = items()
    supervisor_followups: tuple[Date, ...] = items()
    waivers: tuple[Waiver, ...] = items()
    permanency: Permanency | None = None

    @property
    def cps(self) -> bool:
        return self.program in (Program.CPS, Program.JOINT)

    @property
    def jjs(self) -> bool:
        return self.program in (Program.JJS, Program.JOINT)
