"""Locks on lock files, so concurrent writers take turns where they must.

POSIX systems use flock(2), Windows msvcrt.locking; the lock belongs to the open file and is
released when the process ends, however it ends (a writer killed mid-write never leaves a
stale lock). Lock files are never deleted: unlinking a lock file while another process waits
on it would let two writers hold "the" lock at once.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pptcli.problems import UserError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
try:
    import msvcrt
except ImportError:
    msvcrt = None  # type: ignore[assignment]

WAIT_SECONDS = 120.0  # another writer holds the lock for well under a second; this is a hang


def _try_lock(fd: int, shared: bool) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        elif msvcrt is not None:  # pragma: no cover - Windows: no shared locks, so an exclusive one
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:  # pragma: no cover
            raise UserError("this system offers no file locking; ppt will not write without a lock")
    except (BlockingIOError, PermissionError):
        return False
    except OSError as exc:  # pragma: no cover - e.g. a file system without locks
        if fcntl is None:
            return False
        raise UserError(f"cannot lock {exc.filename or 'the lock file'}: {exc.strerror}") from None
    return True


@contextmanager
def holding(lock_file: Path, what: str, wait: float = WAIT_SECONDS, *, shared: bool = False) -> Iterator[None]:
    """Hold the lock on `lock_file` for the body; `what` names the locked thing in errors.
    `shared`: others holding it shared may hold it too, but none exclusively (on Windows,
    which has no shared locks, it is exclusive)."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        deadline = time.monotonic() + wait
        pause = 0.005
        while not _try_lock(fd, shared):
            if time.monotonic() > deadline:
                raise UserError(f"another ppt command has been writing {what} for {wait:.0f} s; nothing written, try again")
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
        yield
    finally:
        os.close(fd)  # releases the lock
