"""ppt explain: how each due date of one rule for one case was computed, and what was found."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from pptcli.calendar import short_day
from pptcli.cli import app
from pptcli.cli.options import AsOf, RedactOpt, as_of_or_today, say


@app.command()
def explain(
    case_id: str = typer.Argument(..., metavar="CASE-ID"),
    rule_id: str = typer.Argument(..., metavar="RULE-ID"),
    path: Path = typer.Option(Path("."), "--repo", help="The case repository (default: the current folder)."),
    redact: bool = RedactOpt,
    as_of: dt.date = AsOf,
) -> None:
    """Every obligation of RULE-ID for CASE-ID: trigger, deadline arithmetic, evidence, status."""
    from pptcli import core
    from pptcli.problems import UserError
    from pptcli.render import initials

    day = as_of_or_today(as_of)
    evaluated = core.evaluate_repository(path, day, explain=True)
    core.check_filters(core.Filters(rule=rule_id), evaluated)
    loaded = next((c for c in evaluated.repo.cases if c.case.id == case_id), None)
    if loaded is None:
        from pptcli.problems import display_path
        from pptcli.write_find import files_stating

        root = evaluated.repo.root
        files = {display_path(found, root) for found in files_stating(root, {case_id})[case_id]}
        problems = [p for p in evaluated.problems if p.file in files]
        if problems:  # the case is there, but cannot be evaluated: say why, where
            for problem in problems:
                say(problem.render(), err=True)
            raise UserError(f'case "{case_id}" ({", ".join(sorted(files))}) has problems; fix them first')
        raise UserError(core.unknown_case_message(case_id, (c.case.id for c in evaluated.repo.cases), root))
    versions = evaluated.ruleset.versions(rule_id)
    rule = versions[-1]
    child = initials(loaded.case.child.name) if redact else loaded.case.child.name
    say(f"{rule.id}: {rule.title}")
    say(f"  {rule.source.document} {rule.source.section}: \"{rule.source.quote}\"")
    say(f"  authority: {rule.authority}; applies to {', '.join(rule.programs)} cases")
    say(f"case {case_id} ({loaded.case.program}, {loaded.case.office}, child {child}) as of {short_day(day)}")
    shown = [f for f in evaluated.findings if f.case == case_id and f.rule == rule_id]
    if redact:
        from pptcli.render.base import redact_finding

        shown = [redact_finding(f) for f in shown]
    if not shown:
        why = "the rule does not apply to this program" if str(loaded.case.program) not in rule.programs else "no record of this case triggers it"
        say(f"  no obligations: {why}")
    for finding in shown:
        say("")
        late = f", {finding.business_days_late} business day(s) late" if finding.business_days_late else ""
        say(f"  {finding.subject}: {finding.status}{late}  [authority: {finding.authority}]")
        for line in finding.explanation:
            say(f"    {line}")
        if finding.detail:
            say(f"    detail: {finding.detail}")
