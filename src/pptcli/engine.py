"""evaluate(rules, cases, calendar, as_of) -> findings (or rows, rows.py). Pure: no I/O, no clock, no exits."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pptcli.calendar import BusinessCalendar, DeadlineKind, short_day
from pptcli.context import CaseView, Item, Schedule
from pptcli.expr import Compiled
from pptcli.load import LoadedCase
from pptcli.model.case import NotApplicable
from pptcli.model.finding import Finding, Status
from pptcli.model.rule import Authority, DeadlineSpec, Party, Rule
from pptcli.model.settings import StaffMember
from pptcli.problems import Problem, UserError
from pptcli.rows import AT, VALUE, Row, from_row
from pptcli.rules import Plan, RuleSet

# What evaluate() needs of a row besides the row: the rule version it is of (two versions in
# force on one day, which load_rules reports, each keep their own title) and its explanation.
Made = tuple[Rule, tuple[str, ...]]

_STRENGTH = {Authority.SOP: 0, Authority.POLICY: 1, Authority.ASSUMED: 2}


@dataclass(frozen=True)
class Policy:
    """Parameter values in force: the rule set's defaults with ppt.yaml's overrides."""

    values: dict[str, Any]
    authority: dict[str, Authority]
    # id(rule) -> what its findings share under this policy, made the first time it is used
    fixed: dict[int, _Fixed] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, ruleset: RuleSet, overrides: Mapping[str, Any]) -> Policy:
        values = {name: p.default for name, p in ruleset.parameters.items()}
        authority = {name: p.authority for name, p in ruleset.parameters.items()}
        for name, value in overrides.items():
            if name in values and value != values[name]:
                values[name] = value
                authority[name] = Authority.ASSUMED  # a local setting, not the SOP's word
        return cls(values, authority)


MAX_PARAMETER = 10_000  # days or months: past it, a deadline falls off the calendar (year 9999)


def policy_error(ruleset: RuleSet, name: str, value: Any) -> str | None:
    """Why a ppt.yaml policy override is unusable, or None when it is fine."""
    param = ruleset.parameters.get(name)
    if param is None:
        return f'unknown policy parameter "{name}" (known: {", ".join(sorted(ruleset.parameters))})'
    if isinstance(param.default, int) and (not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_PARAMETER):
        return f"{name} must be a whole number from 0 to {MAX_PARAMETER:,}"
    if isinstance(param.default, str) and (not isinstance(value, str) or value not in set(DeadlineKind)):
        return f"{name} must be a deadline kind ({', '.join(DeadlineKind)})"
    return None


def evaluate(
    ruleset: RuleSet,
    cases: Iterable[LoadedCase],
    calendar: BusinessCalendar,
    staff: dict[str, StaffMember],
    policy: Policy,
    as_of: dt.date,
    *,
    explain: bool = False,
) -> tuple[list[Finding], list[Problem]]:
    """Every obligation of every rule for every case; `explain` adds how each due date was
    computed (for `ppt explain`; it costs time a full report need not spend)."""
    findings: list[Finding] = []
    problems: list[Problem] = []
    for loaded in cases:
        made: list[Made] = []
        rows, found = case_rows(ruleset, loaded, calendar, staff, policy, as_of, made, explain=explain)
        child = (loaded.case.child.name, loaded.case.child.born)
        findings += [
            from_row(row, ruleset, child, explanation, described=ruleset.words(rule))
            for row, (rule, explanation) in zip(rows, made, strict=True)
        ]
        problems += found
    return findings, problems


def case_rows(
    ruleset: RuleSet, loaded: LoadedCase, calendar: BusinessCalendar, staff: dict[str, StaffMember], policy: Policy,
    as_of: dt.date, made: list[Made] | None = None, *, explain: bool = False,
) -> tuple[list[Row], list[Problem]]:
    """What `evaluate` finds in one case, as rows (rows.py), waivers applied: what a report
    over many cases works with. With `made`, the rule version each row is of and (with
    `explain`) how its due date was reached are appended to it, one entry per row."""
    values = policy.values
    schedule = Schedule(int(values["first_ppt_days"]), int(values["ppt_interval_months"]), int(values["followup_days"]))
    view = CaseView(loaded.case, as_of, staff, calendar, schedule)
    rows: list[Row] = []
    try:
        for rule in ruleset.rules:
            _evaluate_rule(ruleset, rule, loaded, view, policy, made, explain, rows)
    finally:
        view.close()
    return _apply_waivers(loaded, rows, as_of)


def _evaluate_rule(
    ruleset: RuleSet, rule: Rule, loaded: LoadedCase, view: CaseView, policy: Policy, made: list[Made] | None, explain: bool, rows: list[Row],
) -> None:
    """Append the rows of one rule's obligations in a case to `rows`."""
    if view.program not in rule.programs:
        return
    fixed = policy.fixed.get(id(rule))
    if fixed is None or fixed.rule is not rule:
        fixed = policy.fixed[id(rule)] = _Fixed.of(ruleset, rule, policy)
    base = view.names(fixed.worker, policy.values)
    trigger_of = fixed.plan.trigger
    since, until = rule.effective_from, rule.effective_to  # Rule.in_force, without a call an item
    try:
        for item in view.items(rule.for_each):
            names = {**base, **item.names}
            trigger = trigger_of(names)
            if trigger is None or not (since <= trigger and (until is None or trigger <= until)):
                continue
            names["trigger"] = trigger
            rows.append(_row(fixed, loaded, view, item, names, made, explain))
    except (TypeError, ValueError, AttributeError, OverflowError) as exc:  # ExprError is a ValueError
        # The rule file's expressions are checked for names when rules load, not for types:
        # `date < 5` fails only on a case. The rule set's author must fix it: no report is right.
        raise UserError(f"rule {rule.id} cannot be evaluated on case {loaded.case.id} ({loaded.file}): {type(exc).__name__}: {exc}; fix the rule file") from None


@dataclass(frozen=True)
class _Deadline:
    """A deadline spec with its parameters resolved under the policy in force."""

    spec: DeadlineSpec
    when: Compiled | None
    counts_from: Compiled | None
    not_before: Compiled | None
    kind: DeadlineKind
    kind_name: str  # as the policy names it (explain says so when it differs from spec.kind)
    n: int | None
    authority: str  # the weakest of the rule's and of the parameters it uses


@dataclass(frozen=True)
class _Fixed:
    """What every finding of a rule shares, whatever the case: a statewide report makes
    hundreds of thousands, so it is worked out once per rule and policy."""

    rule: Rule
    plan: Plan
    worker: str  # cpsw, jppo or both: whose SOP
    source: str
    deadlines: tuple[_Deadline, ...]
    authority: str  # when no deadline spec applies
    responsible: tuple[str | None, ...]  # the names of the parties (None: the task's owner)
    accountable: tuple[str | None, ...]

    @classmethod
    def of(cls, ruleset: RuleSet, rule: Rule, policy: Policy) -> _Fixed:
        plan = ruleset.plan(rule)
        deadlines = []
        for spec, (when, counts_from, not_before) in zip(rule.deadline, plan.deadline, strict=True):
            used, kind_name, n = set(), spec.kind, spec.n
            if kind_name in policy.values:  # the policy's kinds were checked when it was read
                used.add(kind_name)
                kind_name = str(policy.values[kind_name])
            if isinstance(n, str):
                used.add(n)
                n = int(policy.values[n])
            kind = DeadlineKind(kind_name)
            deadlines.append(_Deadline(spec, when, counts_from, not_before, kind, kind_name, n if kind in _COUNTED else None, _authority(rule, used, policy)))
        return cls(rule, plan, rule.worker.value, ruleset.source(rule), tuple(deadlines), _authority(rule, set(), policy),
                   tuple(_PARTY_NAMES[p] for p in rule.responsible), tuple(_PARTY_NAMES[p] for p in rule.accountable))


# Status members as plain names: in Python 3.11 each `Status.X` is a descriptor call, and
# the engine tests a status several times for each of a statewide report's obligations.
_NA, _LATE, _OVERDUE, _OPEN, _MISSED, _MET = Status.NA, Status.LATE, Status.OVERDUE, Status.OPEN, Status.MISSED, Status.MET

_PARTY_NAMES: dict[Party, str | None] = {
    Party.WORKER: "worker", Party.SUPERVISOR: "supervisor", Party.PERMANENCY_WORKER: "permanency_worker", Party.TASK_OWNER: None,
}


def _row(fixed: _Fixed, loaded: LoadedCase, view: CaseView, item: Item, names: dict[str, Any], made: list[Made] | None, explain: bool) -> Row:
    """One obligation's finding, as a row (rows.ROW)."""
    rule, plan = fixed.rule, fixed.plan
    as_of, case = view.as_of, loaded.case
    office = case.office
    trigger: dt.date = names["trigger"]
    due, explanation, authority = _due(fixed, view, names, explain)
    names["due"] = due
    applies = plan.when is None or bool(plan.when(names))
    if not applies:
        due, explanation = None, ("does not apply: " + (rule.when or ""),)
    done, missing, failed = None, [], []
    status = _NA
    if applies:
        done, missing = _evidence(rule, plan, names, as_of, due)
        if rule.checks and (rule.evidence or due is None or due <= as_of):
            failed = [_say(c.says, names) for c, require in zip(rule.checks, plan.checks, strict=True) if not require(names)]
        status = _status(rule, due, done, failed, as_of)
    late = 0
    if status is _LATE and due and done:
        late = view.calendar.business_days_late(due, done, office)
    elif status is _OVERDUE and due:
        late = view.calendar.business_days_late(due, as_of, office)
    line = view.line_of(item, loaded.where)
    if made is not None:
        made.append((rule, (f"trigger: {item.subject} ({loaded.file}:{line})", *explanation, *_evidence_lines(done, missing, failed)) if explain else ()))
    return (
        case.id, office, view.program, rule.id, authority, _parties(fixed.responsible, names, item), _parties(fixed.accountable, names, item),
        rule.subject or item.subject, trigger.toordinal(), due and due.toordinal(), done and done.toordinal(), VALUE[status], late,
        _detail(status, missing, failed, done) if missing or failed or status is _LATE else "", loaded.file, line,
    )


def _authority(rule: Rule, used: set[str], policy: Policy) -> str:
    """The weakest authority of the rule and the parameters it used."""
    return str(max([rule.authority, *(policy.authority[p] for p in used | set(rule.parameters))], key=_STRENGTH.__getitem__))


def _due(fixed: _Fixed, view: CaseView, names: dict[str, Any], explain: bool) -> tuple[dt.date | None, tuple[str, ...], str]:
    """The due date by the first deadline spec whose `when` holds, how it was reached, and
    the authority of the finding (the parameters of that spec count)."""
    for d in fixed.deadlines:
        if d.when is not None and not d.when(names):
            continue
        start = d.counts_from(names) if d.counts_from is not None else names["trigger"]
        if start is None:
            return None, ("no due date yet: nothing to count from (no next PPT meeting is scheduled or required)",), d.authority
        deadline = view.calendar.deadline(d.kind, start, d.n, view.case.office)
        due = deadline.due
        if d.not_before is None and not explain:
            return due, (), d.authority
        lines = [f"deadline: {deadline.describe()}" + (f" [{d.spec.kind} = {d.kind_name}]" if d.spec.kind != d.kind_name else "")] if explain else []
        if d.not_before is not None:
            floor = d.not_before(names)
            if floor is not None and due < floor:
                if explain:
                    lines.append(f"not before {short_day(floor)}: due {short_day(floor)}")
                due = floor
        return due, tuple(lines), d.authority
    return None, ("no deadline applies",), fixed.authority


_COUNTED = frozenset({DeadlineKind.BUSINESS_DAYS_BEFORE, DeadlineKind.CALENDAR_DAYS_AFTER, DeadlineKind.MONTHS_AFTER})


def _evidence(rule: Rule, plan: Plan, names: dict[str, Any], as_of: dt.date, due: dt.date | None) -> tuple[dt.date | None, list[str]]:
    """When the duty was done (the latest of its evidence dates), and what evidence is missing."""
    if not rule.evidence:
        return (due if due is not None and due <= as_of else None), []
    dates, missing = [], []
    for i, evidence in enumerate(plan.evidence):
        value = evidence(names)
        if value is True or isinstance(value, NotApplicable):  # not required here, or recorded as not applicable
            continue
        if isinstance(value, dt.date) and value <= as_of:
            dates.append(value)
        else:
            missing.append(rule.evidence_names[i] if i < len(rule.evidence_names) else rule.evidence[i])
    if missing:
        return None, missing
    return (max(dates) if dates else names["trigger"]), []


def _status(rule: Rule, due: dt.date | None, done: dt.date | None, failed: list[str], as_of: dt.date) -> Status:
    if not rule.evidence:  # a point-in-time duty: it happens on its day, properly or not
        if due is None or due > as_of:
            return _OPEN
        return _MISSED if failed else _MET
    if done is not None:
        if failed:
            return _MISSED
        return _MET if due is None or done <= due else _LATE
    if due is not None and as_of > due:
        return _OVERDUE
    return _OPEN


def _parties(parties: tuple[str | None, ...], names: dict[str, Any], item: Item) -> tuple[str, ...]:
    if len(parties) == 1:  # most rules name one party
        value = item.owner if parties[0] is None else names[parties[0]]
        return (value,) if value else ()
    ids: list[str] = []
    for party in parties:
        value = item.owner if party is None else names[party]
        if value and value not in ids:
            ids.append(value)
    return tuple(ids)


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _say(template: str, names: dict[str, Any]) -> str:
    """Fill {name} from the context; only plain names, so a rule text cannot reach further."""
    return _PLACEHOLDER.sub(lambda m: str(names.get(m.group(1), m.group(0))), template)


def _detail(status: Status, missing: list[str], failed: list[str], done: dt.date | None) -> str:
    parts = list(failed)
    if missing:
        parts.append("not recorded: " + ", ".join(missing))
    if status is _LATE and done:
        parts.append("done " + short_day(done))
    return "; ".join(parts)


def _evidence_lines(done: dt.date | None, missing: list[str], failed: list[str]) -> tuple[str, ...]:
    lines = [f"evidence: done {short_day(done)}" if done else "evidence: none recorded on or before the as-of date"]
    lines += [f"missing: {m}" for m in missing]
    lines += [f"failed: {f}" for f in failed]
    return tuple(lines)


_RULE, _SUBJECT, _STATUS, _LATE_DAYS, _DETAIL = (AT[n] for n in ("rule", "subject", "status", "business_days_late", "detail"))
assert _LATE_DAYS == _STATUS + 1 and _DETAIL == _STATUS + 2  # a waiver rewrites the three together
_WAIVABLE = frozenset(VALUE[s] for s in (Status.LATE, Status.MISSED, Status.OVERDUE, Status.OPEN))


def _apply_waivers(loaded: LoadedCase, rows: list[Row], as_of: dt.date) -> tuple[list[Row], list[Problem]]:
    """An approved, unexpired waiver turns a finding that is not met into `waived` (SPEC 5.2)."""
    problems = []
    for w, waiver in enumerate(loaded.case.waivers):
        if waiver.approved > as_of:
            continue
        matches = [i for i, row in enumerate(rows) if row[_RULE] == waiver.rule and row[_SUBJECT] == waiver.subject]
        if not matches:
            line, col = loaded.where.at(("waivers", w, "subject"))
            subjects = sorted({row[_SUBJECT] for row in rows if row[_RULE] == waiver.rule})
            hint = f" (its obligations here: {'; '.join(subjects)})" if subjects else f" ({waiver.rule} has no obligation in this case)"
            problems.append(Problem(loaded.file, line, col, f'waiver of {waiver.rule} matches no obligation "{waiver.subject}"{hint}'))
            continue
        if waiver.expires is not None and waiver.expires < as_of:
            continue  # expired: the finding shows as it is
        for i in matches:
            row = rows[i]
            if row[_STATUS] in _WAIVABLE:
                note = f"waived by {waiver.approved_by} on {waiver.approved}: {waiver.reason}"
                rows[i] = (*row[:_STATUS], VALUE[Status.WAIVED], 0, note, *row[_DETAIL + 1 :])
    return rows, problems
