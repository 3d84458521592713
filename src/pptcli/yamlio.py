"""YAML parsing that keeps where every key and value came from.

We parse with ruamel.yaml's round-trip loader: its nodes remember line and column, it
rejects duplicate keys, and the same loader serves the writers (comments survive).

Dates: YAML would turn `2026-02-30` into a bare ValueError with no position. Our
constructor keeps such a scalar as a string instead, so validation reports it with its
line and column like any other bad value.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import stat
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from pptcli import blockyaml, count_from_environment, fastyaml

MAX_BYTES = 4 * 1024 * 1024  # a case file is a few KB; anything larger is not a case file


def max_file_bytes() -> int:
    """The size limit of a file: PPT_MAX_FILE_BYTES when set to a whole number, else MAX_BYTES."""
    return count_from_environment("PPT_MAX_FILE_BYTES") or MAX_BYTES


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


class TooLarge(Exception):
    """A file over the size limit, left unread."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"{size} bytes")
        self.size, self.limit = size, limit


def open_regular(path: str | os.PathLike[str]) -> tuple[BinaryIO, os.stat_result]:
    """A file open to read, with its status; OSError "not a regular file" for anything else.
    A FIFO named x.yaml would hold a run until something wrote to it (so it is opened
    without waiting), and a device such as /dev/zero never ends."""
    file = open(os.open(path, _OPEN_FLAGS), "rb")  # noqa: SIM115 - the caller closes it
    try:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", os.fspath(path))
    except BaseException:
        file.close()
        raise
    return file, info


def read_regular(path: str | os.PathLike[str], limit: int | None = None) -> bytes:
    """A regular file's bytes (open_regular). With `limit`, TooLarge for a file of more
    bytes, without reading it (a file of gigabytes would be held whole before being refused)."""
    file, info = open_regular(path)
    with file:
        if limit is None:
            return file.read()
        if info.st_size > limit:
            raise TooLarge(info.st_size, limit)
        # Its size and a byte more (a buffer of the limit for every file of a report would
        # cost more than reading them); the rest only if it grew meanwhile, up to the limit.
        data = file.read(info.st_size + 1)
        if len(data) > info.st_size:
            data += file.read(limit + 1 - len(data))
            if len(data) > limit:
                raise TooLarge(max(len(data), os.fstat(file.fileno()).st_size), limit)
        return data


class Snapshot:
    """Settings and rule files as a run first read them. A report is keyed by a digest of
    their bytes (scan.setting_digest) and made from what they parse to: read twice, a file
    saved in between would key the report by bytes it was not made from, and a later run
    over those bytes would be served it. Read through one Snapshot, both are the same read.
    A file is read with the size limit given the first time."""

    def __init__(self) -> None:
        self._files: dict[str, bytes | OSError | TooLarge] = {}
        self._folders: dict[str, tuple[bool, tuple[Path, ...]]] = {}

    def read(self, path: str | os.PathLike[str], limit: int | None = None) -> bytes:
        """read_regular's bytes, or its error, each time the same."""
        key = os.fspath(path)
        got = self._files.get(key)
        if got is None:
            try:
                got = read_regular(path, limit)
            except (OSError, TooLarge) as exc:
                got = exc
            self._files[key] = got
        if isinstance(got, bytes):
            return got
        raise got.with_traceback(None)

    def yaml_files(self, folder: Path) -> tuple[bool, tuple[Path, ...]]:
        """Whether `folder` is a folder, and the *.y*ml paths at or below it, sorted."""
        key = os.fspath(folder)
        listed = self._folders.get(key)
        if listed is None:
            is_dir = folder.is_dir()
            listed = self._folders[key] = (is_dir, tuple(sorted(folder.rglob("*.y*ml"))) if is_dir else ())
        return listed


MAX_DEPTH = 32
ALIAS_MESSAGE = "YAML anchors and aliases are not allowed in ppt files"


class _Constructor(RoundTripConstructor):
    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)  # validated (and located) later


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


def make_yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap long lines of a hand-written file
    return yaml


@dataclass(frozen=True)
class ParseError(Exception):
    line: int  # 1-based
    column: int
    message: str


_STANDARD = "tag:yaml.org,2002:"
_TAG_NAMES = {f"{_STANDARD}{name}": what for name, what in (
    ("int", "a whole number"), ("float", "a number"), ("bool", "true or false"), ("null", "null"), ("timestamp", "a date"),
)}


def parse(text: str) -> Any:
    """Parse one YAML document into located mappings and lists (blockyaml, else fastyaml);
    raise ParseError with a 1-based position on any failure."""
    _precheck(text)
    data = blockyaml.load(text)  # most case files: their plain shape, read in about half the time
    if data is None:
        data = _libyaml(text)
    if isinstance(data, str):
        data = fastyaml.LocatedText(data)
    if isinstance(data, (fastyaml.LocatedDict, fastyaml.LocatedText)):
        data.lines = text.splitlines()  # messages quote values only as far as their own line
    return data


def _libyaml(text: str) -> Any:
    """The document as fastyaml reads it (libyaml's events), its refusals as ParseErrors.
    Depth and aliases: fastyaml refuses both as it reads."""
    try:
        return fastyaml.load(text, MAX_DEPTH)
    except fastyaml.DuplicateKey as exc:
        raise ParseError(exc.line, exc.column, f'duplicate key "{exc.key}" (a key may appear only once in a mapping)') from None
    except fastyaml.AliasFound as exc:
        raise ParseError(exc.line, exc.column, ALIAS_MESSAGE) from None
    except fastyaml.TagFound as exc:
        raise ParseError(exc.line, exc.column, f'YAML tag "{exc.tag}" is not allowed in ppt files') from None
    except fastyaml.ComplexKey as exc:
        raise ParseError(exc.line, exc.column, "a mapping or list cannot be a key in ppt files") from None
    except fastyaml.TooDeep as exc:
        raise ParseError(exc.line, exc.column, f"the document is nested more than {exc.limit} levels deep") from None
    except fastyaml.BadScalar as exc:
        raise ParseError(exc.line, exc.column, f"the value is not {_TAG_NAMES[exc.tag]}, as its tag {exc.tag.replace(_STANDARD, '!!')} says") from None
    except fastyaml.SecondDocument as exc:
        raise ParseError(exc.line, exc.column, "a second YAML document starts here; a ppt file holds one document") from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow: libyaml knows where
        raise _not_allowed(text, exc.position, exc.character) from None
    except (yaml.YAMLError, RecursionError) as exc:
        # ruamel explains the error better. What libyaml cannot read is refused even when
        # ruamel reads it (an unknown % directive): a text read by ruamel alone would escape
        # the refusals of aliases, merge keys and tags that fastyaml makes as it reads.
        raise _roundtrip_words(text) or _from_libyaml(exc) from None


def parse_roundtrip(text: str) -> Any:
    """Parse with ruamel.yaml's round-trip loader (comments kept): for writers and messages."""
    _precheck(text)
    try:
        with warnings.catch_warnings():  # e.g. ReusedAnchorWarning, which quotes other lines
            warnings.simplefilter("ignore")
            data = make_yaml().load(text)
    except (YAMLError, RecursionError) as exc:
        raise roundtrip_error(exc) from None
    _check_depth(data)
    return data


def roundtrip_error(exc: YAMLError | RecursionError) -> ParseError:
    """ruamel's error, located and in plain words."""
    if isinstance(exc, RecursionError):
        return ParseError(1, 1, "the document is nested too deeply")
    if not isinstance(exc, MarkedYAMLError):  # unmarked parser errors
        return ParseError(1, 1, str(exc).strip().splitlines()[0])
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    message = _plain(exc)
    start = exc.context_mark
    if start is not None and exc.problem_mark is not None and start.line != exc.problem_mark.line:
        message += f" (opened at line {start.line + 1}, column {start.column + 1})"
    return ParseError(line, col, message)


def _from_libyaml(exc: BaseException) -> ParseError:
    """libyaml's own error, located, for the rare text ruamel.yaml cannot even report on."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    if isinstance(exc, RecursionError):
        return ParseError(line, col, "the document is nested too deeply")
    problem = (getattr(exc, "problem", None) or "not readable as YAML").strip()
    return ParseError(line, col, f"invalid YAML: {problem}")


def _precheck(text: str) -> None:
    if "\t" in text:
        _reject_tab_indent(text)
    _reject_conflict_markers(text)
    separator = None if text.isascii() else _SEPARATOR.search(text)  # isascii: a flag, not a scan
    if separator is not None:
        _reject_separator(text, separator.start())


# Line breaks to YAML 1.1 (libyaml, which reads case files) and not to YAML 1.2 (ruamel, which
# edits them), nor to ppt's positions: the two readers would see different documents. Pasted
# from a word processor, never meant; ppt's writers escape them (`"a\u2028b"`).
_SEPARATOR = re.compile("[\u2028\u2029\x85]")
_SEPARATOR_NAMES = {"\u2028": "a line separator (U+2028)", "\u2029": "a paragraph separator (U+2029)", "\x85": "a next-line character (U+0085)"}


def _line_column(text: str, at: int) -> tuple[int, int]:
    """The 1-based line and column of the character at index `at`."""
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


def _reject_separator(text: str, at: int) -> None:
    name = _SEPARATOR_NAMES[text[at]]
    escaped = text[at].encode("unicode_escape").decode()
    raise ParseError(*_line_column(text, at), f"{name}, an invisible character YAML readers take differently, stands here: delete it, or write it as {escaped} inside double quotes")


def _not_allowed(text: str, at: int, character: object) -> ParseError:
    """libyaml's refusal of a character; its position counts the bytes of the text's UTF-8."""
    code = ord(character) if isinstance(character, str) and len(character) == 1 else character
    index = len(text.encode("utf-8", "surrogatepass")[:at].decode("utf-8", "replace"))
    what = f"U+{code:04X}" if isinstance(code, int) else repr(character)
    return ParseError(*_line_column(text, index), f"a control character ({what}) is not allowed in YAML text; delete it")


def _roundtrip_words(text: str) -> ParseError | None:
    """ruamel's account of a text libyaml refused, or None when ruamel reads it or fails itself."""
    try:
        parse_roundtrip(text)
    except ParseError as exc:
        return exc
    except Exception:  # noqa: BLE001 - ruamel itself failed (e.g. its comment handling): libyaml's words
        return None
    return None


def _plain(exc: MarkedYAMLError) -> str:
    """One line: the problem, with the context folded in, no ruamel boilerplate."""
    problem = (exc.problem or "invalid YAML").strip()
    if problem.startswith("found duplicate key"):
        key = problem.split('"')[1] if '"' in problem else "?"
        return f'duplicate key "{key}" (a key may appear only once in a mapping)'
    context = (exc.context or "").strip()
    return f"invalid YAML: {problem}" + (f" ({context})" if context else "")


def _reject_tab_indent(text: str) -> None:
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.lstrip(" ")
        if stripped.startswith("\t"):
            col = len(line) - len(stripped) + 1
            raise ParseError(number, col, "tab used for indentation; YAML indents with spaces")


def _reject_conflict_markers(text: str) -> None:
    if "<<<<<<<" not in text and ">>>>>>>" not in text and "=======" not in text:
        return  # most files: three searches in C, not a test of every line
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith(("<<<<<<< ", ">>>>>>> ")) or line in ("<<<<<<<", ">>>>>>>", "======="):
            raise ParseError(number, 1, "git merge conflict marker: resolve the conflict first")


def _check_depth(data: Any) -> None:
    stack: list[tuple[Any, int]] = [(data, 0)]
    seen: set[int] = set()
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            if id(node) in seen:  # an alias: expanding it is how "billion laughs" attacks work
                line, col = position(node, ())
                raise ParseError(line, col, ALIAS_MESSAGE)
            seen.add(id(node))
        if depth > MAX_DEPTH:
            line, col = position(node, ())
            raise ParseError(line, col, f"the document is nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


def position(data: Any, path: Sequence[Any], *, key: bool = False) -> tuple[int, int]:
    """1-based (line, column) of the value at `path` (of its key with key=True).

    Walks as far down the path as the document goes, so a missing key is reported at the
    mapping that should hold it.
    """
    line, col = _self_at(data)
    node = data
    for index, step in enumerate(path):
        last = index == len(path) - 1
        if isinstance(node, dict) and step in node:
            line, col = _key_at(node, step) if (key and last) else _value_at(node, step)
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            line, col = _item_at(node, step)
            node = node[step]
        else:
            break
    return line, col


def _self_at(node: Any) -> tuple[int, int]:
    if isinstance(node, (fastyaml.LocatedDict, fastyaml.LocatedList)):
        return node.at
    if isinstance(node, (CommentedMap, CommentedSeq)) and node.lc.line is not None:
        return node.lc.line + 1, node.lc.col + 1
    return 1, 1


def _key_at(node: Any, key: Any) -> tuple[int, int]:
    if isinstance(node, fastyaml.LocatedDict):
        return node.keys_at[key]
    if isinstance(node, CommentedMap):
        line, col = node.lc.key(key)
        return line + 1, col + 1
    return _self_at(node)


def _value_at(node: Any, key: Any) -> tuple[int, int]:
    if isinstance(node, fastyaml.LocatedDict):
        return node.values_at[key]
    if isinstance(node, CommentedMap):
        line, col = node.lc.value(key)
        return line + 1, col + 1
    return _self_at(node)


def _item_at(node: Any, index: int) -> tuple[int, int]:
    if isinstance(node, fastyaml.LocatedList):
        return node.items_at[index]
    if isinstance(node, CommentedSeq):
        line, col = node.lc.item(index)
        return line + 1, col + 1
    return _self_at(node)


def to_plain(node: Any) -> Any:
    """ruamel's containers and scalar subclasses as plain dict/list/str/int values."""
    if isinstance(node, dict):
        return {str(k) if not isinstance(k, (str, int, bool)) else k: to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [to_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, (dt.date,)):
        return node
    if isinstance(node, str):
        return str(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node
