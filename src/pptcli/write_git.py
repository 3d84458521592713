"""`--commit`: one git commit of exactly the case file written, as the user.

Everything that could make the commit fail for a foreseeable reason (no git, not a
repository, no identity, a merge, cherry-pick, revert or rebase in progress, git's index
locked) is checked before the file is written. What cannot be foreseen (a hook that says no,
a signing key that fails) makes the writer put the file back as it was (write.py): a
refused commit never leaves a half-done job.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from pptcli.problems import UserError


@dataclass(frozen=True)
class GitFile:
    top: Path  # the work tree's top folder
    name: str  # the file, relative to `top`


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise UserError("--commit needs git, and git is not installed (nothing written)") from None


class CommitFailed(UserError):
    """git made no commit; `why` is what git said, whole."""

    def __init__(self, target: GitFile, why: str) -> None:
        super().__init__(f"the commit of {target.name} failed: {why}")
        self.why = why


def _said(result: subprocess.CompletedProcess[str]) -> str:
    """What git said, whole (its last line alone, "remove the file manually to continue",
    reads as if the case file were meant), on one line per sentence it wrote."""
    text = " ".join(line.strip() for line in (result.stderr.strip() or result.stdout.strip()).splitlines() if line.strip())
    return text or f"git exited with {result.returncode}"


# Operations that stop half-way and wait for the user: a commit made then would end them.
_IN_PROGRESS = {
    "MERGE_HEAD": "a git merge", "CHERRY_PICK_HEAD": "a git cherry-pick", "REVERT_HEAD": "a git revert",
    "rebase-merge": "a git rebase", "rebase-apply": "a git rebase (or git am)",
}
INDEX_WAIT = 10.0  # seconds to wait for another git command to release the index


def _index_locked(result: subprocess.CompletedProcess[str]) -> bool:
    return "index.lock" in result.stderr and "exists" in result.stderr


def preflight(path: Path) -> GitFile:
    """Where the file stands in git, or why it cannot be committed."""
    folder = path.parent
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise UserError(f"--commit: {folder} is not inside a git repository (nothing written; run without --commit, or `git init` first)")
    root = Path(top.stdout.strip())
    if any(_git(root, "var", ident).returncode != 0 for ident in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT")):
        raise UserError('--commit: git does not know who you are (nothing written); run `git config --global user.name "Your Name"` and `git config --global user.email you@example.org`')
    names = [*_IN_PROGRESS, "index.lock"]
    paths = _git(root, "rev-parse", *(arg for name in names for arg in ("--git-path", name))).stdout.splitlines()
    for name, where in zip(names, paths, strict=False):
        if name in _IN_PROGRESS and (root / where).exists():
            raise UserError(f"--commit: {_IN_PROGRESS[name]} is in progress; finish or abort it first (nothing written)")
    if len(paths) == len(names):
        _wait_for_index(root / paths[-1])
    name = path.resolve().relative_to(root.resolve()).as_posix()
    if _git(root, "check-ignore", "-q", "--", name).returncode == 0:
        raise UserError(f"--commit: git ignores {name} (.gitignore); nothing written")
    return GitFile(root, name)


def require_committed(target: GitFile) -> None:
    """The file must equal its last commit, or the commit named after the new record would
    also carry edits nobody described."""
    if _git(target.top, "rev-parse", "--verify", "-q", f"HEAD:{target.name}").returncode != 0:
        raise UserError(f"--commit: {target.name} is not committed in git yet; commit it first (nothing written)")
    if not is_committed(target):
        raise UserError(f"--commit: {target.name} has changes not committed yet; commit or undo them first (nothing written)")


def is_committed(target: GitFile) -> bool:
    """Whether the file on disk is the one in the last commit. Compares blobs: reads only,
    no index lock."""
    committed = _git(target.top, "rev-parse", "--verify", "-q", f"HEAD:{target.name}")
    current = _git(target.top, "hash-object", "--", target.name)
    return committed.returncode == 0 and current.returncode == 0 and current.stdout.strip() == committed.stdout.strip()


def _wait_for_index(lock: Path) -> None:
    """Another git command holds the index (an editor's or a prompt's `git status` does, for
    an instant): wait for it; a lock that stays was left by a git command that was stopped."""
    deadline = time.monotonic() + INDEX_WAIT
    while lock.exists():
        if time.monotonic() > deadline:
            raise UserError(
                f"--commit: git's index has been locked for {INDEX_WAIT:.0f} s ({lock}): another git command is "
                "running, or one was stopped and left that file behind; if no git command is running, delete it "
                "(nothing written)"
            )
        time.sleep(0.05)


def commit(target: GitFile, message: str) -> str:
    """Commit the file alone (other staged changes stay staged); return the short hash.
    CommitFailed when git made no commit."""
    deadline = time.monotonic() + INDEX_WAIT
    while True:
        done = _git(target.top, "commit", "--quiet", "--only", "-m", message, "--", target.name)
        if done.returncode == 0:
            return _git(target.top, "rev-parse", "--short", "HEAD").stdout.strip()
        if not _index_locked(done) or time.monotonic() > deadline:
            raise CommitFailed(target, _said(done))
        time.sleep(0.1)  # another git command held the index for an instant: try again
