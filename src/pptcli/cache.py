"""The cache of validated cases and their findings: SQLite in the repository's `.ppt-cache/`.

Keyed by the file's path and a digest of its bytes (and, for findings, a digest of everything
else evaluation depends on) and by ppt's own code (`code_identity`), so it is never trusted
over the file, nor served to code other than the code that made it: every run reads every
file and uses a cached result only when the content is byte-for-byte the one cached. It
lives inside the repository, not in a user folder, because it holds case data; the folder
ignores itself in git. Any trouble with the cache (corrupt, locked, read-only) means working
without it, never failing a report.

Entries are pickles, and unpickling runs whatever code a pickle names: anyone who can write
the repository's folder (a shared drive, a copy handed over) could plant one, to run as the
next user of ppt. So every entry is sealed with a keyed digest, its key a random secret kept
in the user's own configuration folder (`user_key`), outside any repository, and an entry
whose seal does not match is never unpickled: a miss, as if it were not there.

A second table, `id_line`, is the writers' index from case id to file (write_find.py): it is
keyed by file identity, as git's index is, and only tells a writer which file to read.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import hmac
import os
import re
import secrets
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from pptcli import __version__

FOLDER = ".ppt-cache"
FORMAT = 9  # raised whenever what is stored changes shape, so an older cache is never read
_SCHEMA = """
create table if not exists entry (
    path blob primary key,
    digest text not null,
    model blob,
    setting text,
    result blob
);
create table if not exists id_line (
    path blob primary key,
    size integer not null,
    mtime_ns integer not null,
    ctime_ns integer not null,
    inode integer not null,
    read_ns integer not null,
    ids text not null
);
-- which files have findings under a setting (put_entry and put_result set the two together), read
-- without the entries' pickles (results_of)
create index if not exists entry_setting on entry (setting, path, digest)
"""


_ID_LINE_TYPES = (bytes, int, int, int, int, int, str)  # path, size, mtime_ns, ctime_ns, inode, read_ns, ids


@functools.cache
def code_identity() -> str:
    """A digest of the tool's own files, names and bytes: what other code made, a kept report
    or a cached case or findings, is not reused, even under the same version number (ppt
    installed again from a newer commit, an editable install being changed). Bytes, not
    times: a copy that keeps times (`cp -p`, rsync, a Nix store) may differ in content. A
    file that cannot be read (an editor's dangling lock link) counts by its name alone."""
    package = Path(__file__).parent
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{__version__}|{sys.version}".encode())
    for folder, dirs, names in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            path = os.path.join(folder, name)
            try:
                with open(path, "rb") as file:
                    data = file.read()
            except OSError:
                data = b"!unreadable"
            h.update(f"{os.path.relpath(path, package)}|{len(data)}\n".encode("utf-8", "surrogatepass"))
            h.update(data)
    return h.hexdigest()


SEAL = 16  # bytes of keyed digest before each stored pickle


def key_path() -> Path:
    """Where the user's cache key lives: their configuration folder, never a repository."""
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "ppt" / "cache-key"
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "ppt" / "cache-key"


@functools.cache
def user_key() -> bytes | None:
    """The user's secret that seals cache entries, made on first use (readable by the user
    alone); None when it can be neither read nor made: then ppt works without a cache."""
    path = key_path()
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except OSError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".cache-key.", dir=path.parent)  # the user's alone (0600)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(secrets.token_bytes(32))
            os.replace(name, path)  # two first runs at once: the last key stays, the other's entries are misses
        finally:
            if os.path.exists(name):
                os.unlink(name)
        key = path.read_bytes()
    except OSError:
        return None
    return key if len(key) >= 32 else None


def cache_folder(root: Path) -> Path:
    """Where a repository's cache lives; PPT_CACHE_DIR moves it (benchmarks, read-only repos)."""
    return Path(os.environ["PPT_CACHE_DIR"]) if os.environ.get("PPT_CACHE_DIR") else root / FOLDER


def cache_path(root: Path) -> Path:
    return cache_folder(root) / f"cache-{__version__}-{FORMAT}.sqlite3"


# A cache of ppt, of any version or format: the database and the files SQLite keeps beside it.
_CACHE_FILE = re.compile(r"cache-[0-9][0-9A-Za-z.+!_-]*-[0-9]+\.sqlite3(?:-wal|-shm|-journal)?")
UNUSED_FOR = 30 * 24 * 3600  # seconds without a write after which another version's cache goes


def prune_others(current: Path) -> list[Path]:
    """Delete, beside `current`, the caches of other versions or formats of ppt that none has
    written for UNUSED_FOR: an upgrade leaves the old version's cache behind (some 110 MB at
    10,000 cases), and nothing reads it again. A cache in use is written whenever its
    version of ppt makes a report for a new day (findings are kept per as-of date), so a
    month without a write means that version has not made one here for a month. The
    database and its -wal and -shm files go together, judged by the newest of them.
    Returns what was deleted; what cannot be deleted stays."""
    now = time.time()
    mine = current.name.split(".sqlite3")[0]
    groups: dict[str, list[tuple[Path, float]]] = {}
    try:
        with os.scandir(current.parent) as entries:
            for entry in entries:
                base = entry.name.split(".sqlite3")[0]
                if base == mine or not _CACHE_FILE.fullmatch(entry.name):
                    continue
                try:  # another run may remove its -wal or -shm meanwhile
                    if entry.is_file(follow_symlinks=False):
                        groups.setdefault(base, []).append((Path(entry.path), entry.stat(follow_symlinks=False).st_mtime))
                except OSError:
                    continue
    except OSError:
        return []
    gone = []
    for base, files in groups.items():
        if now - max(mtime for _, mtime in files) < UNUSED_FOR:
            continue
        # The database first: its -wal holds writes it may not have yet, so they go only after it.
        for path, _ in sorted(files, key=lambda f: f[0].name):
            try:
                path.unlink()
            except FileNotFoundError:
                continue  # another run deleted it first
            except OSError:
                break
            gone.append(path)
    return gone


def make_folder(folder: Path, ignore_text: str = "# ppt's cache of case data: never commit it\n*\n") -> None:
    """A folder of `.ppt-cache` (or PPT_CACHE_DIR), made if need be, ignoring itself in git: it
    holds case data. OSError when `.ppt-cache` or a folder in it is a link: whoever shaped the
    repository would choose where case data goes (PPT_CACHE_DIR is the user's own choice)."""
    if not os.environ.get("PPT_CACHE_DIR"):
        for part in (folder, *folder.parents):
            if part.is_symlink():
                raise OSError(errno.ELOOP, "a link, where ppt keeps case data only inside the repository", str(part))
            if part.name == FOLDER:
                break
    folder.mkdir(parents=True, exist_ok=True)
    try:  # O_EXCL: never through a link left in its place, to wherever it points
        fd = os.open(folder / ".gitignore", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(ignore_text)


def reports_folder(root: Path) -> Path:
    """Where whole reports are kept (memo.py), beside the cache."""
    return cache_folder(root) / "reports"


def _key(path: str) -> bytes:
    """A path as stored: its UTF-8, with the lone surrogates Python uses for the bytes of a
    file name that is not UTF-8 kept as they are (SQLite text cannot hold them)."""
    return path.encode("utf-8", "surrogatepass")


def entry_key(path: str, digest: str) -> bytes:
    return _entry_key(_key(path), digest)


def _entry_key(key: bytes, digest: str) -> bytes:
    return key + b"\0" + digest.encode()


def _unkey(key: bytes) -> str:
    return key.decode("utf-8", "surrogatepass")


class Cache:
    """Reads are single statements (no transaction is held open, so other processes' writes
    and checkpoints are never blocked); writes are queued and flushed in short `begin
    immediate` transactions, so two processes filling the cache wait for each other briefly
    instead of failing on a stale snapshot."""

    FLUSH_EVERY = 200

    def __init__(self, connection: sqlite3.Connection, code: str, key: bytes) -> None:
        self._db = connection
        self._key = key[:64]  # BLAKE2b takes a key of up to 64 bytes
        self._queue: list[tuple[str, tuple[object, ...]]] = []
        # Stored after each file's digest: a case validated, or findings made, by other code
        # (the same version number) is never served to this code, which replaces the entry
        # (the key is the path: two installs sharing one cache evict each other's).
        self._code = "@" + code

    def _stored(self, digest: str) -> str:
        """A file's digest as the entry table holds it: with the code that made the entry."""
        return digest + self._code

    def _mac(self, blob: bytes) -> bytes:
        return hashlib.blake2b(blob, key=self._key, digest_size=SEAL).digest()

    def _seal(self, blob: bytes) -> bytes:
        return self._mac(blob) + blob

    def _opened(self, sealed: object) -> bytes | None:
        """The pickle of a stored entry whose seal is this user's; None for any other."""
        if type(sealed) is not bytes or len(sealed) < SEAL:
            return None
        blob = sealed[SEAL:]
        return blob if hmac.compare_digest(sealed[:SEAL], self._mac(blob)) else None

    @classmethod
    def open(cls, path: Path) -> Cache | None:
        key = user_key()
        if key is None:  # nothing to tell this user's entries from planted ones
            return None
        try:
            make_folder(path.parent)
            db = sqlite3.connect(path, timeout=30, isolation_level=None)
            # An entry is some 5-9 KB: on pages of 16 KB instead of SQLite's 4 KB, it rarely
            # spills onto overflow pages (set before the file's first table; no effect after).
            db.execute("pragma page_size=16384")
            db.execute("pragma journal_mode=wal")
            db.execute("pragma synchronous=normal")
            db.executescript(_SCHEMA)
            return cls(db, code_identity(), key)
        except (OSError, sqlite3.Error):
            return None

    def model(self, path: str, digest: str) -> tuple[bool, bytes | None]:
        """Whether an entry of the file with this content is stored (by this code), and the
        pickle of its validated case when one of this user's is kept with it: a file's
        first entry holds its findings only (scan.outcome)."""
        row = self._get("select model from entry where path = ? and digest = ?", (_key(path), self._stored(digest)))
        return (True, self._opened(row[0])) if row else (False, None)

    def result(self, path: str, digest: str, setting: str) -> bytes | None:
        """The pickle of a file's findings under a setting, when one of this user's is stored."""
        row = self._get("select result from entry where path = ? and digest = ? and setting = ?", (_key(path), self._stored(digest), setting))
        return self._opened(row[0]) if row else None

    def holds_results(self, setting: str) -> bool:
        """Whether any file has findings cached under this setting by this code (the digest
        ends with the code's: hexadecimal, so no character of the pattern is a wildcard)."""
        row = self._get("select exists (select 1 from entry where setting = ? and digest like ?)", (setting, "%" + self._code))
        return bool(row and row[0])

    def stored(self, paths: Sequence[str]) -> dict[bytes, object] | None:
        """What the entries of these files (up to 999) are stored under, for `holds`, in one
        query; None when it cannot be read."""
        keys = [_key(path) for path in paths]
        try:
            return dict(self._db.execute(f"select path, digest from entry where path in ({', '.join('?' * len(keys))})", keys).fetchall())
        except sqlite3.Error:
            return None

    def holds(self, stored: dict[bytes, object], path: str, digest: str) -> bool:
        """Whether `stored` says an entry of the file at `path` with this digest was there."""
        return stored.get(_key(path)) == self._stored(digest)

    def results_of(self, setting: str) -> set[bytes]:
        """Which files have a result cached under this setting, in one query (a lookup per
        file costs more than the whole of it): path and digest, as `entry_key` makes them."""
        try:
            rows = self._db.execute("select path, digest from entry where setting = ?", (setting,)).fetchall()
            code = self._code
            return {
                _entry_key(path, digest[: -len(code)])
                for path, digest in rows
                if type(path) is bytes and type(digest) is str and digest.endswith(code)
            }
        except sqlite3.Error:
            return set()

    def put_entry(self, path: str, digest: str, model: bytes | None, setting: str, result: bytes) -> None:
        """A file's findings under a setting, with its validated case or (None) without, in one
        row written once (writing the case, then its findings into the same row, wrote it
        and its index entry twice)."""
        sealed = None if model is None else self._seal(model)
        self._put("insert or replace into entry (path, digest, model, setting, result) values (?, ?, ?, ?, ?)", (_key(path), self._stored(digest), sealed, setting, self._seal(result)))

    def put_result(self, path: str, digest: str, setting: str, blob: bytes) -> None:
        self._put("update entry set setting = ?, result = ? where path = ? and digest = ?", (setting, self._seal(blob), _key(path), self._stored(digest)))

    def id_lines(self, prefix: str) -> dict[str, tuple[int, int, int, int, int, str]]:
        """The id-line index (write_find.py) of the files whose path starts with `prefix`:
        path -> (size, mtime_ns, ctime_ns, inode, read_ns, ids)."""
        low = _key(prefix)
        high = low[:-1] + bytes([low[-1] + 1])  # the prefix ends in a separator, never in 0xff
        try:
            rows = self._db.execute("select * from id_line where path >= ? and path < ?", (low, high)).fetchall()
            # SQLite keeps whatever type was put in a column: a row of other types is no entry.
            return {_unkey(row[0]): tuple(row[1:]) for row in rows if _ID_LINE_TYPES == tuple(map(type, row))}
        except (sqlite3.Error, TypeError, UnicodeError):  # a damaged index is no index
            return {}

    def put_id_line(self, path: str, identity: tuple[int, int, int, int], read_ns: int, ids: str) -> None:
        self._put("insert or replace into id_line values (?, ?, ?, ?, ?, ?, ?)", (_key(path), *identity, read_ns, ids))

    def drop_id_line(self, path: str) -> None:
        self._put("delete from id_line where path = ?", (_key(path),))

    def _get(self, sql: str, args: tuple[object, ...]) -> tuple[bytes | None] | None:
        try:
            return self._db.execute(sql, args).fetchone()  # type: ignore[no-any-return]
        except sqlite3.Error:
            return None

    def _put(self, sql: str, args: tuple[object, ...]) -> None:
        self._queue.append((sql, args))
        if len(self._queue) >= self.FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        """Write what is queued in one transaction; a cache that cannot be written only
        costs time next run, so failures are dropped."""
        queue, self._queue = self._queue, []
        if not queue:
            return
        try:
            self._db.execute("begin immediate")  # take the write lock now, waiting up to the timeout
            for sql, args in queue:
                self._db.execute(sql, args)
            self._db.execute("commit")
        except sqlite3.Error:
            try:
                self._db.execute("rollback")
            except sqlite3.Error:
                pass

    def close(self) -> None:
        self.flush()
        try:
            self._db.close()
        except sqlite3.Error:
            pass
