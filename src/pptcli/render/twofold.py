"""The blocks of a large check table made on both cores.

Once every case is read, making the table is left to one process: turning each finding's
row back into a finding and laying out its line, a second or so of the run at 10,000 cases
with the other core idle. The workers' blocks are independent, so a forked process makes
those of the second half of the workers (by count of findings, OrderedFindings.middle)
while this one makes the first half, and they are printed in order. The other process
writes its blocks to a temporary file (as the findings that wait on disk are kept: readable
only by its owner, unlinked at once, in the folder TMPDIR names); should it fail, this
process makes its blocks too. Where there is no fork (Windows), or one process is asked
for (PPT_JOBS=1), or the table is small, one process makes them all.
"""

from __future__ import annotations

import os
import pickle
import signal
import tempfile
from collections.abc import Callable, Iterator
from typing import IO, TypeVar

from pptcli import count_from_environment
from pptcli.model.finding import Finding
from pptcli.ordered import OrderedFindings
from pptcli.spill import _chosen_folder

T = TypeVar("T")

SPLIT_FROM = 20_000  # findings (PPT_SPLIT_FROM=N: tests); below this, forking costs more than it saves


def blocks(ordered: OrderedFindings, make: Callable[[str, list[Finding]], T]) -> Iterator[T]:
    """`make(worker, findings)` for each worker's block, in order."""
    started = _start(ordered, make)
    if started is None:  # one process makes every block
        yield from (make(worker, found) for worker, found in ordered.groups())
        return
    split, out, pid = started
    try:
        yield from (make(worker, found) for worker, found in ordered.groups(high=split))
        made = _ended(pid)
        pid = 0
        if made:
            out.seek(0)
            yield from _read(out)
        else:  # the other process failed: its blocks made here
            yield from (make(worker, found) for worker, found in ordered.groups(low=split))
    finally:
        try:
            if pid:  # this process stopped early (the output closed, Ctrl-C): so does the other
                _stop(pid)
        finally:
            out.close()


def _start(ordered: OrderedFindings, make: Callable[[str, list[Finding]], T]) -> tuple[str, IO[bytes], int] | None:
    """The other process making the blocks from the split on: the split, the file it writes
    them to and its id; None when one process is to make them all, or no file can be made
    or no process forked."""
    split = _split(ordered)
    if split is None:
        return None
    try:
        out = tempfile.TemporaryFile(prefix="ppt-", dir=_chosen_folder())  # noqa: SIM115 - closed by blocks()
    except OSError:
        return None
    pid = _fork(lambda: _make_second_half(ordered, make, split, out))
    if pid is None:
        out.close()
        return None
    return split, out, pid


def _fork(child: Callable[[], None]) -> int | None:
    """The id of a forked process that runs `child` and exits (never returning here, nor
    running this process's exit handlers or flushing its buffers: its output would be
    printed twice); None when none can be forked (no memory, too many processes)."""
    try:
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it at once
            child()
        finally:
            os._exit(1)
    return pid


def _ended(pid: int) -> bool:
    """Wait for the other process; whether it made every block of its half."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:  # reaped by someone else: its exit status is lost
        return False
    return os.waitstatus_to_exitcode(status) == 0


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:  # already gone, or reaped by someone else
        pass


def _split(ordered: OrderedFindings) -> str | None:
    """Where the second process's blocks begin, or None for one process."""
    from pptcli.scan import processes

    if not hasattr(os, "fork") or ordered.rows < (count_from_environment("PPT_SPLIT_FROM") or SPLIT_FROM) or processes() < 2:
        return None
    return ordered.middle()


def _make_second_half(ordered: OrderedFindings, make: Callable[[str, list[Finding]], T], split: str, out: IO[bytes]) -> None:
    """In the forked process: the blocks from `split` on, then exit 0 (any failure exits 1,
    and the parent makes these blocks itself)."""
    for worker, found in ordered.groups(low=split):
        pickle.dump(make(worker, found), out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()
    os._exit(0)


def _read(out: IO[bytes]) -> Iterator[T]:
    while True:
        try:
            yield pickle.load(out)  # written by the process forked from this one, just now
        except EOFError:
            return
