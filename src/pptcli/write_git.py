"""`--commit`: one git commit of exactly the case file written, as the user.

Everything that could make the commit fail for a foreseeable reason (no git, not a
repository, no identity, a merge in progress) is checked before the file is written, so a
refused commit never leaves a half-done job.
"""

from __future__ import annotations

import subprocess
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


def _last_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = (result.stderr.strip() or result.stdout.strip()).splitlines()
    return lines[-1] if lines else f"git exited with {result.returncode}"


def preflight(path: Path) -> GitFile:
    """Where the file stands in git, or why it cannot be committed."""
    folder = path.parent
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise UserError(f"--commit: {folder} is not inside a git repository (nothing written; run without --commit, or `git init` first)")
    root = Path(top.stdout.strip())
    if _git(root, "var", "GIT_AUTHOR_IDENT").returncode != 0:
        raise UserError('--commit: git does not know who you are (nothing written); run `git config --global user.name "Your Name"` and `git config --global user.email you@example.org`')
    if _git(root, "rev-parse", "-q", "--verify", "MERGE_HEAD").returncode == 0:
        raise UserError("--commit: a git merge is in progress; finish or abort it first (nothing written)")
    name = path.resolve().relative_to(root.resolve()).as_posix()
    if _git(root, "check-ignore", "-q", "--", name).returncode == 0:
        raise UserError(f"--commit: git ignores {name} (.gitignore); nothing written")
    return GitFile(root, name)


def require_committed(target: GitFile) -> None:
    """The file must equal its last commit, or the commit named after the new record would
    also carry edits nobody described. Compares blobs: reads only, no index lock."""
    committed = _git(target.top, "rev-parse", "--verify", "-q", f"HEAD:{target.name}")
    if committed.returncode != 0:
        raise UserError(f"--commit: {target.name} is not committed in git yet; commit it first (nothing written)")
    current = _git(target.top, "hash-object", "--", target.name)
    if current.stdout.strip() != committed.stdout.strip():
        raise UserError(f"--commit: {target.name} has changes not committed yet; commit or undo them first (nothing written)")


def commit(target: GitFile, message: str) -> str:
    """Commit the file alone (other staged changes stay staged); return the short hash."""
    done = _git(target.top, "commit", "--quiet", "--only", "-m", message, "--", target.name)
    if done.returncode != 0:
        raise UserError(f"{target.name} was written, but the commit failed: {_last_line(done)}")
    return _git(target.top, "rev-parse", "--short", "HEAD").stdout.strip()
