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

import heapq
import os
import pickle
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from pptcli.problems import UserError

HELD = 65_536  # items held before a run is written: some 50 MB of findings


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
    value = os.environ.get("PPT_SPILL_AFTER", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


class ExternalSort:
    """Add items in any order; iterate them in sorted order, as often as needed.

    Items are compared as they are (tuples, typically with a unique sequence number before
    any part that cannot be compared). Sorting is stable in the sense that matters here:
    equal items are interchangeable.
    """

    def __init__(self, limit: int | None = None) -> None:
        self.limit = max(1, limit or held_from_environment() or HELD)
        # Items per pickle in a run, read one batch at a time: merging holds a batch of each
        # run, 1/64 of the limit per run (16 runs for a million items held 65,536 at a time).
        self.batch = max(16, self.limit // 64)
        self._held: list[Any] = []
        self._runs: list[tuple[int, int]] = []  # (offset, batches) of each run in _file
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
        try:
            if self._file is None:
                self._file = tempfile.TemporaryFile(prefix="ppt-", dir=folder)  # noqa: SIM115 - lives as long as self
            out = self._file
            out.seek(0, 2)
            start, batches = out.tell(), 0
            for i in range(0, len(self._held), self.batch):
                pickle.dump(self._held[i : i + self.batch], out, protocol=pickle.HIGHEST_PROTOCOL)
                batches += 1
        except OSError as exc:  # no writable temporary folder, a full disk: the user's to fix
            raise UserError(
                f"cannot write the report's findings to a temporary file in {folder or tempfile.gettempdir()}: "
                f"{exc.strerror or exc}; point TMPDIR at a writable folder with room, or raise PPT_SPILL_AFTER "
                f"(findings held in memory, now {self.limit})"
            ) from None
        self._runs.append((start, batches))
        self._held = []

    def _run(self, offset: int, batches: int) -> Iterator[Any]:
        assert self._file is not None
        for _ in range(batches):
            self._file.seek(offset)
            batch = pickle.load(self._file)  # this process wrote it, just now
            offset = self._file.tell()
            yield from batch

    def __iter__(self) -> Iterator[Any]:
        self._held.sort()
        if not self._runs:
            return iter(self._held)
        return heapq.merge(*(self._run(*run) for run in self._runs), self._held)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._held, self._runs = [], []

    def __del__(self) -> None:
        self.close()
