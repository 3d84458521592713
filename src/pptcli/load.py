"""Files -> models. Every failure becomes a Problem with file, line and column.

A file with problems never stops the others: it is reported and left out of evaluation.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from pptcli.calendar import BusinessCalendar, Closure, state_holidays
from pptcli.located import validate
from pptcli.locator import DocumentLocator, Locator
from pptcli.model.case import Case
from pptcli.model.settings import CalendarFile, Role, Settings, Staff, StaffMember
from pptcli.problems import Problem, UserError, display_path, unknown_office
from pptcli.yamlio import ParseError, Snapshot, TooLarge, max_file_bytes, parse, read_regular

SETTINGS = "ppt.yaml"
STAFF = "staff.yaml"
CALENDAR = "calendar.yaml"
SETTINGS_FILES = frozenset({SETTINGS, STAFF, CALENDAR})
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class RuleDuty:
    """What validation needs to know of a rule: whose SOP, and who answers for it."""

    worker: str  # cpsw | jppo | both
    responsible: tuple[str, ...]  # worker | supervisor | task_owner | permanency_worker


@dataclass(frozen=True)
class LoadedCase:
    case: Case
    file: str  # relative to the repository root
    where: Locator


@dataclass(frozen=True)
class Repository:
    root: Path
    settings: Settings
    staff: dict[str, StaffMember]
    has_staff_file: bool
    calendar: BusinessCalendar
    cases: tuple[LoadedCase, ...]
    problems: tuple[Problem, ...]


def find_root(start: Path) -> Path:
    """The nearest folder at or above `start` that holds ppt.yaml (SPEC 2)."""
    here = _resolved(start)
    if here is None:
        raise UserError(f"{start}: a link that leads back to itself (a loop)")
    if not here.exists():
        raise UserError(f"{start}: no such file or folder")
    folder = here if here.is_dir() else here.parent
    for candidate in (folder, *folder.parents):
        if (candidate / SETTINGS).is_file():
            return candidate
    raise UserError(f"{start}: not inside a case repository (no {SETTINGS} here or in any parent folder; `ppt init DIR` creates one)")


def case_files(root: Path, under: Path, skip: frozenset[Path] = frozenset()) -> Iterator[Path]:
    """Case files at or below `under`, in a stable order; hidden files and folders skipped,
    and the folders in `skip` (a repository's own rules folder holds rules, not cases)."""
    for name, _ in _case_names(root, under, skip):
        yield Path(name)


def _case_names(root: Path, under: Path, skip: frozenset[Path]) -> Iterator[tuple[str, bool]]:
    """case_files as strings, each with whether it is a link: a statewide repository has
    100,000 files, and a Path and an lstat for each cost more than the walk itself.

    The order is os.walk's, top-down: a folder's files by name, then each folder below it by
    name, in full. Links to folders are not followed; a folder that cannot be listed (no
    permission, a path too long) is given as if it were a file, and reading it reports why."""
    under = under.resolve()
    if not under.is_dir() and os.path.lexists(under):  # named (a pipe too: reading it says what it is); a settings or rule file is read as what it is, not as a case
        if not (under.parent == root and under.name in SETTINGS_FILES) and not any(folder in under.parents for folder in skip):
            yield str(under), False
        return
    top, skipped = str(root), {str(folder) for folder in skip}
    stack = [str(under)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=_name)
        except (FileNotFoundError, NotADirectoryError):
            continue  # gone, or replaced by a file, since it was listed
        except OSError:  # its cases would vanish from every report unsaid: reading it says why
            yield folder, False
            continue
        below = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if _is_dir(entry):
                if not entry.is_symlink() and entry.path not in skipped:
                    below.append(entry.path)
            elif name.endswith((".yaml", ".yml")) and not (folder == top and name in SETTINGS_FILES):
                yield entry.path, entry.is_symlink()
        stack.extend(reversed(below))


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def read_document(path: Path, rel: str, raw: bytes | None = None, files: Snapshot | None = None) -> tuple[Any, list[Problem]]:
    """Parse one file (or its bytes, already read; or as `files` read it) into located
    values, or say why not."""
    limit = max_file_bytes()
    if raw is None:
        try:
            raw = (files.read if files is not None else read_regular)(path, limit)  # refuses a file over the limit unread
        except TooLarge as exc:
            return None, [too_large(rel, exc)]
        except OSError as exc:
            return None, [Problem(rel, 0, 0, f"cannot read: {exc.strerror or exc}")]
    elif len(raw) > limit:
        return None, [too_large(rel, TooLarge(len(raw), limit))]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # what Windows PowerShell's > writes
        return None, [Problem(rel, 1, 1, "UTF-16 text; save the file as UTF-8")]
    if b"\0" in raw:
        return None, [Problem(rel, 1, 1, "not a text file (contains NUL bytes)")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        start = raw.rfind(b"\n", 0, exc.start) + 1  # columns count characters, as everywhere else
        col = len(raw[start : exc.start].decode("utf-8", "replace").lstrip("\ufeff")) + 1
        return None, [Problem(rel, line, col, "not valid UTF-8 text")]
    try:
        return parse(text), []
    except ParseError as exc:
        return None, [Problem(rel, exc.line, exc.column, exc.message)]


def too_large(rel: str, exc: TooLarge) -> Problem:
    return Problem(rel, 1, 1, f"file is {exc.size:,} bytes; the limit is {exc.limit:,} (PPT_MAX_FILE_BYTES)")


def _resolved(path: Path) -> Path | None:
    """The real path, or None for a loop of links (RuntimeError up to Python 3.12, OSError after)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return None


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _load_model(path: Path, rel: str, model: type[M], files: Snapshot | None) -> tuple[M | None, Any, list[Problem]]:
    doc, problems = read_document(path, rel, files=files)
    if problems:
        return None, None, problems
    if doc is None:  # an empty settings file means "all defaults"
        return model(), doc, []
    value, problems = validate(model, doc, rel)
    return value, doc, problems


def load_ppt_yaml(root: Path, files: Snapshot | None = None) -> tuple[Settings, list[Problem]]:
    """ppt.yaml (defaults where it cannot be read), and its problems."""
    settings, _, found = _load_model(root / SETTINGS, SETTINGS, Settings, files)
    return settings or Settings(), found


def load_settings(
    root: Path, ppt: tuple[Settings, list[Problem]] | None = None, files: Snapshot | None = None,
) -> tuple[Settings, dict[str, StaffMember], bool, BusinessCalendar, list[Problem]]:
    """The settings files; `ppt`: ppt.yaml, already read (load_ppt_yaml); `files`: the
    bytes a report is keyed by (core.glance), else read now."""
    problems: list[Problem] = []
    settings, found = ppt or load_ppt_yaml(root, files)
    problems += found
    staff_map: dict[str, StaffMember] = {}
    # Present means read: a folder, a pipe or a broken link in a settings file's place is
    # reported, not taken for a missing file (ppt.yaml itself marks the root: find_root).
    has_staff = os.path.lexists(root / STAFF)
    if has_staff:
        staff, doc, found = _load_model(root / STAFF, STAFF, Staff, files)
        problems += found
        if staff is not None:
            staff_map, found = _index_staff(staff, DocumentLocator(doc=doc, depth=None), settings.offices)
            problems += found
        else:  # reported in staff.yaml; checking every case against no one would bury that
            has_staff = False
    calendar = BusinessCalendar()
    if os.path.lexists(root / CALENDAR):
        cal, doc, found = _load_model(root / CALENDAR, CALENDAR, CalendarFile, files)
        problems += found
        if cal is not None:
            calendar = build_calendar(cal)
            where = DocumentLocator(doc=doc, depth=None)
            for i, removed in enumerate(cal.holidays.remove):  # a typing mistake keeps the real one off
                if removed.date not in state_holidays(removed.date.year):
                    problems.append(Problem(CALENDAR, *where.at(("holidays", "remove", i, "date")), f"{removed.date} is not a state-office holiday, so there is none to remove (`ppt calendar` lists them)"))
            for i, closure in enumerate(cal.closures):  # its days off would silently apply nowhere
                if settings.offices and closure.office and closure.office not in settings.offices:
                    problems.append(Problem(CALENDAR, *where.at(("closures", i, "office")), unknown_office(closure.office, settings.offices)))
    return settings, staff_map, has_staff, calendar, problems


def _index_staff(staff: Staff, where: Locator, offices: Sequence[str]) -> tuple[dict[str, StaffMember], list[Problem]]:
    index: dict[str, StaffMember] = {}
    problems = []
    for i, member in enumerate(staff.staff):
        if member.id in index:
            line, col = where.at(("staff", i, "id"))
            problems.append(Problem(STAFF, line, col, f'staff id "{member.id}" is listed twice'))
        index[member.id] = member
    for i, member in enumerate(staff.staff):
        boss = index.get(member.supervisor) if member.supervisor else None
        if member.supervisor and boss is None:
            problem = f'supervisor "{member.supervisor}" is not in the staff list'
        elif member.supervisor == member.id:
            problem = f'"{member.id}" is given as their own supervisor'
        elif boss is not None and boss.role is not Role.SUPERVISOR:  # findings would go up to a caseworker
            problem = f'supervisor "{boss.id}" has the role {boss.role}, not supervisor'
        else:
            problem = ""
        if problem:
            problems.append(Problem(STAFF, *where.at(("staff", i, "supervisor")), problem))
        if offices and member.office and member.office not in offices:
            problems.append(Problem(STAFF, *where.at(("staff", i, "office")), unknown_office(member.office, offices)))
    return index, problems


def build_calendar(cal: CalendarFile) -> BusinessCalendar:
    return BusinessCalendar(
        closures=[Closure(c.date, c.reason, c.office) for c in cal.closures],
        added={h.date: h.name or "holiday (calendar.yaml)" for h in cal.holidays.add},
        removed=[h.date for h in cal.holidays.remove],
    )


def load_repository(root: Path, paths: Sequence[Path] = (), rules: Mapping[str, RuleDuty] | None = None) -> Repository:
    """Load settings and the case files at or below `paths` (default: the whole repository)."""
    from pptcli.checks import cross_check

    settings, staff, has_staff, calendar, problems = load_settings(root)
    loaded: list[LoadedCase] = []
    docs: dict[str, Locator] = {}
    for path in unique_files(root, paths or (root,), problems, settings):
        rel = display_path(path, root)
        doc, found = read_document(path, rel)
        if not found and doc is not None:
            case, found = validate(Case, doc, rel)
            if case is not None:
                where = Locator.of(doc)
                loaded.append(LoadedCase(case, rel, where))
                docs[rel] = where
        elif not found:
            found = [Problem(rel, 1, 1, "the file is empty; a case file needs at least id, program, office and child")]
        problems += found
    good, found = cross_check(loaded, settings, staff, has_staff, rules)
    problems += found
    return Repository(root, settings, staff, has_staff, calendar, tuple(good), tuple(sorted(set(problems))))


def unique_files(root: Path, paths: Sequence[Path], problems: list[Problem], settings: Settings | None = None) -> list[Path]:
    """The case files at or below `paths`, each once; links leading outside the repository
    are refused. A rules folder that ppt.yaml names inside the repository is not searched."""
    return [Path(name) for name in unique_names(root, paths, problems, settings)]


def unique_names(root: Path, paths: Sequence[Path], problems: list[Problem], settings: Settings | None = None, named: Callable[[str], str] | None = None) -> list[str]:
    """unique_files as strings (see _case_names), each passed through `named` if given (a
    statewide list is 100,000 names: one form of each is held, not two)."""
    if len(paths) == 1:  # a walk gives each file once
        found: list[str] = []
        for name in _names(root, paths[0], problems, settings):
            found.append(named(name) if named else name)
        return found
    seen: dict[str, None] = {}
    for start in paths:
        for name in _names(root, start, problems, settings):
            seen.setdefault(named(name) if named else name, None)
    return list(seen)


def _names(root: Path, start: Path, problems: list[Problem], settings: Settings | None) -> Iterator[str]:
    real_root = root.resolve()
    skip = frozenset({(real_root / settings.rules).resolve()}) if settings is not None and settings.rules else frozenset()
    # _case_names walks the resolved start without following links into other folders:
    # from a start inside the repository, only a file that is itself a link can lead
    # elsewhere (the listing tells links apart; resolving every path of a statewide
    # repository would cost more than the walk)
    start_inside = _inside(start.resolve(), real_root)
    for name, is_link in _case_names(real_root, start, skip):
        if not start_inside or is_link:
            target = _resolved(Path(name))
            if target is None or not _inside(target, real_root):
                message = "a link to a file outside the case repository" if target else "a link that leads back to itself (a loop)"
                problems.append(Problem(display_path(Path(name), real_root), 0, 0, f"{message}; refused"))
                continue
        yield name
