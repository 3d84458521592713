"""Running the examples each rule file carries (`ppt rules test`), as Kyverno and Semgrep do."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from pptcli.calendar import BusinessCalendar
from pptcli.engine import Policy, evaluate
from pptcli.load import LoadedCase
from pptcli.located import validate
from pptcli.locator import Locator
from pptcli.model.case import Case
from pptcli.model.finding import Status
from pptcli.model.rule import Example, Rule
from pptcli.model.settings import Role, StaffMember
from pptcli.rules import RuleSet

# The case every example starts from: the example's own keys replace these (team is merged).
BASE_CASE: dict[str, Any] = {
    "id": "EX-1",
    "office": "example",
    "child": {"name": "A. B.", "born": "2012-01-01"},
}
BASE_TEAM = {
    "cpsw": "w.cpsw", "cpsw_supervisor": "s.cpsw", "permanency_cpsw": "p.cpsw",
    "jppo": "w.jppo", "jppo_supervisor": "s.jppo", "permanency_jppo": "p.jppo",
}
EXAMPLE_STAFF = {
    sid: StaffMember(id=sid, name=sid, role=role, office="example")
    for sid, role in [
        ("w.cpsw", Role.CPSW), ("s.cpsw", Role.SUPERVISOR), ("p.cpsw", Role.PERMANENCY_CPSW),
        ("w.jppo", Role.JPPO), ("s.jppo", Role.SUPERVISOR), ("p.jppo", Role.PERMANENCY_JPPO),
        ("r.spec", Role.REUNIFICATION_SPECIALIST),
    ]
}


@dataclass(frozen=True)
class Outcome:
    rule: str
    example: str
    passed: bool
    message: str


def example_case(rule: Rule, example: Example) -> dict[str, Any]:
    data = {**BASE_CASE, "program": rule.programs[0], **example.case}
    data["team"] = {**BASE_TEAM, **example.case.get("team", {})}
    return data


def run_examples(ruleset: RuleSet, calendar: BusinessCalendar | None = None, only: str | None = None) -> list[Outcome]:
    calendar = calendar or BusinessCalendar()
    outcomes = []
    for rule in ruleset.rules:
        if only and rule.id != only:
            continue
        for example in rule.examples:
            outcomes.append(_run(ruleset, rule, example, calendar))
    return outcomes


def _run(ruleset: RuleSet, rule: Rule, example: Example, calendar: BusinessCalendar) -> Outcome:
    case, problems = validate(Case, example_case(rule, example), f"{rule.id} example")
    if case is None:
        return Outcome(rule.id, example.name, False, "the example's case is invalid: " + "; ".join(p.message for p in problems))
    loaded = LoadedCase(case, "example.yaml", Locator())
    one = replace(ruleset, rules=(rule,))
    findings, problems = evaluate(one, [loaded], calendar, EXAMPLE_STAFF, Policy.of(ruleset, {}), example.as_of)
    got = [f for f in findings if f.status is not Status.NA]
    if problems:
        return Outcome(rule.id, example.name, False, "; ".join(p.message for p in problems))
    if len(got) != len(example.expect):
        shown = ", ".join(f"{f.subject}: {f.status} due {f.due}" for f in got) or "none"
        return Outcome(rule.id, example.name, False, f"expected {len(example.expect)} finding(s), got {len(got)}: {shown}")
    for finding, expected in zip(got, example.expect):
        actual = {"status": str(finding.status), "due": finding.due, "done": finding.done, "subject": finding.subject, "business_days_late": finding.business_days_late}
        for key, want in expected.items():
            have = actual.get(key, "<unknown key>")
            if _norm(have) != _norm(want):
                return Outcome(rule.id, example.name, False, f"{finding.subject}: {key} is {_norm(have)}, expected {_norm(want)}")
    return Outcome(rule.id, example.name, True, "ok")


def _norm(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)
