"""Finished reports, kept whole and printed again when nothing they were made from changed.

A supervisor runs the same `ppt check` or `ppt due` many times a day, and most days nothing
has changed between two runs. The cache of results per file (cache.py) still leaves a warm
statewide report to look up, sort and lay out 100,000 findings; this keeps the text itself.

The key is everything the text is made from (core.Prepared): the tool's own code, the
settings, rules and as-of date (the setting's digest), the resolved filters and output
options, the problems found before reading a case, and the path and bytes of every case
file, read and digested on every run. So a kept report is never trusted over the files:
when one byte differs, the key differs. A report is kept only when the files the scan read
are the files it was keyed by (one changed between the two reads is not kept).

Each report is one file in the cache folder: a magic line, the text in parts each
compressed with zlib on its own, then a trailer (exit code, what went to stderr, the parts
and their lengths, and a digest of them and the trailer) and the trailer's length. It is
written to a temporary file and renamed into place, so a reader sees a whole report or
none, and checked against its digest before a byte of it is printed. Only the most
recently used few are kept. Any trouble (unwritable folder, damaged or truncated file)
means making the report again, never failing it.

The statewide check table is kept in parts: its title, each worker's block, and what
follows. With them go the digests of the case files it was made from, in order, its layout
(core.Layout: which files each block holds, and the report's totals) and the report's
`family`: its key without the files. When a few files changed, the report of the same
family gives every block but those of the workers the changed files name, before or after
the change; core.check_again makes those again, and the title and what follows.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from pptcli.cache import code_identity, make_folder
from pptcli.yamlio import open_regular

FORMAT = 2
MAGIC = f"ppt report {FORMAT}\n".encode()
KEEP = 8  # reports kept per cache folder, the most recently used
SUFFIX = ".report"
_CHUNK = 1 << 20
_LEVEL = 1  # zlib's fastest: a statewide table shrinks about tenfold all the same
_BATCH = 1 << 16  # characters of text compressed at once
_STALE = 3600  # seconds after which a temporary file is an abandoned write
_TEXT = ("utf-8", "surrogatepass")  # a report's text as kept: any str, file names not UTF-8 too


def key_of(*parts: Any) -> str:
    """A report's key: the digest of its parts' repr (dataclasses, tuples, strings)."""
    text = repr((FORMAT, code_identity(), parts))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


class Segment(NamedTuple):
    kind: str  # "text": printed; "digests": the case files' digests, in order; "layout": core.Layout
    worker: str | None  # the worker whose block of a check table this is
    start: int  # in the file
    length: int
    assumed: bool  # the block has a finding with an assumed deadline


class Kept:
    """A kept report, open and checked whole against its digest."""

    def __init__(self, fh: Any, trailer: dict[str, Any]) -> None:
        self.fh = fh
        self.trailer = trailer
        self.segments: list[Segment] = []
        at = len(MAGIC)
        for kind, worker, length, assumed in trailer["segments"]:
            self.segments.append(Segment(kind, worker, at, length, assumed))
            at += length

    @classmethod
    def open(cls, path: Path, key: str | None = None, family: str | None = None) -> Kept | None:
        """The report at `path` if it is whole and of this key (or family); else None."""
        try:
            fh, _ = open_regular(path)  # a FIFO named x.report would hold the run
        except OSError:
            return None
        try:
            trailer = _trailer(fh)
            if trailer is not None and (key is None or trailer["key"] == key) and (family is None or trailer["family"] == family):
                fh.seek(len(MAGIC))
                if _intact(fh, trailer):
                    return cls(fh, trailer)
        except _DAMAGED:
            pass
        fh.close()
        return None

    def raw(self, segment: Segment) -> bytes:
        self.fh.seek(segment.start)
        data: bytes = self.fh.read(segment.length)
        if len(data) != segment.length:  # never after open(): a report is replaced, never cut in place
            raise ValueError("cut short")
        return data

    def inflate(self, segment: Segment, write: Callable[[str], Any]) -> None:
        self.fh.seek(segment.start)
        _inflate(self.fh, segment.length, write)

    def digests(self) -> bytes | None:
        return self._data("digests")

    def layout(self) -> Any:
        """The layout kept with a report in parts (JSON), or None."""
        data = self._data("layout")
        return None if data is None else json.loads(data)

    def _data(self, kind: str) -> bytes | None:
        for segment in self.segments:
            if segment.kind == kind:
                return zlib.decompress(self.raw(segment))
        return None

    def close(self) -> None:
        self.fh.close()


def text_of(data: bytes) -> str:
    """The text of a small part as Kept.raw gives it (a worker's block)."""
    return zlib.decompress(data).decode(*_TEXT)


class Memo:
    """The kept report of one key, in `folder`."""

    def __init__(self, folder: Path, key: str, family: str = "") -> None:
        self.folder = folder
        self.key = key
        self.family = family
        self.path = folder / f"{key}{SUFFIX}"

    def replay(self, out: TextIO, err: TextIO) -> int | None:
        """Print the kept report and give its exit code; None (and nothing printed) when
        there is none or it is not whole."""
        kept = Kept.open(self.path, key=self.key)
        if kept is None:
            return None
        try:
            for segment in kept.segments:
                if segment.kind == "text":
                    kept.inflate(segment, out.write)
        finally:
            kept.close()
        trailer = kept.trailer
        if trailer["stderr"]:  # after stdout, through the same buffers, as first printed
            err.write(trailer["stderr"])
        try:
            os.utime(self.path)  # used: the last to be dropped
        except OSError:
            pass
        return int(trailer["code"])

    def base(self, files: str) -> Kept | None:
        """The latest kept report of this family made from the same list of files (their
        contents may differ), with the digests of those contents; None if there is none."""
        try:
            names = sorted(self.folder.glob(f"*{SUFFIX}"), key=_mtime, reverse=True)
        except OSError:
            return None
        for path in names:
            if path.name.startswith("."):
                continue
            kept = Kept.open(path, family=self.family)
            if kept is not None and kept.trailer["files"] == files:
                return kept
            if kept is not None:
                kept.close()
        return None

    def recorder(self) -> Recorder | None:
        try:
            make_folder(self.folder)
            return Recorder(self)
        except OSError:
            return None


def family_kept(folder: Path, family: str) -> bool:
    """Whether a report of this family is kept in `folder` (by its trailer: not checked
    whole), which a report of the family might be printed as (Memo.replay) or made again in
    part from (Memo.base)."""
    try:
        names = [path for path in folder.glob(f"*{SUFFIX}") if not path.name.startswith(".")]
    except OSError:
        return False
    for path in names:
        try:
            fh, _ = open_regular(path)
            with fh:
                trailer = _trailer(fh)
        except _DAMAGED:
            continue
        if trailer is not None and trailer["family"] == family:
            return True
    return False


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


class Recorder:
    """Takes a report's text as it is printed, in parts; `keep` puts it in place."""

    def __init__(self, memo: Memo) -> None:
        self.memo = memo
        self.tmp = memo.folder / f".tmp-{os.getpid()}-{time.monotonic_ns()}{SUFFIX}"
        self._fh: Any = open(self.tmp, "xb")  # noqa: SIM115 - closed by keep or drop
        self._fh.write(MAGIC)
        self._hash = hashlib.blake2b(digest_size=20)
        self._body = 0
        self._segments: list[list[Any]] = []
        self._open: list[Any] | None = None  # the part being written
        self._zip: Any = None
        self._text: list[str] = []  # printed, not yet compressed: a table comes a line at a time
        self._size = 0
        self._stderr: list[str] = []
        self._failed = False
        self.mark(None)

    def out(self, text: str) -> None:
        self._text.append(text)
        self._size += len(text)
        if self._size >= _BATCH:
            self._compress()

    def _compress(self) -> None:
        """What was printed since, compressed in one call (a call a line was a fifth of
        the time a statewide table took to print)."""
        if self._text:
            self._put(self._zip.compress("".join(self._text).encode(*_TEXT)))
            self._text, self._size = [], 0

    def err(self, text: str) -> None:
        self._stderr.append(text)

    def mark(self, worker: str | None, assumed: bool = False) -> None:
        """Begin a part of the text: a worker's block of a check table, or (None) another."""
        self._close()
        self._open = ["text", worker, 0, assumed]
        self._zip = zlib.compressobj(_LEVEL)

    def copy(self, data: bytes, worker: str | None, assumed: bool) -> None:
        """A part as another kept report holds it (Kept.raw), compressed."""
        self._close()
        self._segments.append(["text", worker, len(data), assumed])
        self._put(data)

    def data(self, kind: str, data: bytes) -> None:
        """A part that is not printed: "digests" or "layout" (Kept.digests, Kept.layout)."""
        self._close()
        self._open, self._zip = [kind, None, 0, False], zlib.compressobj(_LEVEL)
        self._put(self._zip.compress(data))
        self._close()

    def _close(self) -> None:
        if self._open is not None:
            self._compress()
            self._put(self._zip.flush())
            self._segments.append(self._open)
            self._open = None

    def _put(self, data: bytes) -> None:
        if self._failed or not data:
            return
        try:
            self._fh.write(data)
            self._hash.update(data)
            self._body += len(data)
            if self._open is not None:
                self._open[2] += len(data)
        except OSError:  # a full disk: this report is not kept
            self._failed = True

    def keep(self, code: int, files: str | None = None) -> None:
        """Put the report in place, whole (written, then renamed), and drop the least
        recently used beyond KEEP. `files`: the digest of the list of case files, for a
        report kept in parts with their digests and its layout."""
        try:
            self._close()
            if self._failed:
                raise OSError("not written")
            fields = {"key": self.memo.key, "family": self.memo.family, "files": files, "code": code,
                      "stderr": "".join(self._stderr), "segments": self._segments, "body": self._body}
            self._hash.update(_canonical(fields))  # the digest covers the trailer too
            trailer = json.dumps({**fields, "hash": self._hash.hexdigest()}).encode()
            self._fh.write(trailer)
            self._fh.write(len(trailer).to_bytes(8, "big"))
            self._fh.close()  # not synced: a report cut short by a crash fails its digest
            os.replace(self.tmp, self.memo.path)
        except OSError:
            self.drop()
            return
        _prune(self.memo.folder)

    def drop(self) -> None:
        """Forget the report (it failed, or was made from files that changed meanwhile)."""
        try:
            self._fh.close()
        except OSError:
            pass
        try:
            os.unlink(self.tmp)
        except OSError:
            pass


# What reading a damaged or planted report can raise: a trailer nested deep enough makes
# json.loads raise RecursionError.
_DAMAGED = (OSError, ValueError, TypeError, RecursionError)


def _trailer(fh: Any) -> dict[str, Any] | None:
    if fh.read(len(MAGIC)) != MAGIC:
        return None
    size = os.fstat(fh.fileno()).st_size
    fh.seek(size - 8)
    length = int.from_bytes(fh.read(8), "big")
    body = size - 8 - length - len(MAGIC)
    if body < 0:
        return None
    fh.seek(len(MAGIC) + body)
    trailer = json.loads(fh.read(length))
    kinds = {"key": str, "family": str, "code": int, "stderr": str, "segments": list, "body": int, "hash": str}
    if not isinstance(trailer, dict) or any(type(trailer.get(k)) is not t for k, t in kinds.items()):
        return None
    if trailer["body"] != body or not isinstance(trailer.get("files"), (str, type(None))):
        return None
    total = 0
    for segment in trailer["segments"]:
        if not (isinstance(segment, list) and len(segment) == 4 and segment[0] in ("text", "digests", "layout") and isinstance(segment[1], (str, type(None)))
                and type(segment[2]) is int and segment[2] >= 0 and type(segment[3]) is bool):
            return None
        total += segment[2]
    return trailer if total == body else None


def _intact(fh: Any, trailer: dict[str, Any]) -> bool:
    """Whether the text (read from where fh stands) and the trailer are those digested."""
    h = hashlib.blake2b(digest_size=20)
    left = trailer["body"]
    while left > 0:
        data = fh.read(min(_CHUNK, left))
        if not data:
            return False
        h.update(data)
        left -= len(data)
    h.update(_canonical({k: v for k, v in trailer.items() if k != "hash"}))
    return h.hexdigest() == trailer["hash"]


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True).encode()


def _inflate(fh: Any, length: int, write: Callable[[str], Any]) -> None:
    unzip = zlib.decompressobj()
    decode = codecs.getincrementaldecoder(_TEXT[0])(_TEXT[1])
    left = length
    while left > 0:
        data = fh.read(min(_CHUNK, left))
        if not data:  # never after _intact: a report is replaced, never cut in place
            raise ValueError("cut short")
        left -= len(data)
        while data:  # a megabyte at a time, however well it was compressed
            text = decode.decode(unzip.decompress(data, _CHUNK))
            data = unzip.unconsumed_tail
            if text:
                write(text)
    tail = decode.decode(unzip.flush(), final=True)
    if tail:
        write(tail)


def _prune(folder: Path) -> None:
    """Keep the KEEP most recently used reports; drop temporary files left by a killed run."""
    try:
        kept = []
        now = time.time()
        with os.scandir(folder) as entries:
            for entry in entries:
                if not entry.name.endswith(SUFFIX) or not entry.is_file(follow_symlinks=False):
                    continue
                mtime = entry.stat(follow_symlinks=False).st_mtime
                if entry.name.startswith(".tmp-"):
                    if now - mtime > _STALE:
                        os.unlink(entry.path)
                else:
                    kept.append((mtime, entry.path))
        for _mtime, path in sorted(kept, reverse=True)[KEEP:]:
            os.unlink(path)
    except OSError:
        pass
