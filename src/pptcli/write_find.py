"""Finding a case file by its id without parsing, or even reading, every file of the repository.

A statewide repository holds thousands of case files; parsing them all to write one record
would take seconds. A case file states its id on a top-level `id:` line, so one
regular-expression pass over the raw bytes finds the candidates (and every id, for "did you
mean"); only a file with no such plain line (`"id": X`, `id : X`, `id: !!str X`) is parsed
for it. The caller then loads only the file found and checks its id properly.

Reading every file's bytes still grows with the repository, so the ids each file showed are
kept in the cache (cache.py) with the file's identity: size, modification and change times,
inode. A file whose identity is the one recorded is not read again, the way git's index
trusts a file's stat. The change time cannot be set back by a program (unlike the
modification time), so any write to a file shows. As in git, an entry recorded within two
seconds of the file's last change is "racy" (another write in the same clock tick would not
show) and is not trusted: such a file is read again. Whatever the index says, the file found
is then read and validated, and its id checked, before anything is written.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Collection
from pathlib import Path

from pptcli.cache import Cache, cache_path
from pptcli.load import case_files, read_document
from pptcli.problems import UserError, did_you_mean, display_path
from pptcli.yamlio import TooLarge, max_file_bytes, read_regular

# A plain id: not a tag (!!str), an anchor (&a) or an alias (*a), which the YAML parser reads.
_ID_LINE = re.compile(rb"""^id:[ \t]*["']?([^\s"'#!&*][^\s"'#]*)["']?[ \t]*(?:#.*)?\r?$""", re.MULTILINE)
RACY_NS = 2_000_000_000  # FAT's clock tick is 2 s; every other file system's is finer


def find_case(root: Path, case_id: str) -> Path:
    """The one file of the repository whose top-level id is `case_id`."""
    found: list[Path] = []
    ids: set[str] = set()
    unread: list[tuple[Path, str]] = []
    for path, seen in _id_lines(root):
        if isinstance(seen, str):
            unread.append((path, seen))
            continue
        ids.update(seen)
        found.extend(path for i in seen if i == case_id)
    if not found:
        if unread:  # the case may be in one of them: say so rather than guess another
            path, why = unread[0]
            more = f" and {len(unread) - 1} more" if len(unread) > 1 else ""
            raise UserError(f'no readable case file has the id "{case_id}"; {display_path(path, root)}{more} cannot be read ({why})')
        folded = {i.casefold(): i for i in ids}
        hint = f'; did you mean "{folded[case_id.casefold()]}"?' if case_id.casefold() in folded else did_you_mean(case_id, ids)
        raise UserError(f'no case "{case_id}" in the repository at {root}{hint}')
    found = _confirmed(found, case_id)
    if len(found) > 1:
        files = ", ".join(display_path(p, root) for p in found)
        raise UserError(f'case id "{case_id}" is used by {len(found)} files ({files}); give each case its own id first')
    return found[0]


def files_stating(root: Path, case_ids: Collection[str]) -> dict[str, list[Path]]:
    """Every case file of the repository stating each of these ids (as find_case confirms
    them), from one pass over the index."""
    found: dict[str, list[Path]] = {case_id: [] for case_id in case_ids}
    for path, seen in _id_lines(root):
        if not isinstance(seen, str):
            for case_id in found.keys() & set(seen):
                found[case_id].append(path)
    return {case_id: _confirmed(paths, case_id) for case_id, paths in found.items()}


def _confirmed(found: list[Path], case_id: str) -> list[Path]:
    """Files whose `id:` lines name the case, down to those whose YAML does when there are
    several: an `id:` line may stand inside another file's multi-line text."""
    if len(found) < 2:
        return found
    return [path for path in found if _stated(path) == (case_id,)] or found


def _id_lines(root: Path) -> list[tuple[Path, tuple[str, ...] | str]]:
    """Each case file with the ids it states (or why it cannot be read), in file order; from
    the index where the file is unchanged, which is then brought up to date."""
    cache = Cache.open(cache_path(root))
    if cache is None:  # no cache to be had (a read-only repository): read every file
        return [(path, _read(path)) for path in case_files(root, root)]
    try:
        known = cache.id_lines(str(root.resolve()).rstrip(os.sep) + os.sep)
        result = []
        for path in case_files(root, root):
            key = str(path)
            read_ns = time.time_ns()  # before the stat: a change after it shows next time
            identity = _identity(path)
            if identity is None:  # gone since the folder was listed, or a dangling link: say why
                if os.path.lexists(path):
                    result.append((path, _read(path)))
                continue
            seen: tuple[str, ...] | str | None = _indexed(identity, known.pop(key, None))
            if seen is None:
                seen = _read(path)
                if not isinstance(seen, str):
                    cache.put_id_line(key, identity, read_ns, "\n".join(seen))
            result.append((path, seen))
        for gone in known:  # files deleted or renamed since
            cache.drop_id_line(gone)
        return result
    finally:
        cache.close()


def _identity(path: Path) -> tuple[int, int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


def _indexed(identity: tuple[int, int, int, int], entry: tuple[int, int, int, int, int, str] | None) -> tuple[str, ...] | None:
    """The ids recorded for a file of this identity, when it is the very file recorded and
    was settled then."""
    if entry is None:
        return None
    *recorded, read_ns, ids = entry
    if tuple(recorded) != identity:
        return None
    _, mtime_ns, ctime_ns, _ = identity
    if max(mtime_ns, ctime_ns) > read_ns - RACY_NS:
        return None  # changed just before it was read: a later change may share its times
    return tuple(ids.split("\n")) if ids else ()


def _read(path: Path) -> tuple[str, ...] | str:
    """The ids a file states, on its plain `id:` lines or else as its YAML gives it; or why it
    cannot be read."""
    try:
        try:
            raw = read_regular(path, max_file_bytes())
        except TooLarge as exc:  # its head still names it: the writer then refuses it, saying why
            with open(path, "rb") as file:
                raw = file.read(exc.limit)
    except OSError as exc:
        return exc.strerror or str(exc)
    ids = tuple(match.group(1).decode("utf-8", "replace") for match in _ID_LINE.finditer(raw))
    return ids or _stated(path, raw)


def _stated(path: Path, raw: bytes | None = None) -> tuple[str, ...]:
    """The id the file's YAML gives (none when it does not parse)."""
    doc, _ = read_document(path, path.name, raw=raw)
    stated = doc.get("id") if isinstance(doc, dict) else None
    return (str(stated),) if isinstance(stated, str) and stated else ()
