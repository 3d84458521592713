"""evaluate(rules, cases, calendar, as_of) -> findings. Pure: no I/O, no clock, no exits."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from pptcli.calendar import BusinessCalendar, DeadlineKind
from pptcli.context import CaseView, Item, Schedule
from pptcli.load import LoadedCase
from pptcli.model.case import NotApplicable
from pptcli.model.finding import Finding, Status
from pptcli.model.rule import Authority, Party, Rule
from pptcli.model.settings import StaffMember
from pptcli.problems import Problem
from pptcli.rules import Plan, RuleSet

_STRENGTH = {Authority.SOP: 0, Authority.POLICY: 1, Authority.ASSUMED: 2}


@dataclass(frozen=True)
class Policy:
    """Parameter values in force: the rule set's defaults with ppt.yaml's overrides."""

    values: dict[str, Any]
    authority: dict[str, Authority]
    # (rule id, version, parameters used) -> the weakest authority, filled as findings are made
    authorities: dict[tuple[str, dt.date, frozenset[str]], str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, ruleset: RuleSet, overrides: Mapping[str, Any]) -> Policy:
        values = {name: p.default for name, p in ruleset.parameters.items()}
        authority = {name: p.authority for name, p in ruleset.parameters.items()}
        for name, value in overrides.items():
            if name in values and value != values[name]:
                values[name] = value
                authority[name] = Authority.ASSUMED  # a local setting, not the SOP's word
        return cls(values, authority)


def policy_error(ruleset: RuleSet, name: str, value: Any) -> str | None:
    """Why a ppt.yaml policy override is unusable, or None when it is fine."""
    param = ruleset.parameters.get(name)
    if param is None:
        return f'unknown policy parameter "{name}" (known: {", ".join(sorted(ruleset.parameters))})'
    if isinstance(param.default, int) and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
        return f"{name} must be a whole number of 0 or more"
    if isinstance(param.default, str) and value not in set(DeadlineKind):
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
    values = policy.values
    schedule = Schedule(int(values["first_ppt_days"]), int(values["ppt_interval_months"]), int(values["followup_days"]))
    for loaded in cases:
        view = CaseView(loaded.case, as_of, staff, calendar, schedule)
        case_findings = [f for rule in ruleset.rules for f in _evaluate_rule(ruleset, rule, loaded, view, policy, explain)]
        case_findings, found = _apply_waivers(loaded, case_findings, as_of)
        findings += case_findings
        problems += found
    return findings, problems


def _evaluate_rule(ruleset: RuleSet, rule: Rule, loaded: LoadedCase, view: CaseView, policy: Policy, explain: bool) -> Iterable[Finding]:
    if loaded.case.program.value not in rule.programs:
        return
    base = view.names(rule.worker.value, policy.values)
    plan = ruleset.plan(rule)
    for item in view.items(rule.for_each):
        names = {**base, **item.names}
        trigger = plan.trigger(names)
        if trigger is None or not rule.in_force(trigger):
            continue
        names["trigger"] = trigger
        yield _finding(ruleset, rule, plan, loaded, view, item, names, policy, explain)


def _finding(ruleset: RuleSet, rule: Rule, plan: Plan, loaded: LoadedCase, view: CaseView, item: Item, names: dict[str, Any], policy: Policy, explain: bool) -> Finding:
    as_of, office = view.as_of, loaded.case.office
    trigger: dt.date = names["trigger"]
    due, explanation, used = _due(rule, plan, view, names, policy, explain)
    names["due"] = due
    applies = plan.when is None or bool(plan.when(names))
    if not applies:
        due, explanation = None, ("does not apply: " + (rule.when or ""),)
    done, missing, failed = None, [], []
    status = Status.NA
    if applies:
        done, missing = _evidence(rule, plan, names, as_of, due)
        if rule.checks and (rule.evidence or due is None or due <= as_of):
            failed = [_say(c.says, names) for c, require in zip(rule.checks, plan.checks, strict=True) if not require(names)]
        status = _status(rule, due, done, failed, as_of)
    late = 0
    if status is Status.LATE and due and done:
        late = view.calendar.business_days_late(due, done, office)
    elif status is Status.OVERDUE and due:
        late = view.calendar.business_days_late(due, as_of, office)
    line = loaded.where.line(*item.path)
    return Finding.filled({
        "case": loaded.case.id, "office": office, "program": str(loaded.case.program), "rule": rule.id, "title": rule.title,
        "source": ruleset.source(rule), "authority": _authority(rule, used, policy),
        "responsible": _parties(rule.responsible, names, item), "accountable": _parties(rule.accountable, names, item),
        "subject": rule.subject or item.subject, "trigger": trigger, "due": due, "done": done, "status": status,
        "business_days_late": late, "detail": _detail(status, missing, failed, done), "file": loaded.file, "line": line,
        "quote": rule.source.quote,
        "explanation": (f"trigger: {item.subject} ({loaded.file}:{line})", *explanation, *_evidence_lines(done, missing, failed)) if explain else (),
        "child": loaded.case.child.name, "born": loaded.case.child.born,
    })


def _authority(rule: Rule, used: set[str], policy: Policy) -> str:
    """The weakest authority of the rule and the parameters it used: the same few answers for
    every obligation of a report, so they are kept on the policy."""
    key = (rule.id, rule.effective_from, frozenset(used))
    known = policy.authorities.get(key)
    if known is None:
        weakest = max([rule.authority, *(policy.authority[p] for p in used | set(rule.parameters))], key=_STRENGTH.__getitem__)
        known = policy.authorities[key] = str(weakest)
    return known


def _due(rule: Rule, plan: Plan, view: CaseView, names: dict[str, Any], policy: Policy, explain: bool) -> tuple[dt.date | None, tuple[str, ...], set[str]]:
    """The due date by the first deadline spec whose `when` holds, and how it was reached."""
    for spec, (when, counts_from, not_before) in zip(rule.deadline, plan.deadline, strict=True):
        if when is not None and not when(names):
            continue
        used: set[str] = set()
        kind_name = spec.kind
        if kind_name in policy.values:
            used.add(kind_name)
            kind_name = str(policy.values[kind_name])
        n = spec.n
        if isinstance(n, str):
            used.add(n)
            n = int(policy.values[n])
        start = counts_from(names) if counts_from is not None else names["trigger"]
        if start is None:
            return None, ("no due date yet: nothing to count from (no next PPT meeting is scheduled or required)",), used
        kind = _KINDS.get(kind_name) or DeadlineKind(kind_name)
        deadline = view.calendar.deadline(kind, start, n if kind in _COUNTED else None, view.case.office)
        lines = [f"deadline: {deadline.describe()}" + (f" [{spec.kind} = {kind_name}]" if spec.kind != kind_name else "")] if explain else []
        due = deadline.due
        if not_before is not None:
            floor = not_before(names)
            if floor is not None and due < floor:
                if explain:
                    lines.append(f"not before {floor:%a} {floor}: due {floor:%a} {floor}")
                due = floor
        return due, tuple(lines), used
    return None, ("no deadline applies",), set()


_KINDS = {kind.value: kind for kind in DeadlineKind}  # the policy's kinds were checked when it was read
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
            return Status.OPEN
        return Status.MISSED if failed else Status.MET
    if done is not None:
        if failed:
            return Status.MISSED
        return Status.MET if due is None or done <= due else Status.LATE
    if due is not None and as_of > due:
        return Status.OVERDUE
    return Status.OPEN


def _parties(parties: tuple[Party, ...], names: dict[str, Any], item: Item) -> tuple[str, ...]:
    ids: list[str] = []
    for party in parties:
        match party:
            case Party.WORKER:
                value = names["worker"]
            case Party.SUPERVISOR:
                value = names["supervisor"]
            case Party.TASK_OWNER:
                value = item.owner
            case Party.PERMANENCY_WORKER:
                value = names["permanency_worker"]
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
    if status is Status.LATE and done:
        parts.append(f"done {done:%a} {done}")
    return "; ".join(parts)


def _evidence_lines(done: dt.date | None, missing: list[str], failed: list[str]) -> tuple[str, ...]:
    lines = [f"evidence: done {done:%a} {done}" if done else "evidence: none recorded on or before the as-of date"]
    lines += [f"missing: {m}" for m in missing]
    lines += [f"failed: {f}" for f in failed]
    return tuple(lines)


def _apply_waivers(loaded: LoadedCase, findings: list[Finding], as_of: dt.date) -> tuple[list[Finding], list[Problem]]:
    """An approved, unexpired waiver turns a finding that is not met into `waived` (SPEC 5.2)."""
    problems = []
    result = list(findings)
    for w, waiver in enumerate(loaded.case.waivers):
        if waiver.approved > as_of:
            continue
        matches = [i for i, f in enumerate(result) if f.rule == waiver.rule and f.subject == waiver.subject]
        if not matches:
            line, col = loaded.where.at(("waivers", w, "subject"))
            subjects = sorted({f.subject for f in result if f.rule == waiver.rule})
            hint = f" (its obligations here: {'; '.join(subjects)})" if subjects else f" ({waiver.rule} has no obligation in this case)"
            problems.append(Problem(loaded.file, line, col, f'waiver of {waiver.rule} matches no obligation "{waiver.subject}"{hint}'))
            continue
        if waiver.expires is not None and waiver.expires < as_of:
            continue  # expired: the finding shows as it is
        for i in matches:
            f = result[i]
            if f.status in (Status.LATE, Status.MISSED, Status.OVERDUE, Status.OPEN):
                note = f"waived by {waiver.approved_by} on {waiver.approved}: {waiver.reason}"
                result[i] = replace(f, status=Status.WAIVED, business_days_late=0, detail=note)
    return result, problems
