"""Reports over a whole repository: streamed, cached, on both cores (issue 6).

Each case file becomes an Outcome on its own: its problems, the findings the report keeps
and the counts of all of them. Nothing here holds every case or every finding: outcomes
are merged as they come, and a table's findings wait on disk in print order (ordered.py),
so memory stays flat as the repository grows. Work per file is cached by content (cache.py), and a large
run is split between processes. Every path gives the same outcome for the same files: the
cache only skips work whose inputs are unchanged, and outcomes are merged in file order.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import hashlib
import itertools
import operator
import os
import pickle
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from pptcli import __version__, count_from_environment
from pptcli.cache import Cache, entry_key
from pptcli.calendar import BusinessCalendar
from pptcli.checks import cross_check
from pptcli.engine import Policy, case_rows
from pptcli.fastyaml import LocatedDict
from pptcli.load import LoadedCase, read_document, too_large
from pptcli.located import validate
from pptcli.locator import DocumentLocator, Locator, Recalled
from pptcli.model.case import Case
from pptcli.model.finding import UNASSIGNED, Status
from pptcli.model.settings import Settings, StaffMember
from pptcli.problems import Problem
from pptcli.rows import AT, ROW, date_of
from pptcli.rules import RuleSet
from pptcli.summary import Counts
from pptcli.yamlio import Snapshot, TooLarge, max_file_bytes, read_regular

_AT_STATUS = AT["status"]
_AT_RESPONSIBLE = AT["responsible"]
PARALLEL_FROM = 400  # files; below this, starting a second process costs more than it saves


@dataclass(frozen=True)
class Setting:
    """Everything evaluation depends on besides the case file, with its digest."""

    root: Path
    ruleset: RuleSet
    settings: Settings
    staff: dict[str, StaffMember]
    has_staff: bool
    calendar: BusinessCalendar
    policy: Policy
    as_of: dt.date
    digest: str
    max_bytes: int = field(default_factory=max_file_bytes)  # read once, not for every file


@dataclass(frozen=True)
class Keep:
    """Which findings a report counts (filters) and which it also keeps to print.

    `unfiltered` says `counts` takes every finding but n/a ones (a report of the whole
    repository); then the counts kept with each file's result serve, and only the findings
    whose status is in `statuses` are looked at, instead of every finding of every case.
    """

    counts: Callable[[tuple[Any, ...]], bool]
    keeps: Callable[[tuple[Any, ...]], bool]
    unfiltered: bool = False
    statuses: frozenset[str] | None = None  # with unfiltered: the statuses `keeps` may take
    only: frozenset[str] | None = None  # findings of other statuses are neither counted nor kept
    # False: no finding of a file so reached can pass the filters. Asked of cached files only:
    # a file just evaluated has its findings at hand, and they are tested one by one.
    might: Callable[[Reach], bool] | None = None


class Reach(NamedTuple):
    """Whom and what a file's findings name, cached with them: a filtered report skips a file
    whose reach its filters cannot match, instead of unpickling and testing every finding
    (a worker's or a supervisor's report matches a few cases in a statewide repository)."""

    responsible: frozenset[str]
    accountable: frozenset[str]
    offices: frozenset[str]
    cases: frozenset[str]
    rules: frozenset[str]
    latest: dt.date | None  # the latest due date (trigger date, if no due); None: unknown


@dataclass
class Outcome:
    file: str
    case_id: str | None
    problems: list[Problem]
    kept: list[tuple[Any, ...]]
    counts: Counts = field(default_factory=Counts)
    child: tuple[str, dt.date | None] = ("", None)
    valid: bool = False  # validated and evaluated (a waiver problem does not make it invalid)
    id_at: tuple[int, int] = (1, 1)
    digest: str = ""  # of the bytes it was made from (fingerprint), set by outcome and _cached


def setting_digest(root: Path, rules: Path, as_of: dt.date, max_bytes: int, files: Snapshot) -> str:
    """Changes when anything but the case file could change its findings: the settings
    files, the rule files of the folder `rules`, the as-of date, the size limit (a settings
    file over it is refused) and the tool's version. Taken from their bytes, before any is
    parsed (core.Glance), as `files` read them: the report is then made from those bytes."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{__version__}|{as_of.isoformat()}|{max_bytes}".encode())
    for name in ("ppt.yaml", "staff.yaml", "calendar.yaml"):
        _note_file(h, name, root / name, files, max_bytes)  # read with the limit, as load.read_document does
    # a folder gone, or a file in its place, lists no rule file either: its state counts too
    is_dir, listed = files.yaml_files(rules)
    h.update(f"\0{rules.as_posix()}\0{'folder' if is_dir else 'no folder'}\0".encode("utf-8", "surrogatepass"))
    for path in listed:
        _note_file(h, path.as_posix(), path, files, None)  # rules.load_rules reads them whole
    return h.hexdigest()


def _note_file(h: Any, name: str, path: Path, files: Snapshot, limit: int | None) -> None:
    """A settings or rule file's name and bytes, or why it cannot be read (loading it says
    so too: a folder in staff.yaml's place is a problem, a missing one is not)."""
    try:
        data = files.read(path, limit)
    except TooLarge as exc:  # refused unread, and reported so
        data = f"!too large: {exc.size}".encode()
    except OSError as exc:  # a broken link is read as staff.yaml and reported; a missing file is not
        why = f"{type(exc).__name__}: {exc.strerror or exc}" if os.path.lexists(path) else "missing"
        data = f"!{why}".encode("utf-8", "surrogatepass")
    h.update(f"\0{name}\0{len(data)}\0".encode("utf-8", "surrogatepass"))
    h.update(data)


class Reading(Protocol):
    """Where case files are read from, and up to what size (a Setting, or core.Glance)."""

    root: Path
    max_bytes: int


def fingerprint(setting: Reading, rel: str) -> str:
    """A digest of a case file's bytes, or why it could not be read: what its outcome is made
    from, with the setting (memo.py keys a whole report by these)."""
    try:
        return _digest(_read(setting, rel))
    except (OSError, TooLarge) as exc:
        return _unread(exc)


def _digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def _unread(exc: OSError | TooLarge) -> str:
    return f"!{type(exc).__name__}: {exc}"


_UNREAD = bytes(16)  # packed: a file that could not be read (its outcome says why)


def packed(digest: str) -> bytes:
    return _UNREAD if digest.startswith("!") else bytes.fromhex(digest)


def digest_at(packed: bytes, at: int) -> str | None:
    """The digest of the file at `at` among digests packed one after another (None: unread)."""
    data = packed[16 * at : 16 * at + 16]
    return None if data == _UNREAD else data.hex()


def inputs_hash() -> Any:
    """A running digest of the files a report is made from, in order (note_input)."""
    return hashlib.blake2b(digest_size=16)


def note_input(h: Any, rel: str, digest: str) -> None:
    h.update(f"{rel}\0{digest}\n".encode("utf-8", "surrogatepass"))


_NA = Status.NA.value


def field_of(row: tuple[Any, ...], name: str) -> Any:
    return row[AT[name]]


# --- One file ------------------------------------------------------------------------------


def _model(path: Path, rel: str, raw: bytes, digest: str, cache: Cache | None, look: bool = True) -> tuple[Case | None, Recalled, list[Problem], bool]:
    """The validated case of a file, from the cache when its content is unchanged (and
    `look`: it may be there), with the positions of its nodes (those asked before, when
    from the cache: see _model_entry); and whether the cache held an entry of the file
    with this content (then the case is worth keeping: outcome)."""
    seen = False
    if cache is not None and look:
        seen, blob = cache.model(rel, digest)
        hit = _unpickle(blob, size=3)
        if hit is not None and type(hit[1]) is dict:
            form, asked, problems = hit
            case = _case_from(form)
            if case is not None or form is None:
                return case, Recalled(asked=asked, source=functools.partial(_located, path, rel, raw)), problems, True
    doc, problems = read_document(path, rel, raw=raw)
    case = None
    if not problems and doc is None:
        problems = [Problem(rel, 1, 1, "the file is empty; a case file needs at least id, program, office and child")]
    elif not problems:
        case, problems = validate(Case, doc, rel)
    # Parsed here: kept with the case in the cache, with the positions asked of it meanwhile.
    return case, Recalled(_made=[_locator(doc) if case is not None else Locator()]), problems, seen


def _locator(doc: Any) -> Locator:
    """A validated case's positions, read from it when asked."""
    return DocumentLocator(doc=doc) if isinstance(doc, LocatedDict) else Locator.of(doc, depth=5)


def _located(path: Path, rel: str, raw: bytes) -> Locator:
    """The positions of a cached case, from its bytes parsed again (they gave no problem
    when it was cached, by this code: they give none now)."""
    doc, problems = read_document(path, rel, raw=raw)
    return Locator() if problems else _locator(doc)


# A file's validated case is cached by the first run that evaluates the file again with the
# same content (`seen`: the cache holds an entry of it, under another setting), not by the
# first run to evaluate it: that run, and the first after the file changed, cache its findings
# alone. The case serves only a later run under another setting (the next day, other rules
# or settings), and a file that changes before then never uses it; writing it is a third of
# what filling the cache adds to a first run (its JSON, its positions, and 3 KB more in a row
# of 8). The first run on another day reads such files again, and keeps their cases from then on.
def _model_entry(case: Case | None, where: Recalled, problems: list[Problem]) -> bytes:
    """The case with the positions asked of it (after evaluation, which asks for most), to
    cache so that a later run need not read the file again."""
    return pickle.dumps((_case_form(case), where.asked, problems), protocol=pickle.HIGHEST_PROTOCOL)


# A validated case is cached as pydantic-core writes it in JSON (the fields the file set),
# and validated again from it when loaded: 0.04-0.05 ms to write, where its pickle took 0.11
# ms (pydantic models pickle one by one, through Python, and a case holds about 30); loading
# takes about what unpickling took (0.24-0.31 against 0.19-0.25 ms, within this machine's
# noise). The two are the same case (tests/test_scan.py); one the serializer cannot write
# exactly, it says so ("error") and the case is pickled.
_CASE_JSON = Case.__pydantic_serializer__


def _case_form(case: Case | None) -> bytes | Case | None:
    if case is None:
        return None
    try:
        return _CASE_JSON.to_json(case, exclude_unset=True, warnings="error")  # type: ignore[no-any-return]
    except Exception:  # noqa: BLE001 - kept as it is instead
        return case


def _case_from(form: object) -> Case | None:
    """The case a cached form gives; None for none or one this code cannot read (a miss)."""
    if type(form) is bytes:
        try:
            return Case.model_validate_json(form)
        except ValueError:  # pydantic's ValidationError is one
            return None
    return form if type(form) is Case else None


def _unpickle(blob: bytes | None, size: int = 8) -> Any:
    """A cached entry, or None when there is none or it cannot be what this version wrote."""
    if blob is None:
        return None
    try:
        value = pickle.loads(blob)
    except Exception:  # noqa: BLE001 - a damaged entry is a cache miss, never a failure
        return None
    return value if isinstance(value, tuple) and len(value) == size else None


class _Damaged(Exception):
    """A cached entry that unpickled but whose findings do not: a miss."""


# A file's result, as cached: (case id, problems, parts, counts, child, valid, id_at, reach). Its
# findings are in `parts`, one pickle per status of (position, row) pairs, so a report
# unpickles only the statuses it prints: the table's late, missed and overdue rows are a
# quarter of a case's obligations.
_Entry = tuple[str | None, list[Problem], dict[str, bytes], Counts, tuple[str, dt.date | None], bool, tuple[int, int], Reach | None]


def outcome(setting: Setting, rel: str, keep: Keep, cache: Cache | None, stored: dict[bytes, object] | None = None) -> Outcome:
    """The outcome of the case file at `rel` (its path in the repository, with /). `stored`:
    what the cache held the file under when its chunk began (Cache.stored); the cache is
    not searched for an entry it did not hold."""
    try:
        raw = _read(setting, rel)
    except OSError as exc:
        return Outcome(rel, None, [Problem(rel, 0, 0, f"cannot read: {exc.strerror or exc}")], [], digest=_unread(exc))
    except TooLarge as exc:  # refused unread, as read_document refuses it: never cached
        return Outcome(rel, None, [too_large(rel, exc)], [], digest=_unread(exc))
    digest = _digest(raw)
    look = cache is not None and (stored is None or cache.holds(stored, rel, digest))
    served = _served(rel, cache.result(rel, digest, setting.digest), keep) if cache is not None and look else None
    if served is not None:
        served.digest = digest
        return served
    case, where, read, seen = _model(setting.root / rel, rel, raw, digest, cache, look)
    case_id, problems, rows, child, valid, id_at = _evaluated(setting, rel, case, where, read)
    # Rows are packed by status only to be cached; a run without the cache takes them as they are.
    if cache is None:
        result = _kept(rel, (case_id, problems, {}, _counts(rows), child, valid, id_at, None), keep, rows)
    else:
        entry = (case_id, problems, _pack(rows), _counts(rows), child, valid, id_at, _reach(rows))
        findings = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
        if not where.parsed:  # the case and every position asked came from the cache: its findings join it
            cache.put_result(rel, digest, setting.digest, findings)
        else:  # in one row, written once: the findings, and the case once its file is seen unchanged
            model = _model_entry(case, where, read) if seen else None  # with the problems of reading it, as _model gives them
            cache.put_entry(rel, digest, model, setting.digest, findings)
        result = _kept(rel, entry, keep, rows)
    result.digest = digest
    return result


def results_cached(cache_path: Path, setting: str) -> bool:
    """Whether the cache holds findings of any file under this setting (a cache that cannot
    be opened holds none)."""
    cache = Cache.open(cache_path)
    if cache is None:
        return False
    try:
        return cache.holds_results(setting)
    finally:
        cache.close()


def _read(setting: Reading, rel: str) -> bytes:
    """A file's bytes, by its path as a string (a Path per file of a warm run costs as much
    as reading it); TooLarge past the size limit."""
    return read_regular(os.path.join(setting.root, rel), setting.max_bytes)


def _if_in(present: set[bytes], rel: str, digest: str | None) -> str | None:
    return digest if digest is not None and entry_key(rel, digest) in present else None


def counting_all(statuses: frozenset[str]) -> Keep:
    """Every finding counted, those of these statuses kept: what a whole-repository report
    takes from a file (the counts cached with it)."""
    return Keep(_every, _every, unfiltered=True, statuses=statuses)


def _every(row: tuple[Any, ...]) -> bool:
    return True


def cached(setting: Setting, rel: str, digest: str, keep: Keep, cache: Cache) -> Outcome | None:
    """The outcome of a file's content with this digest from the cache; None when not cached."""
    return _served(rel, cache.result(rel, digest, setting.digest), keep)


def table_workers(rows: Iterable[tuple[Any, ...]]) -> set[str]:
    """The workers whose blocks of a check table these findings go in (ordered.py)."""
    return {name for row in rows for name in (row[_AT_RESPONSIBLE] or (UNASSIGNED,))}


def _cached(setting: Setting, rel: str, digest: str, keep: Keep, cache: Cache) -> Outcome:
    """The outcome of a file found cached (evaluated here should the entry be gone)."""
    served = _served(rel, cache.result(rel, digest, setting.digest), keep)
    if served is None:
        return outcome(setting, rel, keep, cache)
    served.digest = digest
    return served


def _served(rel: str, blob: bytes | None, keep: Keep) -> Outcome | None:
    """The outcome a cached entry gives, or None when there is none or it is damaged."""
    entry = _unpickle(blob)
    if entry is None:
        return None
    try:
        return _kept(rel, entry, keep)
    except _Damaged:
        return None


def _pack(rows: list[tuple[Any, ...]]) -> dict[str, bytes]:
    groups: dict[str, list[tuple[int, tuple[Any, ...]]]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(row[_AT_STATUS], []).append((i, row))
    return {status: pickle.dumps(pairs, protocol=pickle.HIGHEST_PROTOCOL) for status, pairs in groups.items()}


def _unpack(parts: dict[str, bytes], statuses: Iterable[str]) -> list[tuple[Any, ...]]:
    """The rows of these statuses, in the order the file gave them."""
    pairs: list[tuple[int, tuple[Any, ...]]] = []
    try:
        for status in statuses:
            blob = parts.get(status)
            if blob is not None:
                pairs += pickle.loads(blob)
        pairs.sort(key=_position)
        rows = [row for _, row in pairs]
        if any(len(row) != len(ROW) for row in rows):
            raise _Damaged
        return rows
    except Exception as exc:  # a damaged entry is a cache miss, never a failure
        raise _Damaged from exc


def _position(pair: tuple[int, tuple[Any, ...]]) -> int:
    return pair[0]


def _kept(rel: str, entry: _Entry, keep: Keep, rows: list[tuple[Any, ...]] | None = None) -> Outcome:
    """What a report takes from one file's result: cached (rows unpickled only for the
    statuses it looks at) or just evaluated (`rows`, all of them)."""
    case_id, problems, parts, counts, child, valid, id_at, reach = entry
    if not isinstance(parts, dict) or (rows is None and type(reach) is not Reach):
        raise _Damaged

    def pick(statuses: frozenset[str] | None) -> list[tuple[Any, ...]]:
        if rows is not None:
            return rows if statuses is None else [r for r in rows if r[_AT_STATUS] in statuses]
        return _unpack(parts, parts if statuses is None else statuses)

    result = Outcome(rel, case_id, problems, [], child=child, valid=valid, id_at=id_at)
    if rows is None and keep.might is not None and not keep.might(reach):
        return result  # none of its findings can pass the filters: none is counted or kept
    if keep.unfiltered and keep.statuses is not None:
        result.counts = counts
        result.kept = [row for row in pick(keep.statuses) if keep.keeps(row)]
        return result
    for row in pick(keep.only):
        if keep.counts(row):
            result.counts.add(row[_AT_STATUS], row[AT["responsible"]], row[AT["office"]])
            if keep.keeps(row):
                result.kept.append(row)
    return result


def _reach(rows: list[tuple[Any, ...]]) -> Reach:
    """Whom, which offices, cases and rules a file's findings name, and their latest date
    (a finding's due date, else its trigger; None when one has neither): each field read
    by `map` over the rows, not row by row in Python (a third of the time)."""
    chained = itertools.chain.from_iterable
    days = [due or trigger for due, trigger in zip(map(_DUE_OF, rows), map(_TRIGGER_OF, rows))]
    return Reach(
        frozenset(chained(map(_RESPONSIBLE_OF, rows))), frozenset(chained(map(_ACCOUNTABLE_OF, rows))),
        frozenset(map(_OFFICE_OF, rows)), frozenset(map(_CASE_OF, rows)), frozenset(map(_RULE_OF, rows)),
        None if not days or None in days else date_of(max(days)),
    )


_RESPONSIBLE_OF, _ACCOUNTABLE_OF, _DUE_OF, _TRIGGER_OF, _OFFICE_OF, _CASE_OF, _RULE_OF = (
    operator.itemgetter(AT[name]) for name in ("responsible", "accountable", "due", "trigger", "office", "case", "rule")
)


def _counts(rows: list[tuple[Any, ...]]) -> Counts:
    """Counts of a file's findings, all but n/a."""
    counts = Counts()
    for row in rows:
        status = row[_AT_STATUS]
        if status != _NA:
            counts.add(status, row[AT["responsible"]], row[AT["office"]])
    return counts


_Evaluated = tuple[str | None, list[Problem], list[tuple[Any, ...]], tuple[str, dt.date | None], bool, tuple[int, int]]


def _evaluated(setting: Setting, rel: str, case: Case | None, where: Locator, problems: list[Problem]) -> _Evaluated:
    if case is None:
        return None, problems, [], ("", None), False, (1, 1)
    loaded = LoadedCase(case, rel, where)
    _, found = cross_check([loaded], setting.settings, setting.staff, setting.has_staff, setting.ruleset.duties())
    child = (case.child.name, case.child.born)
    id_at = where.at(("id",))
    if found:
        return case.id, found, [], child, False, id_at
    rows, found = case_rows(setting.ruleset, loaded, setting.calendar, setting.staff, setting.policy, setting.as_of)
    return case.id, found, rows, child, True, id_at


# --- Many files ----------------------------------------------------------------------------

# Collections of the garbage collector while a report is made: allocations between young
# collections, and how many of each older generation's before the next (CPython's 700, 10, 10).
COLLECT_AFTER = (50_000, 20, 100)


@contextlib.contextmanager
def few_collections() -> Iterator[None]:
    """Make a report with few garbage collections. Its objects form no reference cycles (a
    case's evaluation leaves none: engine.case_rows), so a collection finds nothing to free,
    yet each one walks every young object, and a full one every object the run holds: what
    was imported and loaded before, and the ordered findings of a statewide table. What
    was there before is frozen out of the collector's sight (worker processes inherit it
    frozen, which also spares their copies of its memory), and collections are spaced out;
    they still run, so a cycle some input makes is freed. Inside another such report (or
    with objects frozen already), nothing is frozen or unfrozen here."""
    before = gc.get_threshold()
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    gc.set_threshold(*COLLECT_AFTER)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        if freeze:
            gc.unfreeze()


_WORK: tuple[Setting, Keep, Path | None] | None = None  # set in each worker process


def _init(setting: Setting, keep: Keep, cache_path: Path | None) -> None:
    global _WORK
    _WORK = (setting, keep, cache_path)


def _chunk(rels: Sequence[str]) -> list[Outcome]:
    assert _WORK is not None
    setting, keep, cache_path = _WORK
    return list(_opened_each(setting, rels, keep, cache_path))


def _opened_each(setting: Setting, rels: Sequence[str], keep: Keep, cache_path: Path | None) -> Iterator[Outcome]:
    """`_each` with the cache at `cache_path` opened for it (in this process) and closed after."""
    cache = Cache.open(cache_path) if cache_path else None
    try:
        yield from _each(setting, rels, keep, cache)
    finally:
        if cache is not None:
            cache.close()


LOOKED_UP_AT_ONCE = 500  # files whose cache entries one query finds (SQLite allows 999 parameters or more)


def _each(setting: Setting, rels: Sequence[str], keep: Keep, cache: Cache | None) -> Iterator[Outcome]:
    """The outcomes of files, their entries looked up a few hundred at a time: two lookups
    a file cost as much as writing its entry, and from an empty cache find nothing."""
    for start in range(0, len(rels), LOOKED_UP_AT_ONCE):
        part = rels[start : start + LOOKED_UP_AT_ONCE]
        stored = cache.stored(part) if cache is not None else None
        for rel in part:
            yield outcome(setting, rel, keep, cache, stored)


def outcomes(setting: Setting, rels: Sequence[str], keep: Keep, cache_path: Path | None, *, jobs: int | None = None, known: bytes | None = None) -> Iterator[Outcome]:
    """Outcomes of the files, in the order given, on up to `jobs` processes. Files whose
    result is cached are served here; only the others are shared out, and only when there
    are enough of them to pay for starting processes (a warm run starts none). `known`: the
    files' digests, read just before (core.Prepared.inputs), to look them up by. Files are
    paths in the repository, with /: 100,000 strings take a fifth of the memory of as many
    Path objects."""
    jobs = jobs or processes()
    if jobs <= 1 or len(rels) < PARALLEL_FROM or not _can_fork():
        yield from _opened_each(setting, rels, keep, cache_path)
        return
    cache = Cache.open(cache_path) if cache_path else None
    try:
        digests: list[str | None] = [None] * len(rels)
        present = cache.results_of(setting.digest) if cache is not None else None
        if present and known is not None and len(known) == 16 * len(rels):  # read and digested just before
            digests = [_if_in(present, rel, digest_at(known, i)) for i, rel in enumerate(rels)]
        elif present:  # read here only when some file has findings cached under this setting
            digests = [_if_in(present, rel, fingerprint(setting, rel)) for rel in rels]
        del present
        misses = [rel for rel, d in zip(rels, digests) if d is None]
        if len(misses) < PARALLEL_FROM:
            for rel, digest in zip(rels, digests):
                yield _cached(setting, rel, digest, keep, cache) if digest and cache else outcome(setting, rel, keep, cache)
            return
        import multiprocessing

        chunks = _shares(misses, jobs)
        context = multiprocessing.get_context("fork")
        if cache is not None:
            cache.close()  # an SQLite connection must not cross a fork (sqlite.org/howtocorrupt.html)
            cache = None
        with context.Pool(jobs, initializer=_init, initargs=(setting, keep, cache_path)) as pool:
            cache = Cache.open(cache_path) if cache_path else None
            evaluated = itertools.chain.from_iterable(pool.imap(_chunk, chunks))
            for rel, digest in zip(rels, digests):
                if digest and cache:
                    yield _cached(setting, rel, digest, keep, cache)
                    continue
                result = next(evaluated)
                # The path as this process already holds it: merge keeps one per case id, and
                # a copy from the worker for each would be 7 MB at 100,000 cases.
                assert result.file == rel
                result.file = rel
                yield result
    finally:
        if cache is not None:
            cache.close()


def _shares(files: Sequence[str], jobs: int) -> list[Sequence[str]]:
    """The files in chunks for the workers, smaller towards the end, so that the workers
    finish together: with equal chunks of 200 files, one worker ended the run alone for the
    time of half a chunk, on average (a third of a second at 10,000 files). A chunk's
    outcomes are held by the worker, then by this process until read: at most 200 files'
    worth, so memory does not grow with the repository."""
    chunks, start = [], 0
    while start < len(files):
        size = max(10, min(200, (len(files) - start) // (jobs * 4)))
        chunks.append(files[start : start + size])
        start += size
    return chunks


def processes() -> int:
    """The processes a report uses: PPT_JOBS=N (1: a single process), else two, or one where
    this process may run on one core only (a container, `taskset`)."""
    return count_from_environment("PPT_JOBS") or min(2, _cores())


def _cores() -> int:
    affinity = getattr(os, "sched_getaffinity", None)  # the cores this process may run on
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def merge(
    results: Iterator[Outcome], take: Callable[[Outcome], None], on_each: Callable[[], None] | None = None, *, filtered: bool = False,
) -> tuple[Counts, list[Problem], int, Collection[str]]:
    """Counts of all, problems, valid cases and case ids; each outcome with kept findings goes
    to `take`, in order. A case id used by an earlier file makes a later file a problem, and
    its findings do not count. `filtered`: a report of some workers, offices, cases or rules
    counts only the valid cases with an obligation in it (an n/a one is none)."""
    counts = Counts()
    problems: list[Problem] = []
    first: dict[str, str] = {}
    valid = 0
    for result in results:
        if on_each is not None:
            on_each()
        if result.case_id is not None and result.case_id in first:
            other = first[result.case_id]
            problems += result.problems
            problems.append(Problem(result.file, *result.id_at, f'case id "{result.case_id}" is also used by {other}'))
            continue
        if result.case_id is not None:
            first[result.case_id] = result.file
        problems += result.problems
        valid += result.valid and (not filtered or result.counts.obligations > 0)
        counts.merge(result.counts)
        if result.kept:
            take(result)
    return counts, problems, valid, first.keys()
