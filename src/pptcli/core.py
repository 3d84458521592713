"""The one call behind each report command: load, validate, evaluate, select.

Commands parse options, call one function here, render and choose the exit code; the
domain logic lives below this line, never in the commands.
"""

from __future__ import annotations

import datetime as dt
import difflib
import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pptcli.calendar import BusinessCalendar
from pptcli.engine import Policy, evaluate, policy_error
from pptcli.load import Repository, find_root, load_repository, read_document
from pptcli.locator import Locator
from pptcli.model.finding import Finding, Report, Status
from pptcli.model.settings import StaffMember
from pptcli.problems import Problem, UserError
from pptcli.rules import RuleSet, load_rules


@dataclass(frozen=True)
class Filters:
    worker: str | None = None
    supervisor: str | None = None
    office: str | None = None
    case: str | None = None
    rule: str | None = None  # an id, or a pattern such as CPSW-I.*
    since: dt.date | None = None


@dataclass(frozen=True)
class Evaluated:
    repo: Repository
    ruleset: RuleSet
    findings: tuple[Finding, ...]
    problems: tuple[Problem, ...]


def ruleset_for(root: Path) -> RuleSet:
    """The repository's rules: ppt.yaml `rules:` (relative to the root), else those shipped."""
    from pptcli.load import load_settings

    settings = load_settings(root)[0]
    return load_rules((root / settings.rules) if settings.rules else None)


def evaluate_repository(path: Path, as_of: dt.date, paths: Iterable[Path] = (), *, explain: bool = False) -> Evaluated:
    root = find_root(path)
    ruleset = ruleset_for(root)
    repo = load_repository(root, list(paths) or [path], rules=ruleset.duties())
    policy, found = _policy(root, repo, ruleset)
    findings, engine_problems = evaluate(ruleset, repo.cases, repo.calendar, repo.staff, policy, as_of, explain=explain)
    problems = sorted({*repo.problems, *ruleset.problems, *found, *engine_problems})
    return Evaluated(repo, ruleset, tuple(findings), tuple(problems))


def _policy(root: Path, repo: Repository, ruleset: RuleSet) -> tuple[Policy, list[Problem]]:
    """ppt.yaml's policy overrides; an unusable one is reported at its key and left out."""
    problems: list[Problem] = []
    usable = {}
    where: Locator | None = None
    for name, value in repo.settings.policy.items():
        error = policy_error(ruleset, name, value)
        if error is None:
            usable[name] = value
            continue
        if where is None:
            where = Locator.of(read_document(root / "ppt.yaml", "ppt.yaml")[0])
        problems.append(Problem("ppt.yaml", *where.at(("policy", name), key=True), error))
    return Policy.of(ruleset, usable), problems


def resolve_staff(value: str | None, staff: dict[str, StaffMember], what: str) -> str | None:
    """A staff id given on the command line; `me` means the user (PPT_ME or git config ppt.me)."""
    if value is None:
        return None
    if value == "me":
        value = _me()
    if staff and value not in staff:
        close = difflib.get_close_matches(value, list(staff), n=1, cutoff=0.6)
        hint = f'; did you mean "{close[0]}"?' if close else ""
        raise UserError(f'{what} "{value}" is not in staff.yaml{hint}')
    return value


def _me() -> str:
    import os
    import subprocess

    me = os.environ.get("PPT_ME", "").strip()
    if not me:
        try:
            me = subprocess.run(["git", "config", "ppt.me"], capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            me = ""
    if not me:
        raise UserError('"me" needs your staff id: set PPT_ME=<id>, or run `git config --global ppt.me <id>`')
    return me


def select(findings: Iterable[Finding], filters: Filters, staff: dict[str, StaffMember]) -> list[Finding]:
    team: set[str] | None = None
    if filters.supervisor:
        team = {m.id for m in staff.values() if m.supervisor == filters.supervisor} | {filters.supervisor}
    chosen = []
    for f in findings:
        if filters.worker and filters.worker not in f.responsible:
            continue
        if team is not None and not (team & set(f.responsible) or filters.supervisor in f.accountable):
            continue
        if filters.office and f.office != filters.office:
            continue
        if filters.case and f.case != filters.case:
            continue
        if filters.rule and not fnmatch.fnmatchcase(f.rule, filters.rule):
            continue
        if filters.since and (f.due or f.trigger) < filters.since:
            continue
        chosen.append(f)
    return chosen


def check_filters(filters: Filters, evaluated: Evaluated) -> Filters:
    """Filters with `me` resolved and every id checked, so a typo is an error, not an empty report."""
    repo = evaluated.repo
    office = filters.office
    if office and repo.settings.offices and office not in repo.settings.offices:
        close = difflib.get_close_matches(office, list(repo.settings.offices), n=1)
        raise UserError(f'office "{office}" is not in ppt.yaml' + (f'; did you mean "{close[0]}"?' if close else ""))
    rule = filters.rule
    if rule and not any(fnmatch.fnmatchcase(r, rule) for r in evaluated.ruleset.ids):
        close = difflib.get_close_matches(rule, sorted(evaluated.ruleset.ids), n=1)
        raise UserError(f'no rule matches "{rule}"' + (f'; did you mean "{close[0]}"?' if close else ""))
    return Filters(
        worker=resolve_staff(filters.worker, repo.staff, "worker"),
        supervisor=resolve_staff(filters.supervisor, repo.staff, "supervisor"),
        office=office, case=filters.case, rule=rule, since=filters.since,
    )


def make_report(evaluated: Evaluated, as_of: dt.date, findings: list[Finding]) -> Report:
    staff = evaluated.repo.staff
    return Report(
        as_of=as_of,
        cases=len(evaluated.repo.cases),
        findings=tuple(findings),
        problems=evaluated.problems,
        office_of={sid: m.office or "" for sid, m in staff.items()},
        names={sid: m.name for sid, m in staff.items()},
    )


def check(path: Path, as_of: dt.date, filters: Filters, *, include_na: bool = False) -> tuple[Report, BusinessCalendar]:
    """Findings of the repository; `n/a` ones (the rule does not apply) only on request (SPEC 5.2)."""
    evaluated = evaluate_repository(path, as_of)
    filters = check_filters(filters, evaluated)
    chosen = [f for f in select(evaluated.findings, filters, evaluated.repo.staff) if include_na or f.status is not Status.NA]
    report = make_report(evaluated, as_of, chosen)
    return report, evaluated.repo.calendar


def due(path: Path, as_of: dt.date, business_days: int, filters: Filters) -> tuple[Report, BusinessCalendar]:
    """Open obligations due within N business days of the as-of date (on each case's office
    calendar), and every overdue one, soonest first (SPEC 6)."""
    evaluated = evaluate_repository(path, as_of)
    filters = check_filters(filters, evaluated)
    calendar = evaluated.repo.calendar
    ends: dict[str, dt.date] = {}
    chosen = []
    for f in select(evaluated.findings, filters, evaluated.repo.staff):
        if f.status is Status.OVERDUE:
            chosen.append(f)
        elif f.status is Status.OPEN and f.due is not None:
            end = ends.get(f.office) or ends.setdefault(f.office, calendar.add_business_days(as_of, business_days, f.office))
            if f.due <= end:
                chosen.append(f)
    chosen.sort(key=lambda f: (f.status is not Status.OVERDUE, f.due or as_of, f.case, f.rule))
    return make_report(evaluated, as_of, chosen), calendar


def unknown_case_message(case_id: str, evaluated: Evaluated) -> str:
    ids = [c.case.id for c in evaluated.repo.cases]
    close = difflib.get_close_matches(case_id, ids, n=1, cutoff=0.6)
    hint = f'; did you mean "{close[0]}"?' if close else ""
    return f'no valid case "{case_id}" in {evaluated.repo.root}{hint}'


def failing(report: Report, fail_on: set[Status]) -> bool:
    return any(f.status in fail_on for f in report.findings)
