"""Safe writes of one case file: the one path every writing command goes through (SPEC 6).

1. Before locking: find the repository and the case file (write_find), load the settings and
   rules, check the options, and with --commit check that git can commit (write_git).
2. Lock the repository (`.ppt-cache/locks/repository.lock`): shared to write a file, exclusive
   to write one and commit it (a commit runs git's hooks, and pre-commit sets every other
   file's changes aside while they run, then puts them back: a record written meanwhile into
   another file would be lost). Then lock `.ppt-cache/locks/<file>.lock`: writers of one file
   take turns.
3. Under the lock, read the file and validate it by the loader's own path (model, cross-record
   checks, rules); a file with problems or git conflict markers is refused.
4. Plan the edit on its data (write_plan), splice it into the text (write_text), and check the
   new text reads back as exactly the intended data.
5. Write the new text to a hidden temporary file beside the case, flush and fsync it, and
   validate that file by the loader's path. Any problem: the temporary file goes, nothing else.
6. Compare the case file's bytes with what was read (an editor may have saved meanwhile).
7. os.replace the file (atomic: a reader sees the old file or the new one), fsync the folder.
8. --commit: `git commit --only` of that file, still under the locks. Should git make no
   commit (a hook says no), the file is put back as it was, and nothing is recorded.

PPT_TEST_WRITE_DELAY=<seconds> makes step 6 wait, so tests can kill a writer between writing
the temporary file and renaming it. Only the tests set it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pptcli import core
from pptcli.cache import make_folder
from pptcli.engine import Policy, evaluate, policy_error
from pptcli.load import LoadedCase, find_root, load_repository, load_settings
from pptcli.model.finding import Finding, Status
from pptcli.problems import Problem, UserError, display_path
from pptcli.rules import RuleSet
from pptcli.write_find import find_case
from pptcli.write_git import CommitFailed, GitFile, is_committed, preflight, require_committed
from pptcli.write_git import commit as git_commit
from pptcli.write_kinds import Kind
from pptcli.write_lock import holding
from pptcli.write_plan import Change, Values, check_options, plan
from pptcli.write_text import edit, verify
from pptcli.yamlio import ParseError, parse, to_plain

TEMP_SUFFIX = ".ppt-tmp"
LOCKS = Path(".ppt-cache") / "locks"
BOM = "\ufeff"


class Refused(UserError):
    """Nothing was written because of these problems (file:line:col)."""

    def __init__(self, message: str, root: Path, problems: list[Problem]) -> None:
        super().__init__(message)
        self.root = root
        self.problems = problems


@dataclass(frozen=True)
class Outcome:
    root: Path
    file: str  # relative to the root
    case_id: str
    change: Change
    written: bool
    findings: tuple[Finding, ...]  # the rules' view of the record, after the write
    commit: str | None = None  # short hash

    @property
    def message(self) -> str:
        return f"{self.case_id}: {self.change.summary}"


@dataclass(frozen=True)
class _Context:
    root: Path
    ruleset: RuleSet
    policy: Policy
    staff: Mapping[str, Any] | None  # None: no staff.yaml, staff ids are not checked


def record(start: Path, kind: Kind, case_id: str, options: Mapping[str, Any], *, as_of: dt.date, commit: bool) -> Outcome:
    """Record `options` as a `kind` record in case `case_id` of the repository at `start`."""
    root = find_root(start)
    ctx = _context(root)
    values = check_options(kind, options, ctx.staff, as_of)
    found = find_case(root, case_id)
    rel = display_path(found, root)
    real = found.resolve()
    git = preflight(real) if commit else None
    try:
        locks = _locks(root)
        with holding(locks / "repository.lock", "this repository", shared=git is None), holding(locks / _lock_name(rel), rel):
            return _write(ctx, kind, values, real, rel, case_id, as_of, git)
    except OSError as exc:  # a read-only folder, a full disk: the user's to fix, not a bug
        raise UserError(f"cannot write {rel}: {exc.strerror or exc} ({exc.filename or rel}); the file is unchanged") from None


def _context(root: Path) -> _Context:
    settings, staff, has_staff, _, problems = load_settings(root)
    ruleset = core.ruleset_for(root, settings)
    problems += ruleset.problems
    for name, value in settings.policy.items():
        error = policy_error(ruleset, name, value)
        if error:
            problems.append(Problem("ppt.yaml", 0, 0, error))
    if problems:
        raise Refused("the repository's settings or rules have problems; fix them first (nothing written)", root, problems)
    return _Context(root, ruleset, Policy.of(ruleset, settings.policy), staff if has_staff else None)


def _write(ctx: _Context, kind: Kind, values: Values, real: Path, rel: str, case_id: str, as_of: dt.date, git: GitFile | None) -> Outcome:
    _remove_stale_temps(real)  # left by a writer that was killed; we hold the lock, so none is live
    if git is not None:
        require_committed(git)  # under the lock: no other writer can change the file meanwhile
    raw = real.read_bytes()
    if not os.access(real, os.W_OK):  # replacing it would go round its permissions
        raise UserError(f"{rel} is read-only: its permissions do not let you write it (nothing written)")
    loaded, findings, problems = _validate(ctx, real, rel, as_of)
    if problems or loaded is None:
        raise Refused(f"{rel} has problems; fix them first (nothing written)", ctx.root, problems)
    if real.read_bytes() != raw:
        raise UserError(f"{rel} changed while ppt was reading it; nothing written, run the command again")
    if loaded.case.id != case_id:
        raise UserError(f"{rel} holds case {loaded.case.id}, not {case_id}; nothing written")
    text = raw.decode("utf-8")  # the loader accepted these very bytes as UTF-8
    bom = BOM if text.startswith(BOM) else ""
    change = plan(kind, values, to_plain(parse(text[len(bom):])))
    if not change.ops:
        return Outcome(ctx.root, rel, case_id, change, False, _shown(kind, change, findings))
    try:
        new_text = edit(text[len(bom):], change.ops)
    except ParseError as exc:  # read by the reader, not by the editor's stricter round-trip parser
        problem = Problem(rel, exc.line, exc.column, f"{exc.message} (ppt edits files with a stricter YAML parser; write this line more plainly)")
        raise Refused(f"{rel} cannot be edited by ppt as it is written (nothing written)", ctx.root, [problem]) from None
    verify(new_text, change.data)
    new = (bom + new_text).encode("utf-8")
    findings = _replace(ctx, real, rel, raw, new, as_of)
    commit = None
    if git is not None:
        try:
            commit = git_commit(git, f"{case_id}: {change.summary}")
        except CommitFailed as failed:
            _undo(real, rel, raw, new, git, failed)
    return Outcome(ctx.root, rel, case_id, change, True, _shown(kind, change, findings), commit)


def _undo(real: Path, rel: str, raw: bytes, new: bytes, git: GitFile, failed: CommitFailed) -> None:
    """git made no commit of the new record: put the file back as it was (a record the user
    asked to commit is recorded with its commit or not at all), unless a hook changed it."""
    if is_committed(git):  # git said no, yet the commit is there: nothing to undo
        raise UserError(f"{rel} was written and committed, but git reported: {failed.why}")
    if real.read_bytes() != new:
        raise UserError(f"{rel} was written, but the commit failed, and something (a hook?) changed the file since: {failed.why}")
    _put(real, raw)
    raise UserError(f"the commit failed, so nothing is recorded ({rel} is as it was): {failed.why}")


def _replace(ctx: _Context, real: Path, rel: str, raw: bytes, new: bytes, as_of: dt.date) -> list[Finding]:
    """Steps 5-7: the new bytes in place of the old, or nothing at all."""
    temp = _temp_beside(real, new)
    try:
        _, findings, problems = _validate(ctx, temp, rel, as_of)
        if problems:
            where = _on_disk(raw.decode("utf-8"), new.decode("utf-8"))
            raise Refused(f"{rel} would not validate with the new record; nothing written", ctx.root, [where(p) for p in problems])
        delay = os.environ.get("PPT_TEST_WRITE_DELAY")
        if delay:
            time.sleep(float(delay))
        if real.read_bytes() != raw:
            raise UserError(f"{rel} changed on disk since ppt read it (saved in an editor?); nothing written, run the command again")
        _rename(temp, real)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return findings


def _on_disk(old: str, new: str) -> Callable[[Problem], Problem]:
    """A problem of the edited text placed in the file as it is on disk: on a line the edit
    kept, that line; on one it added (the record: a --due before its meeting, say), the line
    the record would go in after, saying so. Lines the user cannot find would help no one."""
    kept: dict[int, int] = {}  # edited line -> line on disk, both from 1
    added_after: dict[int, int] = {}
    blocks = difflib.SequenceMatcher(None, old.splitlines(), new.splitlines(), autojunk=False).get_opcodes()
    for tag, old_start, _, new_start, new_end in blocks:
        for offset in range(new_end - new_start):
            if tag == "equal":
                kept[new_start + offset + 1] = old_start + offset + 1
            else:
                added_after[new_start + offset + 1] = old_start

    def place(problem: Problem) -> Problem:
        if problem.line in kept:
            return replace(problem, line=kept[problem.line])
        if problem.line in added_after:
            after = added_after[problem.line]
            return replace(problem, line=max(after, 1), column=1, message=f"the new record (after line {after}): {problem.message}")
        return problem

    return place


def _put(real: Path, data: bytes) -> None:
    """These bytes in place of the file's, atomically (the file as it was, after a failed commit)."""
    temp = _temp_beside(real, data)
    try:
        _rename(temp, real)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _temp_beside(real: Path, data: bytes) -> Path:
    """A hidden temporary file beside `real` holding `data`, on disk (fsync)."""
    fd, name = tempfile.mkstemp(prefix=f".{real.name}.", suffix=TEMP_SUFFIX, dir=real.parent)
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def _rename(temp: Path, real: Path) -> None:
    shutil.copymode(real, temp)  # mkstemp makes owner-only files; keep the case file's mode
    os.replace(temp, real)
    _sync_folder(real.parent)


def _validate(ctx: _Context, path: Path, rel: str, as_of: dt.date) -> tuple[LoadedCase | None, list[Finding], list[Problem]]:
    """The file as `ppt validate` sees it: loaded, cross-checked and evaluated, named `rel`."""
    repo = load_repository(ctx.root, [path], rules=ctx.ruleset.duties())
    read_as = display_path(path, ctx.root)
    cases = [replace(c, file=rel) for c in repo.cases]
    findings, found = evaluate(ctx.ruleset, cases, repo.calendar, repo.staff, ctx.policy, as_of)
    problems = [replace(p, file=rel) if p.file == read_as else p for p in (*repo.problems, *found)]
    return (cases[0] if cases else None), findings, problems


def _shown(kind: Kind, change: Change, findings: list[Finding]) -> tuple[Finding, ...]:
    """The findings about the record written, in the rules' order (n/a ones say nothing)."""
    subject = kind.subject(change.view)
    wanted = kind.shows or (lambda f, view: f.subject == subject)
    return tuple(f for f in findings if f.status is not Status.NA and wanted(f, change.view))


def _locks(root: Path) -> Path:
    """The folder of the writers' lock files: hidden, so the loader skips it, and ignored by git."""
    folder = root / LOCKS
    make_folder(folder, "# ppt's lock files: never commit them\n*\n")
    return folder


def _lock_name(rel: str) -> str:
    """The name of one case file's lock. A file name that is not UTF-8 holds lone surrogates:
    as bytes, it is the name on disk."""
    digest = hashlib.sha1(rel.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return f"{Path(rel).name}.{digest}.lock"


def _remove_stale_temps(real: Path) -> None:
    for stale in real.parent.glob(f".{real.name}.*{TEMP_SUFFIX}"):
        stale.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); Windows cannot open a folder, and needs not."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
