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

Each report is one file in the cache folder: a magic line, the text compressed with zlib,
then a trailer (exit code, what went to stderr, length and digest of the compressed text)
and the trailer's length. It is written to a temporary file and renamed into place, so a
reader sees a whole report or none, and checked against its digest before a byte of it is
printed. Only the most recently used few are kept. Any trouble (unwritable folder, damaged
or truncated file) means making the report again, never failing it.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import json
import os
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from pptcli import __version__
from pptcli.cache import make_folder

FORMAT = 1
MAGIC = f"ppt report {FORMAT}\n".encode()
KEEP = 8  # reports kept per cache folder, the most recently used
SUFFIX = ".report"
_CHUNK = 1 << 20
_LEVEL = 1  # zlib's fastest: a statewide table shrinks about tenfold all the same
_STALE = 3600  # seconds after which a temporary file is an abandoned write


@functools.cache
def code_identity() -> str:
    """The tool's own files (name, size, time): a report made by other code is not reused,
    even under the same version number (an editable install being changed)."""
    package = Path(__file__).parent
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{__version__}|{sys.version}".encode())
    for folder, dirs, names in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            path = os.path.join(folder, name)
            st = os.stat(path)
            h.update(f"{os.path.relpath(path, package)}|{st.st_size}|{st.st_mtime_ns}\n".encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def key_of(*parts: Any) -> str:
    """A report's key: the digest of its parts' repr (dataclasses, tuples, strings)."""
    text = repr((FORMAT, code_identity(), parts))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


class Memo:
    """The kept report of one key, in `folder`."""

    def __init__(self, folder: Path, key: str) -> None:
        self.folder = folder
        self.key = key
        self.path = folder / f"{key}{SUFFIX}"

    def replay(self, out: TextIO, err: TextIO) -> int | None:
        """Print the kept report and give its exit code; None (and nothing printed) when
        there is none or it is not whole."""
        try:
            with open(self.path, "rb") as fh:
                trailer = _trailer(fh, self.key)
                if trailer is None:
                    return None
                fh.seek(len(MAGIC))
                if not _intact(fh, trailer["body"], trailer["hash"]):
                    return None
                fh.seek(len(MAGIC))
                _inflate(fh, trailer["body"], out.write)
        except (OSError, ValueError, zlib.error):
            return None
        if trailer["stderr"]:  # after stdout, through the same buffers, as first printed
            err.write(trailer["stderr"])
        try:
            os.utime(self.path)  # used: the last to be dropped
        except OSError:
            pass
        return int(trailer["code"])

    def recorder(self) -> Recorder | None:
        try:
            make_folder(self.folder)
            return Recorder(self)
        except OSError:
            return None


class Recorder:
    """Takes a report's text as it is printed; `keep` puts it in place."""

    def __init__(self, memo: Memo) -> None:
        self.memo = memo
        self.tmp = memo.folder / f".tmp-{os.getpid()}-{time.monotonic_ns()}{SUFFIX}"
        self._fh: Any = open(self.tmp, "xb")  # noqa: SIM115 - closed by keep or drop
        self._fh.write(MAGIC)
        self._zip = zlib.compressobj(_LEVEL)
        self._hash = hashlib.blake2b(digest_size=20)
        self._body = 0
        self._stderr: list[str] = []
        self._failed = False

    def out(self, text: str) -> None:
        self._put(self._zip.compress(text.encode("utf-8", "surrogatepass")))

    def err(self, text: str) -> None:
        self._stderr.append(text)

    def _put(self, data: bytes) -> None:
        if self._failed or not data:
            return
        try:
            self._fh.write(data)
            self._hash.update(data)
            self._body += len(data)
        except OSError:  # a full disk: this report is not kept
            self._failed = True

    def keep(self, code: int) -> None:
        """Put the report in place, whole (written, then renamed), and drop the least
        recently used beyond KEEP."""
        try:
            self._put(self._zip.flush())
            if self._failed:
                raise OSError("not written")
            fields = {"key": self.memo.key, "code": code, "stderr": "".join(self._stderr), "body": self._body, "hash": self._hash.hexdigest()}
            trailer = json.dumps(fields).encode()
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


def _trailer(fh: Any, key: str) -> dict[str, Any] | None:
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
    kinds = {"key": str, "code": int, "stderr": str, "body": int, "hash": str}
    if not isinstance(trailer, dict) or any(type(trailer.get(k)) is not t for k, t in kinds.items()):
        return None
    if trailer["key"] != key or trailer["body"] != body:
        return None
    return trailer


def _intact(fh: Any, length: int, digest: str) -> bool:
    h = hashlib.blake2b(digest_size=20)
    left = length
    while left > 0:
        data = fh.read(min(_CHUNK, left))
        if not data:
            return False
        h.update(data)
        left -= len(data)
    return h.hexdigest() == digest


def _inflate(fh: Any, length: int, write: Callable[[str], Any]) -> None:
    unzip = zlib.decompressobj()
    decode = codecs.getincrementaldecoder("utf-8")("surrogatepass")
    left = length
    while left > 0:
        data = fh.read(min(_CHUNK, left))
        if not data:  # never after _intact: a report is replaced, never cut in place
            raise ValueError("cut short")
        left -= len(data)
        text = decode.decode(unzip.decompress(data))
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
