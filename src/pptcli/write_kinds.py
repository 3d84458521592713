"""What each writing command records: one table row per record kind of SPEC 3.

A row names where the record lives in the case file, the options (named after the file's
keys) and which of them identify the record. One generic path (write_plan) appends a new
record in date order or fills in an existing one; the CLI builds its options from the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from pptcli.model.finding import Finding
from pptcli.model.vocab import FactorKind, Goal, MeetingKind, Topic
from pptcli.problems import UserError

View = Mapping[str, Any]  # the option values and the record's fields, merged


class Type(Enum):
    DATE = "DATE"
    TEXT = "TEXT"
    CHOICE = "CHOICE"
    FLAG = "FLAG"
    STAFF = "ID"
    STAFF_LIST = "IDS"
    CHOICE_LIST = "CHOICES"


class Role(Enum):
    FIELD = "field"  # a key of the record
    KEY = "key"  # a key of the record that identifies it (its date, its factor, its text)
    PARENT = "parent"  # chooses the meeting the record belongs to
    INPUT = "input"  # read by the kind's `shape`, not written as such


@dataclass(frozen=True)
class Opt:
    key: str
    help: str
    type: Type = Type.DATE
    role: Role = Role.FIELD
    choices: tuple[str, ...] = ()
    flag: str = ""  # the option's name, when it is not --key-with-dashes
    required: bool = False  # KEY/PARENT: always; FIELD: to create the record
    today: bool = False  # defaults to the as-of date
    future: bool = False  # may be after the as-of date (a scheduled meeting, a due date)

    @property
    def cli(self) -> str:
        return self.flag or "--" + self.key.replace("_", "-")


@dataclass(frozen=True)
class Kind:
    name: str
    help: str
    path: tuple[str, ...]  # "@meeting": the meeting whose date --meeting gives
    opts: tuple[Opt, ...]
    subject: Callable[[View], str]  # as findings and waivers name the record (SPEC 7)
    title: Callable[[View, bool], str] | None = None  # (record, first of its list) -> message text
    shows: Callable[[Finding, View], bool] | None = None  # (finding, record): findings to print, else those of its subject
    create: bool = True  # False: the record must exist already (task-done, screen...)
    sets: Mapping[str, Any] = field(default_factory=dict)  # written by every use of the kind
    replaces: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)  # ...over these values only
    creates_with: Mapping[str, Any] = field(default_factory=dict)  # written on a new record
    shape: Callable[[View], dict[str, Any]] | None = None  # option values -> fields, when not 1:1
    verb: str = "done"

    @property
    def container(self) -> str:
        return self.path[-1]

    def named(self, view: View, first: bool = True) -> str:
        return self.title(view, first) if self.title else self.subject(view)


def _followup_answered(f: Finding, day: Any) -> bool:
    """A follow-up answers the one owed before it (done on its date) and starts the count to
    the next, owed while a task is still open ("follow-up after" its date)."""
    return f.subject.startswith("follow-up after ") and (str(f.done) == str(day) or f.subject == f"follow-up after {day}")


# SPEC 3: "Lists are kept in date order by the tools that write them". "" = the item itself;
# tasks have no date of their own and keep the order they were assigned in.
ORDER_BY: dict[str, str | None] = {
    "placements": "date", "court_actions": "date", "factors": "identified", "early_permanency": "identified",
    "workgroup_requests": "date", "meetings": "date", "waivers": "approved", "supervisor_followups": "",
    "tasks": None,
}
SCALAR_LISTS = frozenset({"supervisor_followups"})
MAPPINGS = frozenset({"plan", "permanency", "info_gathered"})
FLOW_ITEMS = frozenset({"tasks"})  # a new tasks list writes one task per line, as SPEC 3 shows

# How messages and commit messages say a recorded value; "" leaves it out (it is in the title).
SAY: dict[str, str] = {
    "notified_ppt": "PPT notified {}", "notified_reunification_specialist": "Reunification Specialist notified {}",
    "status": "{}", "screen_completed": "screen completed {}", "ppt_updated": "PPT updated {}",
    "consulted_supervisor": "supervisor consulted {}", "requested_by": "requested by {}",
    "discussed": "topics {}", "set_by": "set by {}", "concurrent_goal": "concurrent goal {}",
    "approved_by": "approved by {}", "due": "due {}", "owner": "owner {}",
    "provider": "", "action": "", "task": "", "reason": "", "subject": "", "rule": "", "kind": "{}",
}
SAY_FLAG: dict[str, tuple[str, str]] = {
    "affects_ppt_schedule": ("may affect the PPT schedule", "does not affect the PPT schedule"),
    "affects_permanency": ("affects permanency", "does not affect permanency"),
    "via_permanency_jppo": ("through the Permanency JPPO", "not through the Permanency JPPO"),
    "core_ppt_invited": ("core PPT invited", "core PPT not invited"),
    "family_input": ("with family input", "without family input"),
}

GOALS = tuple(g.value for g in Goal)
TOPICS = tuple(t.value for t in Topic)
SOURCES = ("parents", "child", "providers", "casa_gal")  # InfoGathered's keys (a test keeps them equal)
NOTIFICATION_RULES = ("CPSW-I.A.1", "CPSW-I.A.2", "JPPO-I.A.1", "JPPO-I.A.2", "CPSW-II.A", "JPPO-III.A")

_MEETING = Opt("meeting", "Date of the PPT meeting.", role=Role.PARENT, required=True, future=True)


def _meeting_date(help_text: str, flag: str = "--date") -> Opt:
    return Opt("date", help_text, role=Role.KEY, flag=flag, required=True, future=True)


def _info(view: View) -> dict[str, Any]:
    """info --source S --date D | --not-applicable R  ->  {S: D} or {S: {not_applicable: R}}."""
    value = view.get("date")
    if (value is None) == (view.get("not_applicable") is None):
        raise UserError("info: give exactly one of --date DATE or --not-applicable REASON")
    return {view["source"]: value if value is not None else {"not_applicable": view["not_applicable"]}}


PLACEMENT = Kind(
    "notify-placement", "Record a placement (or a change) and the PPT's notification of it (CPSW/JPPO I.A).",
    ("placements",),
    (
        Opt("date", "Date of the placement or change.", role=Role.KEY, required=True),
        Opt("provider", "Who the child is placed with.", Type.TEXT),
        Opt("affects_ppt_schedule", "Whether the change may affect the PPT schedule (JPPO SOP I.A; default yes).", Type.FLAG),
        Opt("notified_ppt", "Date the PPT (Permanency JPPO) was notified (default: today).", flag="--notified", today=True),
        Opt("notified_reunification_specialist", "Date the Reunification Specialist was notified.", flag="--reunification-specialist"),
    ),
    subject=lambda v: f"placement {v['date']}",
    title=lambda v, first: f"placement{'' if first else ' change'} {v['date']}",
    shows=lambda f, v: f.rule in NOTIFICATION_RULES and f.subject == f"placement {v['date']}",
    verb="notified",
)

LOG_KINDS: tuple[Kind, ...] = (
    Kind(
        "court-action", "Record a court action and the PPT's notification of it (CPSW I.B).", ("court_actions",),
        (
            Opt("date", "Date of the court action.", role=Role.KEY, required=True),
            Opt("action", "What the court did.", Type.TEXT, required=True),
            Opt("affects_permanency", "Whether it affects permanency (default yes).", Type.FLAG),
            Opt("notified_ppt", "Date the PPT was notified."),
        ),
        subject=lambda v: f"court action {v['date']}", verb="notified",
    ),
    Kind(
        "factor", "Record a factor that calls for more DCYF staff at the PPT (CPSW I.J, JPPO I.H).", ("factors",),
        (
            Opt("factor", "The factor.", Type.CHOICE, Role.KEY, tuple(f.value for f in FactorKind), required=True),
            Opt("identified", "Date it was identified.", role=Role.KEY, required=True),
            Opt("advised", "Date the Permanency worker was advised."),
        ),
        subject=lambda v: f"factor {v['factor']} {v['identified']}", verb="advised",
    ),
    Kind(
        "factor-advised", "Record that the Permanency worker was advised of a factor.", ("factors",),
        (
            Opt("factor", "The factor.", Type.CHOICE, Role.KEY, tuple(f.value for f in FactorKind), required=True),
            Opt("identified", "Date it was identified (needed when the factor is listed twice).", role=Role.KEY),
            Opt("advised", "Date the Permanency worker was advised (default: today).", today=True),
        ),
        subject=lambda v: f"factor {v['factor']} {v['identified']}", create=False, verb="advised",
    ),
    Kind(
        "early-permanency", "Record an early-permanency need and its consultations (CPSW I.G).", ("early_permanency",),
        (
            Opt("identified", "Date the need was identified.", role=Role.KEY, required=True),
            Opt("consulted_supervisor", "Date the supervisor was consulted."),
            Opt("advised", "Date the Permanency CPSW was advised of the need for a PPT meeting."),
        ),
        subject=lambda v: f"early permanency {v['identified']}",
    ),
    Kind(
        "workgroup", "Record a JJ Permanency Workgroup request (JPPO II).", ("workgroup_requests",),
        (
            Opt("date", "Date of the request.", role=Role.KEY, required=True),
            Opt("via_permanency_jppo", "Whether it was coordinated through the Permanency JPPO.", Type.FLAG),
            Opt("core_ppt_invited", "Whether the core PPT was invited.", Type.FLAG),
        ),
        subject=lambda v: f"workgroup {v['date']}",
    ),
    Kind(
        "meeting", "Schedule a PPT meeting (special meetings: who asked for it, and when).", ("meetings",),
        (
            _meeting_date("Date of the meeting."),
            Opt("kind", "regular or special (default regular).", Type.CHOICE, choices=tuple(k.value for k in MeetingKind)),
            Opt("requested_by", "Special meetings: who advised the need.", Type.STAFF),
            Opt("requested", "Special meetings: when the need was advised."),
        ),
        subject=lambda v: f"meeting {v['date']}", creates_with={"kind": "regular", "status": "scheduled"},
    ),
    Kind(
        "meeting-held", "Record that a PPT meeting was held: who attended, which topics were discussed.", ("meetings",),
        (
            Opt("date", "Date of the meeting.", role=Role.KEY, required=True),
            Opt("attendees", "A staff member who attended (repeat the option).", Type.STAFF_LIST, flag="--attendee"),
            Opt("discussed", f"A topic discussed (repeat the option): {', '.join(TOPICS)}.", Type.CHOICE_LIST, choices=TOPICS, flag="--topic"),
            Opt("kind", "regular or special, for a meeting not scheduled before.", Type.CHOICE, choices=tuple(k.value for k in MeetingKind)),
        ),
        subject=lambda v: f"meeting {v['date']}", sets={"status": "held"}, replaces={"status": ("scheduled",)},
        creates_with={"kind": "regular"},
    ),
    Kind(
        "meeting-cancelled", "Record that a scheduled PPT meeting was cancelled.", ("meetings",),
        (_meeting_date("Date of the meeting."),),
        subject=lambda v: f"meeting {v['date']}", create=False, sets={"status": "cancelled"}, replaces={"status": ("scheduled",)},
    ),
    Kind(
        "screen", "Record that page 1 of the PPT screen was completed for a meeting (CPSW I.C, JPPO I.B).", ("meetings",),
        (_meeting_date("Date of the meeting.", "--meeting"), Opt("screen_completed", "Date page 1 was completed (default: today).", today=True)),
        subject=lambda v: f"meeting {v['date']}", create=False,
    ),
    Kind(
        "info", "Record the information gathered from one source before a meeting (CPSW I.D, JPPO I.C).",
        ("meetings", "@meeting", "info_gathered"),
        (
            _MEETING,
            Opt("source", f"Whom it came from: {', '.join(SOURCES)}.", Type.CHOICE, Role.INPUT, SOURCES, required=True),
            Opt("date", "Date the source was consulted.", role=Role.INPUT),
            Opt("not_applicable", "Why this source does not apply (instead of --date).", Type.TEXT, Role.INPUT),
        ),
        subject=lambda v: f"meeting {v['meeting']}", title=lambda v, _: f"information for meeting {v['meeting']}",
        shape=_info,
    ),
    Kind(
        "task", "Record a task assigned at a PPT meeting (CPSW I.K, JPPO I.I).", ("meetings", "@meeting", "tasks"),
        (
            _MEETING,
            Opt("task", "What is to be done.", Type.TEXT, Role.KEY, required=True),
            Opt("owner", "Who is to do it.", Type.STAFF, required=True),
            Opt("due", "When it is due (default: the next PPT meeting).", future=True),
        ),
        subject=lambda v: f'task {v["meeting"]} "{v["task"]}"',
    ),
    Kind(
        "task-done", "Record that a PPT task was done (--task: its text, or a unique part of it).", ("meetings", "@meeting", "tasks"),
        (
            _MEETING,
            Opt("task", "The task's text, or a part of it that names one task.", Type.TEXT, Role.KEY, required=True),
            Opt("done", "Date it was done (default: today).", today=True),
        ),
        subject=lambda v: f'task {v["meeting"]} "{v["task"]}"', create=False,
    ),
    Kind(
        "followup", "Record a supervisor's follow-up on open PPT tasks (CPSW II.C, JPPO III.C).", ("supervisor_followups",),
        (Opt("date", "Date of the follow-up (default: today).", role=Role.KEY, today=True),),
        subject=lambda v: f"supervisor follow-up {v['date']}",
        shows=lambda f, v: _followup_answered(f, v["date"]), verb="followed up",
    ),
    Kind(
        "waiver", "Record an approved exception to a rule for one obligation.", ("waivers",),
        (
            Opt("rule", "The rule waived, e.g. CPSW-I.D.", Type.TEXT, Role.KEY, required=True),
            Opt("subject", 'The obligation, as reports name it, e.g. "meeting 2026-03-05".', Type.TEXT, Role.KEY, required=True),
            Opt("reason", "Why.", Type.TEXT, required=True),
            Opt("approved_by", "Who approved it (not the responsible worker).", Type.STAFF, required=True),
            Opt("approved", "Date it was approved.", required=True),
            Opt("expires", "Date it expires.", future=True),
        ),
        subject=lambda v: v["subject"], title=lambda v, _: f"waiver of {v['rule']} for {v['subject']}",
        shows=lambda f, v: f.rule == v["rule"] and f.subject == v["subject"],
    ),
    Kind(
        "plan", "Record the initial permanency plan (FAQ Q1, policy 1625).", ("plan",),
        (
            Opt("goal", "The permanency goal.", Type.CHOICE, choices=GOALS, required=True),
            Opt("concurrent_goal", "The concurrent goal.", Type.CHOICE, choices=GOALS),
            Opt("set", "Date the plan was set.", required=True),
            Opt("set_by", "Who set it (repeat the option).", Type.STAFF_LIST),
            Opt("consulted", "Who was consulted (repeat the option).", Type.STAFF_LIST),
            Opt("family_input", "Whether the family gave input.", Type.FLAG),
        ),
        subject=lambda v: "plan",
    ),
    Kind(
        "permanency", "Record that permanency was achieved (CPSW I.L, JPPO I.J).", ("permanency",),
        (
            Opt("achieved", "Date permanency was achieved.", required=True),
            Opt("outcome", "The outcome.", Type.CHOICE, choices=GOALS, required=True),
            Opt("ppt_updated", "Date the PPT was updated."),
        ),
        subject=lambda v: "permanency", verb="PPT updated",
    ),
    Kind(
        "ppt-updated", "Record that the PPT was updated on the permanency achieved.", ("permanency",),
        (Opt("ppt_updated", "Date the PPT was updated (default: today).", today=True),),
        subject=lambda v: "permanency", create=False, verb="PPT updated",
    ),
)
