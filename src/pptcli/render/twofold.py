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

from pptcli.model.finding import Finding
from pptcli.ordered import OrderedFindings
from pptcli.spill import _chosen_folder

T = TypeVar("T")

SPLIT_FROM = 20_000  # findings; below this, forking costs more than it saves


def blocks(ordered: OrderedFindings, make: Callable[[str, list[Finding]], T]) -> Iterator[T]:
    """`make(worker, findings)` for each worker's block, in order."""
    split = _split(ordered)
    if split is None:
        yield from (make(worker, found) for worker, found in ordered.groups())
        return
    try:
        out = tempfile.TemporaryFile(prefix="ppt-", dir=_chosen_folder())  # noqa: SIM115 - closed below
    except OSError:
        yield from (make(worker, found) for worker, found in ordered.groups())
        return
    pid = os.fork()
    if pid == 0:  # the other process: its blocks to the file, then gone without a trace
        _make_second_half(ordered, make, split, out)
    try:
        yield from (make(worker, found) for worker, found in ordered.groups(high=split))
        _, status = os.waitpid(pid, 0)
        pid = 0
        if os.waitstatus_to_exitcode(status) == 0:
            out.seek(0)
            yield from _read(out)
        else:  # the other process failed: its blocks made here
            yield from (make(worker, found) for worker, found in ordered.groups(low=split))
    finally:
        if pid:  # this process stopped early (the output closed, Ctrl-C): so does the other
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
            os.waitpid(pid, 0)
        out.close()


def _split(ordered: OrderedFindings) -> str | None:
    """Where the second process's blocks begin, or None for one process."""
    from pptcli.scan import _jobs_from_environment

    if not hasattr(os, "fork") or ordered.rows < _split_from() or (_jobs_from_environment() or os.cpu_count() or 1) < 2:
        return None
    return ordered.middle()


def _split_from() -> int:
    """PPT_SPLIT_FROM=N sets how many findings a table needs to be made on two cores (tests)."""
    value = os.environ.get("PPT_SPLIT_FROM", "").strip()
    return int(value) if value.isdigit() else SPLIT_FROM


def _make_second_half(ordered: OrderedFindings, make: Callable[[str, list[Finding]], T], split: str, out: IO[bytes]) -> None:
    """In the forked process: never returns, never runs the parent's exit handlers nor
    flushes its buffers (its output would be printed twice)."""
    code = 1
    try:
        for worker, found in ordered.groups(low=split):
            pickle.dump(make(worker, found), out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()
        code = 0
    except BaseException:  # noqa: BLE001, S110 - any failure: the parent makes these blocks itself
        pass
    finally:
        os._exit(code)


def _read(out: IO[bytes]) -> Iterator[T]:
    while True:
        try:
            yield pickle.load(out)  # written by the process forked from this one, just now
        except EOFError:
            return
