"""An external merge sort: items kept in order with flat memory, however many there are.

A statewide table lists about ten findings per case, and they are printed grouped by worker,
so none can be printed before the last case is read. Holding them all made memory grow with
the repository (2 GB at 100,000 cases). Here at most `limit` items are held; each time that
many have come in they are sorted and written to a temporary file as one run, and reading
merges the runs. The temporary file is readable only by its owner, unlinked as soon as it
is made on POSIX (deleted on close on Windows), and gone when the report ends or the
process dies.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import os
import pickle
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any, NamedTuple

from pptcli import count_from_environment
from pptcli.problems import UserError

HELD = 65_536  # items held before a run is written: some 50 MB of findings
_PREAD = getattr(os, "pread", None)


class _Batch(NamedTuple):
    """One pickle of a run in the temporary file: where, how long, its first key and how
    many items it holds."""

    offset: int
    size: int
    first: Any
    items: int


def _first(item: Any) -> Any:
    return item[0]


def _chosen_folder() -> str | None:
    """The temporary folder the environment names (TMPDIR, TEMP, TMP: Python's order), to be
    used as given: Python would pass over one that cannot be written and use another, and
    findings about children must not land where the user did not send them. None: Python's
    default."""
    for name in ("TMPDIR", "TEMP", "TMP"):
        folder = os.environ.get(name)
        if folder:
            return folder
    return None


def held_from_environment() -> int | None:
    """PPT_SPILL_AFTER=N holds at most N items in memory (a smaller memory budget, or tests)."""
    return count_from_environment("PPT_SPILL_AFTER")


class ExternalSort:
    """Add items in any order; iterate them in sorted order, as often as needed.

    Items are compared as they are (tuples, typically with a unique sequence number before
    any part that cannot be compared). Sorting is stable in the sense that matters here:
    equal items are interchangeable. `between` reads a range of them by their first element
    (a key), and two processes (one forked from the other) may read at once: runs are read
    at their offsets (os.pread), never through the shared position of the file.
    """

    def __init__(self, limit: int | None = None, *, keyed: bool = False) -> None:
        self.limit = max(1, limit or held_from_environment() or HELD)
        self.keyed = keyed  # items are sequences whose first element is their key (`between`)
        # Items per pickle in a run, read one batch at a time: merging holds a batch of each
        # run, 1/64 of the limit per run (16 runs for a million items held 65,536 at a time).
        self.batch = max(16, self.limit // 64)
        self._held: list[Any] = []
        self._runs: list[list[_Batch]] = []  # each run's batches in _file
        self._file: IO[bytes] | None = None
        self.count = 0

    def add(self, item: Any) -> None:
        self._held.append(item)
        self.count += 1
        if len(self._held) >= self.limit:
            self._spill()

    def __len__(self) -> int:
        return self.count

    @property
    def spilled(self) -> bool:
        """Whether runs were written to disk (else every item is held)."""
        return bool(self._runs)

    def _spill(self) -> None:
        self._held.sort()
        folder = _chosen_folder()
        run: list[_Batch] = []
        try:
            if self._file is None:
                self._file = tempfile.TemporaryFile(prefix="ppt-", dir=folder)  # noqa: SIM115 - lives as long as self
            out = self._file
            end = out.seek(0, 2)
            for i in range(0, len(self._held), self.batch):
                batch = self._held[i : i + self.batch]
                pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)
                start, end = end, out.tell()
                run.append(_Batch(start, end - start, batch[0][0] if self.keyed else None, len(batch)))
            out.flush()  # read back by offset, past this buffer
        except OSError as exc:  # no writable temporary folder, a full disk: the user's to fix
            raise UserError(
                f"cannot write the report's findings to a temporary file in {folder or tempfile.gettempdir()}: "
                f"{exc.strerror or exc}; point TMPDIR at a writable folder with room, or raise PPT_SPILL_AFTER "
                f"(findings held in memory, now {self.limit})"
            ) from None
        self._runs.append(run)
        self._held = []

    def _read(self, batch: _Batch) -> list[Any]:
        assert self._file is not None
        if _PREAD is not None:
            data = _PREAD(self._file.fileno(), batch.size, batch.offset)
        else:  # no os.pread (Windows): one process reads, through the file's position
            self._file.seek(batch.offset)
            data = self._file.read(batch.size)
        return pickle.loads(data)  # type: ignore[no-any-return]  # this process (or its parent) wrote it, just now

    def _run(self, run: list[_Batch], low: Any, high: Any) -> Iterator[Any]:
        start = 0
        if low is not None:  # the last batch starting below `low` may hold items from it
            start = max(0, bisect.bisect_left([b.first for b in run], low) - 1)
        for n, batch in enumerate(run[start:]):
            if high is not None and batch.first >= high:
                return
            items = self._read(batch)
            if low is not None and n == 0:  # the batches after it start at `low` or later
                items = items[bisect.bisect_left(items, low, key=_first) :]
            if high is not None:
                stop = bisect.bisect_left(items, high, key=_first)
                if stop < len(items):
                    yield from items[:stop]
                    return
            yield from items

    def __iter__(self) -> Iterator[Any]:
        return self.between()

    def between(self, low: Any = None, high: Any = None) -> Iterator[Any]:
        """The items in order; given `low` or `high` (with `keyed`), those whose key is at
        least `low` and below `high`."""
        self._held.sort()
        held: Iterable[Any] = self._held
        if low is not None or high is not None:
            start = 0 if low is None else bisect.bisect_left(self._held, low, key=_first)
            stop = len(self._held) if high is None else bisect.bisect_left(self._held, high, key=_first)
            held = itertools.islice(self._held, start, stop)
        if not self._runs:
            return iter(held)
        return heapq.merge(*(self._run(run, low, high) for run in self._runs), held)

    def middle(self) -> Any:
        """A key about half the items come before (with `keyed`); None when there are none.
        Judged by the first key of each batch written and of every so many items held."""
        self._held.sort()
        step = max(1, len(self._held) // 256)
        weighed = [(batch.first, batch.items) for run in self._runs for batch in run]
        weighed += [(item[0], step) for item in self._held[::step]]
        weighed.sort(key=_first)
        seen = 0
        for key, items in weighed:
            seen += items
            if 2 * seen >= self.count:
                return key
        return None

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._held, self._runs = [], []

    def __del__(self) -> None:
        self.close()
