"""The one call behind each report command: load, validate, evaluate, select.

Commands parse options, call one function here, render and choose the exit code; the
domain logic lives below this line, never in the commands.
"""

from __future__ import annotations

import base64
import bisect
import datetime as dt
import fnmatch
import os
import sys
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from pptcli import scan
from pptcli.cache import Cache, cache_path, prune_others
from pptcli.calendar import BusinessCalendar
from pptcli.engine import Policy, evaluate, policy_error
from pptcli.load import (
    LoadedCase,
    Repository,
    find_root,
    load_ppt_yaml,
    load_repository,
    load_settings,
    read_document,
    unique_names,
)
from pptcli.locator import Locator
from pptcli.model.finding import NONCOMPLIANT, Finding, Report, Status
from pptcli.model.settings import Settings, StaffMember
from pptcli.ordered import OrderedFindings
from pptcli.problems import Problem, UserError, did_you_mean, display_path
from pptcli.rows import ROW, day_of, from_row
from pptcli.rules import RuleSet, load_rules, rules_folder
from pptcli.summary import Counts
from pptcli.yamlio import Snapshot, max_file_bytes


@dataclass(frozen=True)
class Filters:
    worker: str | None = None
    supervisor: str | None = None
    office: str | None = None
    case: str | None = None
    rule: str | None = None  # an id, or a pattern such as CPSW-I.*
    since: dt.date | None = None

    def is_empty(self) -> bool:
        return not any((self.worker, self.supervisor, self.office, self.case, self.rule, self.since))


@dataclass(frozen=True)
class Evaluated:
    repo: Repository
    ruleset: RuleSet
    findings: tuple[Finding, ...]
    problems: tuple[Problem, ...]


def ruleset_for(root: Path, settings: Settings | None = None, files: Snapshot | None = None) -> RuleSet:
    """The repository's rules: ppt.yaml `rules:` (relative to the root), else those shipped.
    Give the settings when they are already read, so ppt.yaml is not read twice; `files`:
    the bytes a report is keyed by (glance)."""
    if settings is None:
        settings = load_settings(root, files=files)[0]
    return load_rules((root / settings.rules) if settings.rules else None, shown_from=root, files=files)


def evaluate_repository(path: Path, as_of: dt.date, paths: Iterable[Path] = (), *, explain: bool = False) -> Evaluated:
    root = find_root(path)
    ruleset = ruleset_for(root)
    repo = load_repository(root, list(paths) or [path], rules=ruleset.duties())
    policy, found = _policy(root, repo, ruleset)
    findings, engine_problems = evaluate(ruleset, repo.cases, repo.calendar, repo.staff, policy, as_of, explain=explain)
    problems = sorted({*repo.problems, *ruleset.problems, *found, *engine_problems})
    return Evaluated(repo, ruleset, tuple(findings), tuple(problems))


def ids_used_elsewhere(root: Path, cases: Iterable[LoadedCase]) -> list[Problem]:
    """A problem for each case whose id another case file of the repository states, found
    through the writers' id index (write_find.py), not by parsing every file: `ppt validate
    FILE`, as a pre-commit hook runs it, would otherwise let a copied case in."""
    from pptcli.write_find import files_stating

    problems = []
    named = {(root / c.file).resolve(): c for c in cases}
    stating = files_stating(root, {case.case.id for case in named.values()})
    for case in named.values():
        others = [p for p in stating[case.case.id] if p.resolve() not in named]
        if others:
            problems.append(Problem(case.file, *case.where.at(("id",)), f'case id "{case.case.id}" is also used by {display_path(others[0], root)}'))
    return problems


def _policy(root: Path, repo: Repository, ruleset: RuleSet, files: Snapshot | None = None) -> tuple[Policy, list[Problem]]:
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
            where = Locator.of(read_document(root / "ppt.yaml", "ppt.yaml", files=files)[0])
        problems.append(Problem("ppt.yaml", *where.at(("policy", name), key=True), error))
    return Policy.of(ruleset, usable), problems


def resolve_staff(value: str | None, staff: dict[str, StaffMember], what: str) -> str | None:
    """A staff id given on the command line, checked (`me` is replaced before: glance)."""
    if value is None:
        return None
    if staff and value not in staff:
        raise UserError(f'{what} "{value}" is not in staff.yaml{did_you_mean(value, staff)}')
    return value


def _me() -> str:
    """The user's staff id, for `me`: PPT_ME, else git config ppt.me."""
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


def check_filters(filters: Filters, evaluated: Evaluated) -> Filters:
    """Filters with every id checked, so a typo is an error, not an empty report."""
    repo = evaluated.repo
    office = filters.office
    if office and repo.settings.offices and office not in repo.settings.offices:
        raise UserError(f'office "{office}" is not in ppt.yaml{did_you_mean(office, repo.settings.offices)}')
    rule = filters.rule
    if rule and not any(fnmatch.fnmatchcase(r, rule) for r in evaluated.ruleset.ids):
        raise UserError(f'no rule matches "{rule}"{did_you_mean(rule, sorted(evaluated.ruleset.ids))}')
    return Filters(
        worker=resolve_staff(filters.worker, repo.staff, "worker"),
        supervisor=resolve_staff(filters.supervisor, repo.staff, "supervisor"),
        office=office, case=filters.case, rule=rule, since=filters.since,
    )


@dataclass(frozen=True)
class Run:
    """How to run a report: with the cache (default) and on every core."""

    use_cache: bool = True
    jobs: int | None = None
    tick: Callable[[int], Callable[[], None]] | None = None  # progress: total -> per-file callback


@dataclass
class Glance:
    """What a report is made from, found before staff.yaml, calendar.yaml or a rule is
    parsed: the root, ppt.yaml, the case files (and the links the walk refused), the filters
    with `me` replaced by the user's id, and a digest of the bytes of every settings and
    rule file (scan.setting_digest). With the case files' digests (`inputs`) it keys a kept
    report (memo.py), so printing one parses none of them: at 100,000 cases, reading
    staff.yaml took more memory than the rest of such a run."""

    root: Path  # resolved
    found_root: Path  # as find_root gave it
    ppt: tuple[Settings, list[Problem]]
    files: list[str]  # paths in the repository, with /
    problems: list[Problem]  # of the walk
    filters: Filters
    digest: str
    max_bytes: int  # PPT_MAX_FILE_BYTES, read once
    snapshot: Snapshot  # the settings and rule files as read for `digest`, parsed from it
    digests: bytes | None = None  # of each file as inputs() read it, 16 bytes each (scan.packed)

    def inputs(self) -> str:
        """A digest of every case file, read now, with its path (the key of a whole report).
        The scan then looks files up in the cache by these digests, without reading them again."""
        h = scan.inputs_hash()
        packed = bytearray()
        for rel in self.files:
            digest = scan.fingerprint(self, rel)
            scan.note_input(h, rel, digest)
            packed += scan.packed(digest)
        self.digests = bytes(packed)
        return str(h.hexdigest())

    def files_digest(self) -> str:
        """A digest of the list of files (not their contents)."""
        h = scan.inputs_hash()
        for rel in self.files:
            scan.note_input(h, rel, "")
        return str(h.hexdigest())


def glance(path: Path, as_of: dt.date, filters: Filters) -> Glance:
    root = find_root(path)
    snapshot = Snapshot()
    ppt = load_ppt_yaml(root, snapshot)
    settings = ppt[0]
    real_root = root.resolve()
    problems: list[Problem] = []
    files = unique_names(real_root, [path], problems, settings, named=lambda name: _relative(name, real_root))
    limit = max_file_bytes()
    digest = scan.setting_digest(root, rules_folder((root / settings.rules) if settings.rules else None), as_of, limit, snapshot)
    if "me" in (filters.worker, filters.supervisor):
        me = _me()
        filters = replace(filters, **{name: me for name in ("worker", "supervisor") if getattr(filters, name) == "me"})
    return Glance(real_root, root, ppt, files, problems, filters, digest, limit, snapshot)


def _setting(seen: Glance, as_of: dt.date) -> tuple[scan.Setting, list[Problem], Evaluated]:
    """Settings and rules of a report; nothing read from the cases yet."""
    root = seen.found_root
    settings, staff, has_staff, calendar, problems = load_settings(root, seen.ppt, seen.snapshot)
    ruleset = ruleset_for(root, settings, seen.snapshot)
    repo = Repository(root, settings, staff, has_staff, calendar, (), ())
    bare = Evaluated(repo, ruleset, (), ())
    policy, found = _policy(root, repo, ruleset, seen.snapshot)
    setting = scan.Setting(seen.root, ruleset, settings, staff, has_staff, calendar, policy, as_of, seen.digest, seen.max_bytes)
    return setting, [*problems, *seen.problems, *ruleset.problems, *found], bare


def _relative(name: str, root: Path) -> str:
    """A file's path in the repository, with /."""
    prefix = os.path.join(str(root), "")
    if name.startswith(prefix):
        return name[len(prefix) :].replace(os.sep, "/")
    return Path(name).relative_to(root).as_posix()


def _team(filters: Filters, staff: dict[str, StaffMember]) -> set[str] | None:
    if not filters.supervisor:
        return None
    return {m.id for m in staff.values() if m.supervisor == filters.supervisor} | {filters.supervisor}


def _row_filter(filters: Filters, team: set[str] | None, include_na: bool) -> Callable[[tuple[Any, ...]], bool]:
    f = scan.field_of
    since = day_of(filters.since)  # a row's dates are day numbers

    def wanted(row: tuple[Any, ...]) -> bool:
        if not include_na and f(row, "status") == Status.NA.value:
            return False
        if filters.worker and filters.worker not in f(row, "responsible"):
            return False
        if team is not None and not (team & set(f(row, "responsible")) or filters.supervisor in f(row, "accountable")):
            return False
        if filters.office and f(row, "office") != filters.office:
            return False
        if filters.case and f(row, "case") != filters.case:
            return False
        if filters.rule and not fnmatch.fnmatchcase(f(row, "rule"), filters.rule):
            return False
        return not (since and (f(row, "due") or f(row, "trigger")) < since)

    return wanted


def _reach_filter(filters: Filters, team: set[str] | None) -> Callable[[scan.Reach], bool] | None:
    """False for a file none of whose findings `_row_filter` can want, tested on what the
    findings name together; None without filters (every file is wanted)."""
    if filters.is_empty():
        return None

    def might(reach: scan.Reach) -> bool:
        if filters.worker and filters.worker not in reach.responsible:
            return False
        if team is not None and not (team & reach.responsible or filters.supervisor in reach.accountable):
            return False
        if filters.office and filters.office not in reach.offices:
            return False
        if filters.case and filters.case not in reach.cases:
            return False
        if filters.rule and not any(fnmatch.fnmatchcase(rule, filters.rule) for rule in reach.rules):
            return False
        return not (filters.since and reach.latest is not None and reach.latest < filters.since)

    return might


@dataclass
class Layout:
    """How the statewide check table was made up, kept with it (memo.py) so that after a few
    files changed it can be made again in part (check_again): the files whose findings each
    worker's block holds (by their place in Prepared.files), and the report's totals."""

    workers: dict[str, array[int]] = field(default_factory=dict)
    dropped: int = 0  # files left out for a case id an earlier file has
    counts: Counts = field(default_factory=Counts)
    valid: int = 0
    problems: tuple[Problem, ...] = ()

    def note(self, at: int, rows: Iterable[tuple[Any, ...]]) -> None:
        for worker in scan.table_workers(rows):
            self.workers.setdefault(worker, array("i")).append(at)

    def as_json(self) -> dict[str, Any]:
        """As JSON, each worker's files as base64 of 4-byte integers (little-endian): as
        lists of Python ints, 100,000 cases' would take some 10 MB to write and to read."""
        return {"workers": {w: _packed(at) for w, at in self.workers.items()}, "dropped": self.dropped, "counts": self.counts.as_json(),
                "valid": self.valid, "problems": [[p.file, p.line, p.column, p.message] for p in self.problems]}

    @classmethod
    def from_json(cls, data: Any) -> Layout | None:
        """A layout as_json wrote; None for anything else."""
        try:
            counts = Counts.from_json(data["counts"])
            workers = {w: _unpacked(at) for w, at in data["workers"].items() if isinstance(w, str) and isinstance(at, str)}
            problems = tuple(Problem(f, line, col, m) for f, line, col, m in data["problems"] if isinstance(f, str) and isinstance(m, str) and type(line) is int and type(col) is int)
            if counts is None or len(workers) != len(data["workers"]) or len(problems) != len(data["problems"]):
                return None
            if type(data["dropped"]) is not int or type(data["valid"]) is not int:
                return None
            return cls(workers, data["dropped"], counts, data["valid"], problems)
        except (TypeError, ValueError, KeyError, AttributeError):  # binascii.Error is a ValueError
            return None


def _packed(at: array[int]) -> str:
    if sys.byteorder != "little":
        at = array("i", at)
        at.byteswap()
    return base64.b64encode(at.tobytes()).decode()


def _unpacked(text: str) -> array[int]:
    at = array("i", base64.b64decode(text, validate=True))
    if sys.byteorder != "little":
        at.byteswap()
    return at


@dataclass
class Prepared:
    """What a report is made from besides the case files' contents: settings, rules, the
    files to read and the filters, resolved. `seen` digests the files as the scan read them
    (memo.py keeps a finished report only when they are the files it was keyed by). With
    `layout`, a check table's make-up is noted in it."""

    setting: scan.Setting
    files: list[str]
    problems: list[Problem]
    filters: Filters
    team: set[str] | None
    seen: Any = field(default_factory=scan.inputs_hash)
    digests: bytes | None = None  # of each file, read just before (Glance.inputs), else as the scan read it
    layout: Layout | None = None


def prepare(path: Path, as_of: dt.date, filters: Filters, seen: Glance | None = None) -> Prepared:
    """Everything but the case files' contents; from `seen` (glance) when already found."""
    seen = seen or glance(path, as_of, filters)
    setting, problems, bare = _setting(seen, as_of)
    filters = check_filters(seen.filters, bare)
    return Prepared(setting, seen.files, problems, filters, _team(filters, setting.staff), digests=seen.digests)


class _Noting:
    """The scan's outcomes as merge takes them, noting each file's digest (Prepared.seen),
    the place of the one taken last, and how many name a case id."""

    def __init__(self, results: Iterable[scan.Outcome], seen: Any, packed: bytearray | None) -> None:
        self.results, self.seen, self.packed = results, seen, packed
        self.at, self.with_ids = -1, 0

    def __iter__(self) -> Iterator[scan.Outcome]:
        for at, result in enumerate(self.results):
            self.at = at
            scan.note_input(self.seen, result.file, result.digest)
            if self.packed is not None:
                self.packed += scan.packed(result.digest)
            self.with_ids += result.case_id is not None
            yield result


def _report(prepared: Prepared, run: Run, keep: Callable[[scan.Setting, Callable[[tuple[Any, ...]], bool]], scan.Keep], include_na: bool, order: Literal["worker", "due"] | None) -> tuple[Report, BusinessCalendar]:
    """The report; with `order`, its findings are held in a table's order (ordered.py), not
    in memory, for a table that groups them by worker or lists them by due date."""
    setting, files, filters, team = prepared.setting, prepared.files, prepared.filters, prepared.team
    chooser = replace(keep(setting, _row_filter(filters, team, include_na)), might=_reach_filter(filters, team))
    cache = cache_path(setting.root) if run.use_cache else None
    # The files' digests, when not read before: as the scan read them.
    results = _Noting(scan.outcomes(setting, files, chooser, cache, jobs=run.jobs, known=prepared.digests), prepared.seen,
                      bytearray() if prepared.digests is None else None)
    keeping: list[scan.Outcome] = []
    ordered = OrderedFindings(setting.ruleset, by_worker=order == "worker") if order else None
    take = keeping.append if ordered is None else (lambda o: ordered.add(o.kept, o.child))
    layout = prepared.layout
    if layout is not None:
        hold = take

        def take(o: scan.Outcome) -> None:
            layout.note(results.at, o.kept)
            hold(o)

    counts, found, valid, ids = scan.merge(iter(results), take, run.tick(len(files)) if run.tick else None, filtered=not filters.is_empty())
    if results.packed is not None:
        prepared.digests = bytes(results.packed)
    if cache is not None:
        prune_others(cache)
    if filters.case and filters.case not in ids:  # a typo must not pass as an empty report
        raise UserError(unknown_case_message(filters.case, ids, setting.root))
    findings = tuple(from_row(row, setting.ruleset, o.child) for o in keeping for row in o.kept)
    report = _made(setting, valid, findings, tuple(sorted({*prepared.problems, *found})), counts, ordered)
    if layout is not None:
        layout.dropped, layout.counts, layout.valid, layout.problems = results.with_ids - len(ids), counts, valid, report.problems
    return report, setting.calendar


AGAIN_AT_MOST = 100  # changed files past which a check table is made whole


def check_again(prepared: Prepared, layout: Layout, old: bytes) -> tuple[Report, BusinessCalendar, frozenset[str]] | None:
    """The statewide check table's report after a few files changed (none added, removed or
    moved), from the layout of the one kept before them and `old`, the digests it was made
    from: every count, case and problem from the layout, corrected by the changed files, and
    held only the findings of the workers those files name, before or after the change; with
    those workers. None when it must be made whole: many files changed, one cannot be read
    or its earlier result is no longer cached, a case id changed, or a case id is used twice.

    A changed file is evaluated here (and cached) after its earlier result is read."""
    new = prepared.digests
    if new is None or len(new) != len(old) or layout.dropped:
        return None
    changed = [i // 16 for i in range(0, len(new), 16) if old[i : i + 16] != new[i : i + 16]]
    if len(changed) > AGAIN_AT_MOST:
        return None
    setting = prepared.setting
    keep = scan.counting_all(frozenset(s.value for s in NONCOMPLIANT))  # as the table's scan takes them
    counts, valid, problems = layout.counts.copy(), layout.valid, set(layout.problems)
    workers = {w: list(at) for w, at in layout.workers.items()}
    fixed = set(prepared.problems)
    named: set[str] = set()
    evaluated: dict[int, scan.Outcome] = {}
    cache = Cache.open(cache_path(setting.root))
    if cache is None:
        return None
    try:
        for at in changed:
            rel = prepared.files[at]
            before, after = scan.digest_at(old, at), scan.digest_at(new, at)
            was = scan.cached(setting, rel, before, keep, cache) if before is not None else None  # before it is replaced
            if was is None or after is None:
                return None
            now = evaluated[at] = scan.outcome(setting, rel, keep, cache)
            if now.digest != after or now.case_id != was.case_id:
                return None
            counts.subtract(was.counts)
            counts.merge(now.counts)
            valid += now.valid - was.valid
            problems = (problems - (set(was.problems) - fixed)) | set(now.problems)
            then, later = scan.table_workers(was.kept), scan.table_workers(now.kept)
            for worker in then - later:
                if at not in workers.get(worker, ()):  # a layout that does not fit the cache
                    return None
                workers[worker].remove(at)
            for worker in later - then:
                bisect.insort(workers.setdefault(worker, []), at)
            named |= then | later
        ordered = OrderedFindings(setting.ruleset, by_worker=True)
        for at in sorted({at for worker in named for at in workers.get(worker, ())}):
            result = evaluated.get(at) or scan.cached(setting, prepared.files[at], scan.digest_at(new, at) or "", keep, cache)
            if result is None:
                return None
            ordered.add([row for row in result.kept if scan.table_workers([row]) & named], result.child)
    finally:
        cache.close()
    prepared.layout = Layout({w: array("i", at) for w, at in workers.items() if at}, 0, counts, valid, tuple(sorted(problems)))
    report = _made(setting, valid, (), prepared.layout.problems, counts, ordered)
    return report, setting.calendar, frozenset(named)


def _made(setting: scan.Setting, cases: int, findings: tuple[Finding, ...], problems: tuple[Problem, ...], counts: Counts, ordered: OrderedFindings | None) -> Report:
    staff = setting.staff
    return Report(
        as_of=setting.as_of, cases=cases, findings=findings, problems=problems,
        office_of={sid: m.office or "" for sid, m in staff.items()}, names={sid: m.name for sid, m in staff.items()},
        counts=counts, ordered=ordered,
    )


def check(path: Path, as_of: dt.date, filters: Filters, *, include_na: bool = False, keep_all: bool = True, table: bool = False, run: Run = Run(), prepared: Prepared | None = None) -> tuple[Report, BusinessCalendar]:
    """Findings of the repository, counted in full; kept to print: all of them, or with
    keep_all=False only the late, missed and overdue ones (what the table shows).
    `n/a` findings (the rule does not apply) only on request (SPEC 5.2). With `table`, the
    kept findings are held by worker in due order (Report.ordered), as the table prints them."""

    unfiltered = not include_na and filters.is_empty()

    def keep(setting: scan.Setting, wanted: Callable[[tuple[Any, ...]], bool]) -> scan.Keep:
        if keep_all or include_na:
            statuses = frozenset(s.value for s in Status if s is not Status.NA)
            return scan.Keep(wanted, wanted, unfiltered, statuses)
        shown = frozenset(s.value for s in NONCOMPLIANT)
        return scan.Keep(wanted, lambda row: scan.field_of(row, "status") in shown, unfiltered, shown)

    return _report(prepared or prepare(path, as_of, filters), run, keep, include_na, "worker" if table else None)


def due(path: Path, as_of: dt.date, business_days: int, filters: Filters, *, table: bool = False, run: Run = Run(), prepared: Prepared | None = None) -> tuple[Report, BusinessCalendar]:
    """Open obligations due within N business days of the as-of date (on each case's office
    calendar), and every overdue one, soonest first (SPEC 6). With `table`, they are held in
    that order (Report.ordered) instead of in memory."""

    def keep(setting: scan.Setting, wanted: Callable[[tuple[Any, ...]], bool]) -> scan.Keep:
        ends: dict[str, int] = {}  # day numbers, as a row's dates are
        overdue, open_ = Status.OVERDUE.value, Status.OPEN.value
        at_status, at_due, at_office = (ROW.index(n) for n in ("status", "due", "office"))

        def listed(row: tuple[Any, ...]) -> bool:
            status, due_on, office = row[at_status], row[at_due], row[at_office]
            if status == overdue:
                return wanted(row)
            if status != open_ or due_on is None:
                return False
            if office not in ends:  # the last day no more than N business days away: the day
                # before the (N+1)-th business day, so a duty due on the weekend or holiday after
                # the N-th business day is listed before that business day comes, not after
                following = setting.calendar.add_business_days(as_of, business_days + 1, office)
                ends[office] = following.toordinal() - 1
            return due_on <= ends[office] and wanted(row)

        return scan.Keep(listed, lambda row: True, only=frozenset({overdue, open_}))

    report, calendar = _report(prepared or prepare(path, as_of, filters), run, keep, False, "due" if table else None)
    ordered = sorted(report.findings, key=lambda f: (f.status is not Status.OVERDUE, f.due or as_of, f.case, f.rule))
    return replace(report, findings=tuple(ordered)), calendar


def unknown_case_message(case_id: str, known: Iterable[str], root: Path) -> str:
    return f'no valid case "{case_id}" in {root}{did_you_mean(case_id, known)}'


def failing(report: Report, fail_on: set[Status]) -> bool:
    """Whether any counted obligation has a --fail-on status, printed or not (the table
    prints only what is not compliant, but `--fail-on open` still counts open ones)."""
    from pptcli.summary import counts_of

    counted = counts_of(report).status
    return any(counted.get(status.value) for status in fail_on)
