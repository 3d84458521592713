"""From a record kind and its option values to the edit of one case file.

One path for every kind: check the values (dates, staff ids, choices), find the record the
identifying options name, then fill in its missing keys, or insert a new record at its place
in date order. A value already recorded is never overwritten with a different one: the user
is told, and corrects the file by hand if the record is wrong.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from pptcli.model.case import (
    Case,
    CourtAction,
    EarlyPermanency,
    Factor,
    InfoGathered,
    Meeting,
    Permanency,
    Placement,
    Plan,
    Task,
    Waiver,
    WorkgroupRequest,
)
from pptcli.problems import UserError, did_you_mean
from pptcli.write_kinds import (
    FLOW_ITEMS,
    MAPPINGS,
    ORDER_BY,
    SAY,
    SAY_FLAG,
    SCALAR_LISTS,
    Kind,
    Opt,
    Role,
    Type,
)
from pptcli.write_text import Insert, Op, Path, Set, apply_data

# The model of each list's items (or of a mapping), for key order and defaults.
MODELS: dict[str, type[BaseModel]] = {
    "": Case, "placements": Placement, "court_actions": CourtAction, "factors": Factor,
    "early_permanency": EarlyPermanency, "workgroup_requests": WorkgroupRequest, "meetings": Meeting,
    "tasks": Task, "waivers": Waiver, "plan": Plan, "permanency": Permanency, "info_gathered": InfoGathered,
}



@dataclass(frozen=True)
class Values:
    given: dict[str, Any]  # checked option values, with defaults filled in
    defaulted: frozenset[str] = frozenset()  # keys whose value is the default (today), not typed


@dataclass(frozen=True)
class Change:
    ops: tuple[Op, ...]
    data: Any  # the case after the change: what the edited text must read back as
    title: str  # "placement change 2026-11-20"
    said: tuple[str, ...]  # ("PPT notified 2026-11-23",)
    view: dict[str, Any] = field(default_factory=dict)  # option values and the record's fields

    @property
    def summary(self) -> str:
        return ", ".join((self.title, *self.said))


def check_options(kind: Kind, raw: Mapping[str, Any], staff: Mapping[str, Any] | None, as_of: dt.date) -> Values:
    """The options given, checked; `staff` None when the repository has no staff.yaml."""
    given: dict[str, Any] = {}
    defaulted = set()
    for opt in kind.opts:
        value = raw.get(opt.key)
        if value is None or value == [] or value == ():
            if opt.today:
                given[opt.key] = as_of
                defaulted.add(opt.key)
            elif opt.required and opt.role is not Role.FIELD:
                raise UserError(f"{kind.name}: {opt.cli} is required")
            continue
        given[opt.key] = _checked(opt, value, staff, as_of)
    return Values(given, frozenset(defaulted))


def _checked(opt: Opt, value: Any, staff: Mapping[str, Any] | None, as_of: dt.date) -> Any:
    if opt.type is Type.DATE:
        if not opt.future and value > as_of:
            raise UserError(f"{opt.cli} {value} is after today ({as_of}): record what has happened (--as-of sets the day taken as today)")
        return value
    if opt.type in (Type.STAFF_LIST, Type.CHOICE_LIST):
        single = Opt(opt.key, opt.help, Type.STAFF if opt.type is Type.STAFF_LIST else Type.CHOICE, choices=opt.choices, flag=opt.flag)
        return list(dict.fromkeys(_checked(single, item, staff, as_of) for item in value))
    if opt.type is Type.FLAG:
        return bool(value)
    text = str(value).strip()
    if not text:
        raise UserError(f"{opt.cli} is empty")
    if opt.type is Type.CHOICE and text not in opt.choices:
        raise UserError(f'{opt.cli}: "{text}" is not one of {", ".join(opt.choices)}{did_you_mean(text, opt.choices)}')
    if opt.type is Type.STAFF and staff is not None and text not in staff:
        raise UserError(f'{opt.cli}: unknown staff id "{text}" (not in staff.yaml){did_you_mean(text, staff)}')
    return text


def plan(kind: Kind, values: Values, data: dict[str, Any]) -> Change:
    """The edit that records `values` in the case `data` (plain data of the file)."""
    given = values.given
    path = _resolve(kind.path, given, data)
    own = kind.shape(given) if kind.shape else {o.key: given[o.key] for o in kind.opts if o.role is Role.FIELD and o.key in given}
    fields = {**kind.sets, **own}  # the status first: "meeting 2026-08-20, held, attendees ..."
    draft = _Draft(data)
    container = _get(data, path)
    name = kind.container
    if name in SCALAR_LISTS:
        return _scalar_item(kind, draft, path, container or [], given)
    if name in MAPPINGS:
        if container is None and not kind.create:
            raise UserError(f"{kind.name}: the case has no {name} yet; record it first with `ppt log {name}`")
        if container is None:
            return _create(kind, draft, given, Set(path, _ordered(name, {**kind.creates_with, **fields}), _order(path)), fields)
        _fill(draft, kind, path, container, fields, values.defaulted, {**given, **container})
        return draft.change(kind.named({**given, **container}), {**given, **container})
    items = container or []
    keys = {o.key: given[o.key] for o in kind.opts if o.role is Role.KEY and o.key in given}
    found = _match(items, keys, fuzzy=not kind.create)
    if len(found) > 1:
        raise UserError(f"{kind.name}: {_describe(keys)} matches {len(found)} entries of {name}; be more specific")
    if not found:
        if not kind.create:
            recorded = "; ".join(_name(kind, {**given, **item}, keys) for item in items) or "none"
            raise UserError(f"{kind.name}: no {_name(kind, given, keys)} in this case (recorded: {recorded})")
        record = _ordered(name, {**keys, **kind.creates_with, **fields})
        op = Insert(path, _index(items, record, ORDER_BY.get(name)), record, _order(path), name in FLOW_ITEMS)
        return _create(kind, draft, given, op, fields, first=_first(items, record, ORDER_BY.get(name)))
    record = items[found[0]]
    view = {**given, **record}
    _fill(draft, kind, path + (found[0],), record, fields, values.defaulted, view)
    others = [x for i, x in enumerate(items) if i != found[0]]
    return draft.change(kind.named(view, _first(others, record, ORDER_BY.get(name))), view)


class _Draft:
    """The case's plain data with the edits so far, and what they say."""

    def __init__(self, data: Any) -> None:
        self.data = copy.deepcopy(data)
        self.ops: list[Op] = []
        self.said: list[str] = []

    def do(self, op: Op, *said: str) -> None:
        apply_data(self.data, op)
        self.ops.append(op)
        self.said += [s for s in said if s]

    def change(self, title: str, view: dict[str, Any]) -> Change:
        return Change(tuple(self.ops), self.data, title, tuple(self.said), view)


def _create(kind: Kind, draft: _Draft, given: dict[str, Any], op: Op, fields: dict[str, Any], first: bool = True) -> Change:
    view = {**given, **op.value}
    missing = [o.cli for o in kind.opts if o.required and o.role is Role.FIELD and o.key not in given]
    if missing:
        raise UserError(f"{kind.name}: {kind.named(view, first)} is not recorded yet, so {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} required")
    draft.do(op, *(say(k, v) for k, v in {**kind.creates_with, **fields}.items() if k in op.value))
    return draft.change(kind.named(view, first), view)


def _scalar_item(kind: Kind, draft: _Draft, path: Path, items: list[Any], given: dict[str, Any]) -> Change:
    value = given[kind.opts[0].key]
    if value not in items:
        draft.do(Insert(path, _index(items, value, ""), value, _order(path)))
    return draft.change(kind.named(given), dict(given))


def _fill(draft: _Draft, kind: Kind, path: Path, record: dict[str, Any], fields: dict[str, Any], defaulted: frozenset[str], view: dict[str, Any]) -> None:
    """Record each field on an existing record; keep what is there, refuse to contradict it."""
    name = _holder(path + ("",))
    choices = {o.key: o.choices for o in kind.opts}
    for key, value in fields.items():
        current = record.get(key)
        if isinstance(value, list):
            new = [x for x in value if x not in (current or [])]
            if new and current is None:
                draft.do(Set(path + (key,), new, _order(path + (key,))), say(key, new))
            for x in new if current is not None else []:
                draft.do(Insert(path + (key,), _rank_index(_get(draft.data, path + (key,)), x, choices.get(key, ())), x))
            if new and current is not None:
                draft.said.append(say(key, new))
        elif current == value or (key not in record and value == _default(name, key)):
            continue
        elif current is None or current in kind.replaces.get(key, ()):
            draft.do(Set(path + (key,), value, _order(path + (key,))), say(key, value))
        elif key not in defaulted:  # a default (today) never contradicts what is recorded
            raise UserError(
                f"{kind.name}: {kind.named(view)} already has {key} {_text(current)}, not {_text(value)}; "
                "ppt does not overwrite a recorded value (correct the file by hand if it is wrong)"
            )


def say(key: str, value: Any) -> str:
    if key in SAY_FLAG and isinstance(value, bool):
        return SAY_FLAG[key][0 if value else 1]
    template = SAY.get(key, key.replace("_", " ") + " {}")
    return template.format(_text(value)) if template else ""


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    if isinstance(value, dict) and "not_applicable" in value:
        return f"not applicable ({value['not_applicable']})"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_text(v)}" for k, v in value.items())
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _describe(keys: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} {_text(v)}" for k, v in keys.items())


def _name(kind: Kind, view: Mapping[str, Any], keys: Mapping[str, Any]) -> str:
    """The record as reports name it ("meeting 2026-09-01"), or by the keys given."""
    try:
        return kind.subject(view)
    except KeyError:  # identified by part of its keys (a factor without its date)
        return _describe(keys)


def _resolve(path: tuple[str, ...], given: Mapping[str, Any], data: dict[str, Any]) -> Path:
    """The path with `@meeting` replaced by the index of the meeting on --meeting's date."""
    resolved: list[str | int] = []
    for step in path:
        if step != "@meeting":
            resolved.append(step)
            continue
        meetings = data.get("meetings") or []
        at = [i for i, m in enumerate(meetings) if m.get("date") == given["meeting"]]
        if len(at) != 1:
            dates = ", ".join(_text(m.get("date")) for m in meetings) or "none"
            what = "no meeting" if not at else "more than one meeting"
            raise UserError(f"--meeting: {what} on {given['meeting']} in this case (meetings: {dates})")
        resolved.append(at[0])
    return tuple(resolved)


def _get(data: Any, path: Path) -> Any:
    for step in path:
        if isinstance(data, dict):
            data = data.get(step)
        elif isinstance(data, list) and isinstance(step, int):
            data = data[step]
        else:
            return None
    return data


def _holder(path: Path) -> str:
    """The model name of the mapping that holds path[-1]: the nearest list or mapping key."""
    names = [s for s in path[:-1] if isinstance(s, str)]
    return names[-1] if names else ""


def _order(path: Path) -> tuple[str, ...]:
    model = MODELS.get(_holder(path))
    return tuple(model.model_fields) if model else ()


def _ordered(name: str, record: dict[str, Any]) -> dict[str, Any]:
    order = list(MODELS[name].model_fields)
    return {k: record[k] for k in sorted(record, key=order.index) if record[k] is not None}


def _default(name: str, key: str) -> Any:
    model = MODELS.get(name)
    info = model.model_fields.get(key) if model else None
    return info.default if info is not None else None


def _match(items: list[Any], keys: Mapping[str, Any], fuzzy: bool) -> list[int]:
    exact = [i for i, item in enumerate(items) if all(item.get(k) == v for k, v in keys.items())]
    if exact or not fuzzy:
        return exact
    # Updating a task: a unique part of its text is enough ("home study" for a long task).
    def like(mine: Any, theirs: Any) -> bool:
        return mine == theirs or (isinstance(mine, str) and isinstance(theirs, str) and mine.casefold() in theirs.casefold())
    return [i for i, item in enumerate(items) if all(like(v, item.get(k)) for k, v in keys.items())]


def _sort_key(item: Any, by: str | None) -> Any:
    value = item if by == "" else (item.get(by) if isinstance(item, dict) and by else None)
    return value if isinstance(value, dt.date) else None


def _index(items: list[Any], item: Any, by: str | None) -> int:
    """After the last item dated on or before the new one (hand-edited lists may be unsorted)."""
    mine = _sort_key(item, by)
    if by is None or mine is None:
        return len(items)
    before = [i for i, x in enumerate(items) if (key := _sort_key(x, by)) is not None and key <= mine]
    return before[-1] + 1 if before else 0


def _first(others: list[Any], item: Any, by: str | None) -> bool:
    mine = _sort_key(item, by)
    return mine is None or not any((key := _sort_key(x, by)) is not None and key < mine for x in others)


def _rank_index(items: list[Any], item: Any, choices: tuple[str, ...]) -> int:
    """Topics keep the SOP's order; other lists grow at the end."""
    if item not in choices:
        return len(items)
    rank = choices.index(item)
    before = [i for i, x in enumerate(items) if x in choices and choices.index(x) < rank]
    return before[-1] + 1 if before else (0 if any(x in choices for x in items) else len(items))
