"""ppt rules: list, show, coverage of the SOPs, and the rules' own examples as tests."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from pptcli.cli import app

if TYPE_CHECKING:
    from pptcli.rules import RuleSet

rules_app = typer.Typer(help="The rule catalogue: list, show, coverage, test.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(rules_app, name="rules")

RepoOpt = typer.Option(None, "--repo", help="Use this case repository's rules (ppt.yaml `rules:`); default: the shipped rules.")


def _ruleset(repo: Path | None) -> RuleSet:
    from pptcli.core import ruleset_for
    from pptcli.load import find_root
    from pptcli.problems import UserError
    from pptcli.rules import load_rules

    ruleset = ruleset_for(find_root(repo)) if repo is not None else load_rules()
    if ruleset.problems:
        shown = "\n".join(p.render() for p in ruleset.problems)
        raise UserError(f"the rule files in {ruleset.folder} have problems:\n{shown}")
    return ruleset


def _deadline_text(ruleset: RuleSet, rule_id: str) -> str:
    rule = ruleset.versions(rule_id)[-1]
    parts = []
    for spec in rule.deadline:
        text = spec.kind + (f" {spec.n}" if spec.n is not None else "") + (f" from {spec.counts_from}" if spec.counts_from else "")
        parts.append(f"{text} (when {spec.when})" if spec.when else text)
    return "; ".join(parts)


@rules_app.command("list")
def list_rules(repo: Path = RepoOpt) -> None:
    """Every rule: id, authority, programs, deadline and title."""
    ruleset = _ruleset(repo)
    for rule_id in sorted(ruleset.ids):
        rule = ruleset.versions(rule_id)[-1]
        typer.echo(f"{rule.id:<15} {rule.authority:<7} {','.join(rule.programs):<15} {_deadline_text(ruleset, rule_id):<45} {rule.title}")


@rules_app.command("show")
def show(rule_id: str = typer.Argument(..., metavar="RULE-ID"), repo: Path = RepoOpt) -> None:
    """One rule in full: the SOP quote, deadline, parameters, checks and examples."""
    ruleset = _ruleset(repo)
    versions = ruleset.versions(rule_id)
    if not versions:
        from pptcli.problems import UserError, did_you_mean

        raise UserError(f'no rule "{rule_id}"{did_you_mean(rule_id, sorted(ruleset.ids))}')
    from pptcli.rules import rule_key

    for rule in versions:
        file, _ = ruleset.lines[rule_key(rule)]
        typer.echo(f"{rule.id}: {rule.title}   ({file})")
        typer.echo(f"  source: {rule.source.document} {rule.source.section}")
        typer.echo(f'  quote: "{rule.source.quote}"')
        typer.echo(f"  authority: {rule.authority}   programs: {', '.join(rule.programs)}   effective: {rule.effective_from} to {rule.effective_to or 'now'}")
        typer.echo(f"  responsible: {', '.join(rule.responsible)}   accountable: {', '.join(rule.accountable)}")
        typer.echo(f"  for each: {rule.for_each}" + (f" where {rule.when}" if rule.when else ""))
        typer.echo(f"  trigger: {rule.trigger}   deadline: {_deadline_text(ruleset, rule.id)}")
        if rule.evidence:
            typer.echo(f"  evidence: {', '.join(rule.evidence_names or rule.evidence)}")
        for check in rule.checks:
            typer.echo(f"  check: {check.require}  ->  {check.says}")
        used = [n for spec in rule.deadline for n in (spec.kind, spec.n) if isinstance(n, str) and n in ruleset.parameters]
        for name in dict.fromkeys([*used, *rule.parameters]):
            p = ruleset.parameters[name]
            typer.echo(f"  parameter {name} = {p.default} ({p.authority}: {p.source})")
        for example in rule.examples:
            expected = ", ".join(str(e.get("status")) for e in example.expect) or "no obligation"
            typer.echo(f"  example (as of {example.as_of}): {example.name} -> {expected}")


@rules_app.command("coverage")
def coverage(repo: Path = RepoOpt) -> None:
    """Every lettered item of both SOPs and the FAQ, and the rules that encode it (or why none can)."""
    ruleset = _ruleset(repo)
    missing = 0
    for item in ruleset.coverage:
        encoded = [r for r in item.rules if r in ruleset.ids]
        status = ", ".join(encoded) if encoded else f"guidance: {item.guidance}" if item.guidance else "NOT ENCODED"
        missing += not encoded and not item.guidance
        typer.echo(f"{item.document} {item.section:<6} {status}")
        typer.echo(f"    {item.text}")
    if missing:
        raise typer.Exit(1)


@rules_app.command("test")
def test(rule_id: str = typer.Argument(None, metavar="[RULE-ID]"), repo: Path = RepoOpt) -> None:
    """Run every rule's own examples; exit 1 when one fails."""
    from pptcli.ruletest import run_examples

    ruleset = _ruleset(repo)
    outcomes = run_examples(ruleset, only=rule_id)
    failed = [o for o in outcomes if not o.passed]
    for outcome in failed:
        typer.echo(f"FAIL {outcome.rule}: {outcome.example}: {outcome.message}")
    typer.echo(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed")
    if failed or not outcomes:
        raise typer.Exit(1)
