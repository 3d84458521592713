"""Validation across records and files (the end of SPEC 3): what no single field can tell."""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel

from pptcli.load import LoadedCase, RuleDuty
from pptcli.model.case import Case, Program
from pptcli.model.settings import Role, Settings, StaffMember
from pptcli.problems import Problem, did_you_mean, unknown_office

# team slot -> the role its holder must have
SLOT_ROLES = {
    "cpsw": Role.CPSW,
    "cpsw_supervisor": Role.SUPERVISOR,
    "permanency_cpsw": Role.PERMANENCY_CPSW,
    "jppo": Role.JPPO,
    "jppo_supervisor": Role.SUPERVISOR,
    "permanency_jppo": Role.PERMANENCY_JPPO,
    "reunification_specialist": Role.REUNIFICATION_SPECIALIST,
}


def cross_check(
    cases: list[LoadedCase],
    settings: Settings,
    staff: dict[str, StaffMember],
    has_staff: bool,
    rules: Mapping[str, RuleDuty] | None,
) -> tuple[list[LoadedCase], list[Problem]]:
    """The cases fit to evaluate, and the problems of the others."""
    problems: list[Problem] = []
    good: list[LoadedCase] = []
    first_file: dict[str, LoadedCase] = {}
    for loaded in cases:
        found = list(_case_problems(loaded, settings, staff if has_staff else None, rules))
        other = first_file.get(loaded.case.id)
        if other is not None:
            found.append(_at(loaded, ("id",), f'case id "{loaded.case.id}" is also used by {other.file}'))
        else:
            first_file[loaded.case.id] = loaded
        problems += found
        if not found:
            good.append(loaded)
    return good, problems


def _at(loaded: LoadedCase, path: tuple[Any, ...], message: str, *, key: bool = False) -> Problem:
    line, col = loaded.where.at(path, key=key)
    return Problem(loaded.file, line, col, message)


def _case_problems(
    loaded: LoadedCase, settings: Settings, staff: dict[str, StaffMember] | None, rules: Mapping[str, RuleDuty] | None
) -> Iterator[Problem]:
    case = loaded.case
    if settings.offices and case.office not in settings.offices:
        yield _at(loaded, ("office",), unknown_office(case.office, settings.offices))
    yield from _team_required(loaded)
    if staff is not None:
        yield from _staff_refs(loaded, staff)
    yield from _dates_after_birth(loaded)
    yield from _answers_after_events(loaded)
    yield from _waivers(loaded, rules, staff or {})


def _team_required(loaded: LoadedCase) -> Iterator[Problem]:
    case = loaded.case
    needs = {Program.CPS: ("cpsw",), Program.JJS: ("jppo",), Program.JOINT: ("cpsw", "jppo")}[case.program]
    for slot in needs:
        if getattr(case.team, slot) is None:
            yield _at(loaded, ("team",), f'a {case.program} case needs team.{slot}', key=True)


def _staff_refs(loaded: LoadedCase, staff: dict[str, StaffMember]) -> Iterator[Problem]:
    for path, staff_id, role in _staff_mentions(loaded.case):
        member = staff.get(staff_id)
        if member is None:
            yield _at(loaded, path, f'unknown staff id "{staff_id}"{did_you_mean(staff_id, staff)}')
        elif role is not None and member.role != role:
            yield _at(loaded, path, f'"{staff_id}" is a {member.role} in staff.yaml, but team.{path[-1]} needs a {role}')


def _staff_mentions(case: Case) -> Iterator[tuple[tuple[Any, ...], str, Role | None]]:
    for slot, role in SLOT_ROLES.items():
        value = getattr(case.team, slot)
        if value is not None:
            yield ("team", slot), value, role
    if case.plan is not None:
        for field in ("set_by", "consulted"):
            for i, sid in enumerate(getattr(case.plan, field)):
                yield ("plan", field, i), sid, None
    for m, meeting in enumerate(case.meetings):
        if meeting.requested_by:
            yield ("meetings", m, "requested_by"), meeting.requested_by, None
        for i, sid in enumerate(meeting.attendees):
            yield ("meetings", m, "attendees", i), sid, None
        for t, task in enumerate(meeting.tasks):
            yield ("meetings", m, "tasks", t, "owner"), task.owner, None
    for w, waiver in enumerate(case.waivers):
        yield ("waivers", w, "approved_by"), waiver.approved_by, None


def _dates(node: Any, path: tuple[Any, ...]) -> list[tuple[tuple[Any, ...], dt.date]]:
    """Every date in a case, with its path, in field order. Walked with a stack, not nested
    generators: a case has hundreds of fields and this runs for every file."""
    found: list[tuple[tuple[Any, ...], dt.date]] = []
    stack: list[tuple[tuple[Any, ...], Any]] = [(path, node)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dt.date):
            found.append((path, node))
        elif isinstance(node, BaseModel):
            for name in reversed(_dated_fields(type(node))):
                value = getattr(node, name)
                if isinstance(value, _HOLDS_DATES):
                    stack.append((path + (name,), value))
        elif isinstance(node, tuple):
            stack.extend((path + (i,), node[i]) for i in range(len(node) - 1, -1, -1) if isinstance(node[i], _HOLDS_DATES))
    return found


_HOLDS_DATES = (dt.date, BaseModel, tuple)
_DATED: dict[type[BaseModel], tuple[str, ...]] = {}


def _dated_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields of a model whose type can hold a date, in field order: most of a case's
    fields are text, flags and names, and asking each of them costs more than the walk."""
    names = _DATED.get(model)
    if names is None:
        _DATED[model] = _ASKING  # a model that holds itself: worked out while it is asked
        names = _DATED[model] = tuple(name for name, field in model.model_fields.items() if _may_hold_date(field.annotation))
    return names


_ASKING = ("",)  # not a field name: a model whose fields are being worked out can hold dates


def _may_hold_date(annotation: Any) -> bool:
    """Whether a value of this type can be or hold a date; yes for any type it cannot tell."""
    if isinstance(annotation, type) and not typing.get_args(annotation):
        if issubclass(annotation, dt.date):
            return True
        if issubclass(annotation, BaseModel):
            return bool(_dated_fields(annotation))
        return annotation is object
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return False
    if origin is typing.Annotated:
        return _may_hold_date(typing.get_args(annotation)[0])
    args = [arg for arg in typing.get_args(annotation) if arg is not Ellipsis]
    return not args or any(_may_hold_date(arg) for arg in args)


def _any_before(node: Any, born: dt.date) -> bool:
    """Whether a date in a case is before `born`: the walk of _dates without the paths, for
    the case with none (the cost of every file, where a case with one is a rare mistake)."""
    stack = [node]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is _DATE:
            if node < born:
                return True
        elif kind is tuple:
            stack.extend(node)
        elif node is None:
            continue
        elif isinstance(node, BaseModel):
            fields = node.__dict__
            stack.extend([fields[name] for name in _dated_fields(kind)])
        elif isinstance(node, dt.date) and node < born:
            return True
    return False


_DATE = dt.date


def _dates_after_birth(loaded: LoadedCase) -> Iterator[Problem]:
    born = loaded.case.child.born
    if not _any_before(loaded.case, born):
        return
    for path, day in _dates(loaded.case, ()):
        if path != ("child", "born") and day < born:
            yield _at(loaded, path, f"{day} is before the child's birth ({born})")


# (list, event date field, answer fields that cannot come before the event)
_ANSWERS = (
    ("placements", "date", ("notified_ppt", "notified_reunification_specialist")),
    ("court_actions", "date", ("notified_ppt",)),
    ("factors", "identified", ("advised",)),
    ("early_permanency", "identified", ("consulted_supervisor", "advised")),
)


def _answers_after_events(loaded: LoadedCase) -> Iterator[Problem]:
    case = loaded.case
    for name, event_field, answers in _ANSWERS:
        for i, record in enumerate(getattr(case, name)):
            event = getattr(record, event_field)
            for answer in answers:
                value = getattr(record, answer)
                if value is not None and value < event:
                    yield _at(loaded, (name, i, answer), f"{answer} {value} is before the {event_field} {event}")
    for m, meeting in enumerate(case.meetings):
        named: set[str] = set()
        for t, task in enumerate(meeting.tasks):
            if task.task in named:  # one obligation's subject for two, and no telling which is done
                yield _at(loaded, ("meetings", m, "tasks", t, "task"), f'task "{task.task}" is listed twice at this meeting; tell the two apart')
            named.add(task.task)
            if task.done is not None and task.done < meeting.date:
                yield _at(loaded, ("meetings", m, "tasks", t, "done"), f"done {task.done} is before the meeting {meeting.date} that assigned the task")
            if task.due is not None and task.due < meeting.date:
                yield _at(loaded, ("meetings", m, "tasks", t, "due"), f"due {task.due} is before the meeting {meeting.date} that assigned the task")
    if case.permanency and case.permanency.ppt_updated and case.permanency.ppt_updated < case.permanency.achieved:
        yield _at(loaded, ("permanency", "ppt_updated"), f"ppt_updated {case.permanency.ppt_updated} is before permanency was achieved ({case.permanency.achieved})")
    for w, waiver in enumerate(case.waivers):
        if waiver.expires is not None and waiver.expires < waiver.approved:
            yield _at(loaded, ("waivers", w, "expires"), f"the waiver expires ({waiver.expires}) before it was approved ({waiver.approved})")


def responsible_for(case: Case, duty: RuleDuty | None, staff: Mapping[str, StaffMember]) -> set[str]:
    """Who a waiver would excuse: its approver must be someone else (SPEC 3)."""
    team = case.team
    workers = {"cpsw": [team.cpsw], "jppo": [team.jppo]}.get(duty.worker if duty else "", [team.cpsw, team.jppo])
    parties = duty.responsible if duty else ("worker",)
    ids: set[str | None] = set()
    if "worker" in parties:
        ids.update(workers)
    if "supervisor" in parties:
        for worker, slot in ((team.cpsw, team.cpsw_supervisor), (team.jppo, team.jppo_supervisor)):
            if worker in workers:
                ids.add(slot or (staff[worker].supervisor if worker in staff else None))
    return {i for i in ids if i}


def _waivers(loaded: LoadedCase, rules: Mapping[str, RuleDuty] | None, staff: Mapping[str, StaffMember]) -> Iterator[Problem]:
    for w, waiver in enumerate(loaded.case.waivers):
        if rules is not None and waiver.rule not in rules:
            yield _at(loaded, ("waivers", w, "rule"), f'waiver names unknown rule "{waiver.rule}"{did_you_mean(waiver.rule, rules)}')
        duty = rules.get(waiver.rule) if rules is not None else None
        if waiver.approved_by in responsible_for(loaded.case, duty, staff):
            yield _at(loaded, ("waivers", w, "approved_by"), f'"{waiver.approved_by}" is responsible for {waiver.rule} and cannot approve its own waiver')
