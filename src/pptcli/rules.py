"""Loading a rule folder: rule files, parameters.yaml and coverage.yaml, checked as data."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pptcli.calendar import DeadlineKind
from pptcli.expr import Compiled, Expr, ExprError
from pptcli.load import RuleDuty, too_large
from pptcli.located import validate
from pptcli.locator import Locator
from pptcli.model.rule import CoverageFile, CoverageItem, Parameter, ParameterFile, Rule
from pptcli.problems import Problem, UserError, display_path
from pptcli.yamlio import ParseError, Snapshot, TooLarge, parse

PARAMETERS = "parameters.yaml"
COVERAGE = "coverage.yaml"

# Names every rule expression may use (the engine builds them; see context.py).
CASE_NAMES = frozenset({
    "case", "program", "office", "child", "team", "plan", "permanency", "first_placement",
    "cpsw", "jppo", "cpsw_supervisor", "jppo_supervisor", "permanency_cpsw", "permanency_jppo",
    "reunification_specialist", "casa_gal", "worker", "supervisor", "permanency_worker",
    "age_on", "next_ppt_after", "in_placement", "due", "trigger", "as_of",
})


def shipped_rules_dir() -> Path:
    """The rules installed with ppt (in the wheel), or the source tree's rules/ folder."""
    packaged = resources.files("pptcli") / "rules"
    if packaged.is_dir():
        return Path(str(packaged))
    source = Path(__file__).resolve().parents[2] / "rules"
    if source.is_dir():
        return source
    raise UserError("the rules shipped with ppt are missing from this installation; reinstall ppt")


@dataclass(frozen=True)
class Plan:
    """A rule's compiled expressions, in the places the engine asks for them on every
    obligation (rather than looked up by a "deadline[0].when" key each time)."""

    trigger: Compiled
    when: Compiled | None
    deadline: tuple[tuple[Compiled | None, Compiled | None, Compiled | None], ...]  # per spec: when, from, not_before
    evidence: tuple[Compiled, ...]
    checks: tuple[Compiled, ...]  # each check's `require`

    @classmethod
    def of(cls, rule: Rule, exprs: Mapping[str, Expr]) -> Plan:
        """The plan of a rule's expressions by place (as Rule.expressions names them); every
        one must find its place, so the two namings cannot drift apart unnoticed."""
        left = dict(exprs)

        def run(where: str) -> Compiled | None:
            expr = left.pop(where, None)
            return expr.run if expr is not None else None

        def runs(wheres: list[str]) -> tuple[Compiled, ...]:
            return tuple(left.pop(where).run for where in wheres)

        plan = cls(
            trigger=left.pop("trigger").run,
            when=run("when"),
            deadline=tuple((run(f"deadline[{i}].when"), run(f"deadline[{i}].from"), run(f"deadline[{i}].not_before")) for i in range(len(rule.deadline))),
            evidence=runs([f"evidence[{i}]" for i in range(len(rule.evidence))]),
            checks=runs([f"checks[{i}].require" for i in range(len(rule.checks))]),
        )
        if left:
            raise ValueError(f"rule {rule.id}: expressions with no place in its plan: {sorted(left)}")
        return plan


@dataclass(frozen=True)
class RuleSet:
    folder: Path
    rules: tuple[Rule, ...]  # every version of every rule
    parameters: dict[str, Parameter]
    coverage: tuple[CoverageItem, ...]
    compiled: dict[str, dict[str, Expr]] = field(repr=False)  # rule id + version -> where -> Expr, of the rules kept
    lines: dict[str, tuple[str, int]] = field(repr=False)  # rule key -> (file, line)
    problems: tuple[Problem, ...] = ()

    @property
    def ids(self) -> set[str]:
        return {rule.id for rule in self.rules}

    def duties(self) -> Mapping[str, RuleDuty]:
        """Who each rule binds, by rule id (read-only: asked for once per case file)."""
        return self._duties

    @cached_property
    def _duties(self) -> Mapping[str, RuleDuty]:
        return MappingProxyType({r.id: RuleDuty(r.worker.value, tuple(p.value for p in r.responsible)) for r in self.rules})

    def plan(self, rule: Rule) -> Plan:
        """The rule's compiled expressions, by the part of the rule each belongs to."""
        return self._plans[id(rule)]

    def source(self, rule: Rule) -> str:
        """"CPSW PPT SOP I.C": the rule's document and section."""
        return self._sources[id(rule)]

    def versions(self, rule_id: str) -> list[Rule]:
        return list(self._by_id.get(rule_id, ()))

    def described(self, rule_id: str, trigger: dt.date) -> tuple[str, str, str]:
        """Title, source ("CPSW PPT SOP I.C") and quote of the rule version in force on the
        trigger date (the last version when none is)."""
        versions = self._by_id[rule_id]
        rule = versions[0] if len(versions) == 1 else next((r for r in versions if r.in_force(trigger)), versions[-1])
        return self.words(rule)

    def words(self, rule: Rule) -> tuple[str, str, str]:
        """Title, source and quote of one rule version, as its findings carry them."""
        return rule.title, self.source(rule), rule.source.quote

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_plans", None)  # keyed by object identity: rebuilt after unpickling
        state.pop("_by_id", None)
        state.pop("_sources", None)
        state.pop("_duties", None)  # a mapping proxy does not pickle; rebuilt when asked for
        return state

    # Lookups the engine makes for every obligation of every case, prepared once.
    @cached_property
    def _plans(self) -> dict[int, Plan]:
        return {id(r): Plan.of(r, self.compiled[rule_key(r)]) for r in self.rules}

    @cached_property
    def _sources(self) -> dict[int, str]:
        return {id(r): f"{r.source.document} {r.source.section}" for r in self.rules}

    @cached_property
    def _by_id(self) -> dict[str, tuple[Rule, ...]]:
        table: dict[str, list[Rule]] = {}
        for rule in self.rules:
            table.setdefault(rule.id, []).append(rule)
        return {k: tuple(v) for k, v in table.items()}


def rule_key(rule: Rule) -> str:
    return f"{rule.id}@{rule.effective_from.isoformat()}"


def _read(path: Path, folder: Path, files: Snapshot) -> tuple[Any, str, list[Problem]]:
    rel = display_path(path, folder)
    try:
        text = files.read(path).decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as read_text did
        return parse(text), rel, []
    except ParseError as exc:
        return None, rel, [Problem(rel, exc.line, exc.column, exc.message)]
    except TooLarge as exc:  # a settings file in the rules folder, refused when it was digested
        return None, rel, [too_large(rel, exc)]
    except (OSError, UnicodeDecodeError) as exc:
        return None, rel, [Problem(rel, 0, 0, f"cannot read: {exc}")]


def rules_folder(folder: Path | None) -> Path:
    """The rules folder load_rules reads: `folder`, else the rules shipped, resolved."""
    return (folder or shipped_rules_dir()).resolve()


def load_rules(folder: Path | None = None, shown_from: Path | None = None, files: Snapshot | None = None) -> RuleSet:
    """The rules of a folder (default: those shipped). Problems name files relative to
    `shown_from` (a repository root) when the folder is inside it, as reports do (SPEC 7).
    `files`: the bytes a report is keyed by (core.glance), else read now."""
    folder = rules_folder(folder)
    if shown_from is not None and shown_from.resolve() in folder.parents:
        folder_shown = shown_from.resolve()
    else:
        folder_shown = folder
    files = files or Snapshot()
    is_dir, listed = files.yaml_files(folder)
    if not is_dir:
        raise UserError(f"{folder}: the rules folder does not exist")
    problems: list[Problem] = []
    parameters = _load_parameters(folder, folder_shown, problems, files)
    _schedule_parameters(parameters, folder, folder_shown, problems)
    coverage = _load_coverage(folder, folder_shown, problems, files)
    rules: list[Rule] = []
    compiled: dict[str, dict[str, Expr]] = {}
    lines: dict[str, tuple[str, int]] = {}
    for path in listed:
        if path.name in (PARAMETERS, COVERAGE) or not path.name.endswith((".yaml", ".yml")):
            continue
        doc, rel, found = _read(path, folder_shown, files)
        rule = None
        if not found:
            rule, found = validate(Rule, doc, rel)
        problems += found
        if rule is None:
            continue
        where = Locator.of(doc)
        exprs, found = _compile(rule, parameters, rel, where)
        if rule_key(rule) in lines:
            found.append(Problem(rel, *where.at(("id",)), f"rule {rule.id} effective {rule.effective_from} is also defined in {lines[rule_key(rule)][0]}"))
        problems += found
        if not found:  # a file with problems leaves nothing behind, its expressions included
            rules.append(rule)
            compiled[rule_key(rule)] = exprs
            lines[rule_key(rule)] = (rel, where.line("id"))
    problems += _check_versions(rules, lines)
    return RuleSet(folder, tuple(rules), parameters, coverage, compiled, lines, tuple(problems))


def _load_parameters(folder: Path, shown: Path, problems: list[Problem], files: Snapshot) -> dict[str, Parameter]:
    path = folder / PARAMETERS
    if not path.is_file():
        return {}
    doc, rel, found = _read(path, shown, files)
    problems += found
    if found:
        return {}
    model, found = validate(ParameterFile, doc, rel)
    problems += found
    return dict(model.parameters) if model else {}


# Parameters the engine itself reads, whatever the rules: the PPT meeting schedule (CPSW I.F).
SCHEDULE_PARAMETERS = ("first_ppt_days", "ppt_interval_months", "followup_days")


def _schedule_parameters(parameters: dict[str, Parameter], folder: Path, shown: Path, problems: list[Problem]) -> None:
    """A rules folder whose parameters.yaml lacks a schedule parameter (or cannot be read) is
    reported, and the shipped default used, rather than ending the run in an internal error."""
    missing = [name for name in SCHEDULE_PARAMETERS if name not in parameters]
    if not missing:
        return
    shipped = _load_parameters(rules_folder(None), rules_folder(None), [], Snapshot())
    rel = display_path(folder / PARAMETERS, shown)
    for name in missing:
        parameters[name] = shipped[name]
        problems.append(Problem(rel, 0, 0, f"parameter {name!r} is missing; the PPT schedule needs it, so the shipped default ({shipped[name].default}) is used"))


def _load_coverage(folder: Path, shown: Path, problems: list[Problem], files: Snapshot) -> tuple[CoverageItem, ...]:
    path = folder / COVERAGE
    if not path.is_file():
        return ()
    doc, rel, found = _read(path, shown, files)
    problems += found
    if found:
        return ()
    model, found = validate(CoverageFile, doc, rel)
    problems += found
    return model.items if model else ()


def _compile(rule: Rule, parameters: dict[str, Parameter], rel: str, where: Locator) -> tuple[dict[str, Expr], list[Problem]]:
    """The rule's expressions by place, parsed and name-checked, and its problems."""
    problems = []
    exprs: dict[str, Expr] = {}
    known = CASE_NAMES | set(parameters) | _selector_names(rule)
    for place, source in rule.expressions():
        try:
            expr = Expr.parse(source)
        except ExprError as exc:
            problems.append(Problem(rel, *where.at(_path_of(place)), str(exc)))
            continue
        unknown = sorted(expr.names - known)
        if unknown:
            problems.append(Problem(rel, *where.at(_path_of(place)), f"{place}: unknown name {unknown[0]!r} in {source!r}"))
        exprs[place] = expr
    for i, spec in enumerate(rule.deadline):
        problems += _check_deadline(spec.kind, spec.n, parameters, rel, where.at(("deadline", i)) if len(rule.deadline) > 1 else where.at(("deadline",)))
    for name in rule.parameters:
        if name not in parameters:
            problems.append(Problem(rel, *where.at(("parameters",)), f"unknown parameter {name!r}"))
    return exprs, problems


def _path_of(place: str) -> tuple[Any, ...]:
    head = place.split(".")[0]
    name, _, index = head.partition("[")
    return (name, int(index[:-1])) if index else (name,)


def _check_deadline(kind: str, n: int | str | None, parameters: dict[str, Parameter], rel: str, at: tuple[int, int]) -> list[Problem]:
    value: Any = parameters[kind].default if kind in parameters else kind
    try:
        DeadlineKind(value)
    except ValueError:
        return [Problem(rel, *at, f"deadline kind {kind!r} is neither a deadline kind ({', '.join(DeadlineKind)}) nor a parameter naming one")]
    if isinstance(n, str) and n not in parameters:
        return [Problem(rel, *at, f"deadline n {n!r} is not a parameter")]
    if isinstance(n, str) and (not isinstance(parameters[n].default, int) or isinstance(parameters[n].default, bool)):
        return [Problem(rel, *at, f"deadline n {n!r} names a parameter that is not a whole number")]
    return []


def _check_versions(rules: list[Rule], lines: dict[str, tuple[str, int]]) -> list[Problem]:
    """Two versions of one rule may not be in force on the same day."""
    problems = []
    by_id: dict[str, list[Rule]] = {}
    for rule in rules:
        by_id.setdefault(rule.id, []).append(rule)
    for versions in by_id.values():
        versions.sort(key=lambda r: r.effective_from)
        for older, newer in itertools.pairwise(versions):
            if older.effective_to is None or older.effective_to >= newer.effective_from:
                file, line = lines[rule_key(newer)]
                problems.append(Problem(file, line, 1, f"rule {newer.id}: versions effective {older.effective_from} and {newer.effective_from} overlap; give the older one an effective_to before {newer.effective_from}"))
    return problems


def _selector_names(rule: Rule) -> set[str]:
    from pptcli.context import SELECTOR_NAMES

    return set(SELECTOR_NAMES[rule.for_each])
