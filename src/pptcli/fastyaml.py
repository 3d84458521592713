"""Fast reading of YAML with positions: libyaml's C parser, values built here.

ruamel.yaml's round-trip loader is pure Python and about twenty times slower; writers edit
its node tree (comments survive), and it reads or explains files that libyaml cannot parse
(its messages are better). On a file both can read, this loader must give the same values
(tests/test_fastyaml.py compares them):

- the YAML 1.2 core schema: only true/false are booleans (`yes` is text), no sexagesimals;
- duplicate keys are refused, and so are aliases (expanding them is how "billion laughs"
  documents exhaust memory; case files have no use for them);
- a date that does not exist stays text, to be reported where it stands;
- every mapping and list remembers where it, its keys, values and items stand (1-based).

Values are built from libyaml's events with an explicit stack (see `load`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml

_Parser: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml ships in PyYAML's wheels; only its events are read


class LocatedDict(dict):  # type: ignore[type-arg]
    """A mapping with `at`: (line, col) of itself; `keys_at` and `values_at` per key."""

    __slots__ = ("at", "keys_at", "lines", "values_at")  # lines: the source, on the root only


class LocatedText(str):
    """A document that is one scalar of text, with its source lines (for messages)."""

    lines: list[str]


class LocatedList(list):  # type: ignore[type-arg]
    """A list with `at`: (line, col) of itself; `items_at` per item."""

    __slots__ = ("at", "items_at")


class DuplicateKey(Exception):
    def __init__(self, key: str, line: int, column: int) -> None:
        super().__init__(key)
        self.key, self.line, self.column = key, line, column


class TagFound(Exception):
    def __init__(self, tag: str, line: int, column: int) -> None:
        super().__init__(tag)
        self.tag, self.line, self.column = tag, line, column


class AliasFound(Exception):
    def __init__(self, line: int, column: int) -> None:
        super().__init__("alias")
        self.line, self.column = line, column


_MAP, _SEQ, _STR, _BOOL, _INT, _FLOAT, _NULL, _TIMESTAMP = (
    f"tag:yaml.org,2002:{name}" for name in ("map", "seq", "str", "bool", "int", "float", "null", "timestamp")
)

_ScalarEvent, _AliasEvent = yaml.ScalarEvent, yaml.AliasEvent
_MappingStartEvent, _MappingEndEvent = yaml.MappingStartEvent, yaml.MappingEndEvent
_SequenceStartEvent, _SequenceEndEvent = yaml.SequenceStartEvent, yaml.SequenceEndEvent
_DocumentStartEvent = yaml.DocumentStartEvent

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_TRUE = frozenset({"true", "True", "TRUE"})


# Each date read once per process, the same object each time it is read again: a statewide
# report's findings carry a million dates, and pickle writes a date object it has seen once
# in a batch as a reference, while every distinct object costs a call (worker processes send
# findings by pickle, a large table waits on disk as pickles, the cache stores them so).
# Bounded, so that a hostile file cannot make it grow without end: past the bound a date is
# made anew, as it would be without it.
_DAYS: dict[str, dt.date] = {}
_DAYS_HELD = 100_000


def _timestamp(text: str) -> Any:
    day = _DAYS.get(text)
    if day is not None:
        return day
    match = _DATE.match(text)
    if match is None:  # with a time: a datetime, which validation refuses with a reason
        from ruamel.yaml.util import (  # rare: read as ruamel.yaml reads it
            create_timestamp,
            timestamp_regexp,
        )

        stamp = timestamp_regexp.match(text)
        try:
            return text if stamp is None else create_timestamp(**stamp.groupdict())
        except (ValueError, OverflowError):
            return text
    try:
        day = dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return text  # a date that does not exist stays text, reported where it stands
    if len(_DAYS) < _DAYS_HELD:
        _DAYS[text] = day
    return day


_BASES = {"0b": 2, "0o": 8, "0x": 16}


def _int(text: str) -> int | str:
    digits = text.replace("_", "")
    sign = -1 if digits[:1] == "-" else 1
    digits = digits.lstrip("+-")
    try:
        base = _BASES.get(digits[:2], 10)
        return sign * int(digits[2:] if base != 10 else digits, base)  # "017" is 17, as ruamel reads it
    except ValueError:  # "+_": ruamel.yaml fails on it; here it stays text
        return text


def _float(text: str) -> float | str:
    digits = text.replace("_", "")
    try:
        return float(digits.replace(".", "", 1) if digits.lower().lstrip("+-").startswith((".inf", ".nan")) else digits)
    except ValueError:  # "._"
        return text


def _bool(text: str) -> bool:
    return text in _TRUE


def _null(text: str) -> None:
    return None


# What ruamel.yaml resolves a plain scalar to under YAML 1.2 (its resolver.py), not PyYAML's
# YAML 1.1 defaults (`yes` is text here; sexagesimals are text): (tag, pattern, the characters
# a scalar of it can begin with, its value). yamlio.parse reads with ruamel.yaml what libyaml
# cannot read, so the two must agree (tests/test_fastyaml.py).
_RESOLVERS: list[tuple[str, str, str | list[str], Any]] = [
    (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF", _bool),
    (_FLOAT, (r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)"
     r"|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"), "-+0123456789.", _float),
    (_INT, r"^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)$", "-+0123456789", _int),
    (_NULL, r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""], _null),
    (_TIMESTAMP, (r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}"
     r":[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$"), "0123456789", _timestamp),
]
# A plain scalar's candidates by its first character, in the order above: most values (names,
# text) begin with a letter that no pattern but null's or bool's can match.
_PATTERNS = {tag: re.compile(pattern) for tag, pattern, _, _ in _RESOLVERS}
_VALUES = {tag: value for tag, _, _, value in _RESOLVERS}
_PLAIN_BY_FIRST: dict[str, list[tuple[re.Pattern[str], Any]]] = {}
for _tag, _, _first, _ in _RESOLVERS:
    for _char in _first:
        _PLAIN_BY_FIRST.setdefault(_char, []).append((_PATTERNS[_tag], _VALUES[_tag]))


def _tagged(tag: str, text: str) -> Any:
    """An explicitly tagged scalar's value (`!!int 12`, `!!str 12`); ValueError when its text
    is not of its tag: written as a plain scalar of that type would be (`!!float 1` is 1.0),
    or for `!!timestamp`, matching ruamel.yaml's pattern (`!!timestamp 2024-1-2` is a date; a
    date or time that does not exist stays text, to be reported where it stands)."""
    if tag == _STR:
        return text
    if tag == _TIMESTAMP:
        from ruamel.yaml.util import timestamp_regexp

        if not timestamp_regexp.match(text):
            raise ValueError(text)
        return _timestamp(text)
    if not any(pattern.match(text) for pattern in _WRITTEN_AS[tag]):
        raise ValueError(text)
    value = _VALUES[tag](text)
    if type(value) is str:  # `+_`: an int's pattern, but no number
        raise ValueError(text)
    return value


_WRITTEN_AS = {_BOOL: [_PATTERNS[_BOOL]], _NULL: [_PATTERNS[_NULL]], _INT: [_PATTERNS[_INT]], _FLOAT: [_PATTERNS[_FLOAT], _PATTERNS[_INT]]}
_TAGGED = frozenset({_STR, _BOOL, _INT, _FLOAT, _NULL, _TIMESTAMP})


class BadScalar(Exception):
    """An explicitly tagged scalar that is not of its tag (`!!int abc`)."""

    def __init__(self, tag: str, line: int, column: int) -> None:
        super().__init__(tag)
        self.tag, self.line, self.column = tag, line, column


class ComplexKey(Exception):
    def __init__(self, line: int, column: int) -> None:
        super().__init__("complex key")
        self.line, self.column = line, column


class SecondDocument(Exception):
    """A second YAML document in the text (after `---`): a ppt file holds one."""

    def __init__(self, line: int, column: int) -> None:
        super().__init__("second document")
        self.line, self.column = line, column


class TooDeep(Exception):
    def __init__(self, limit: int, line: int, column: int) -> None:
        super().__init__("too deep")
        self.limit, self.line, self.column = limit, line, column


_NO_KEY = object()  # a mapping waiting for its next key


def load(text: str, max_depth: int = 32) -> Any:
    """Parse one document; raise DuplicateKey, AliasFound, TagFound, TooDeep, SecondDocument
    or YAMLError.

    Values are built from libyaml's event stream with an explicit stack: libyaml's parser is
    a state machine, but its composer recurses in C, so a document of a few hundred thousand
    nested brackets would crash the process before any depth check could run.
    """
    try:
        return _load(text, max_depth)
    except yaml.scanner.ScannerError as exc:
        mark = exc.problem_mark
        if "maximum nesting depth" not in (exc.problem or "") or mark is None or not 0 < mark.index <= len(text):
            raise
    # libyaml 0.2.6 (in PyYAML 6.0.4's wheels) stops at 1,000 levels while it scans ahead for
    # keys, before its parser has told of the first brackets. The text before that point is
    # within libyaml's limit and holds the level past max_depth, and any problem of ours
    # that comes before it (a duplicate key, say): the first of them is reported.
    raise _first_problem(text[: mark.index], max_depth) or TooDeep(max_depth, mark.line + 1, mark.column + 1)


_OWN_PROBLEMS = (TooDeep, DuplicateKey, AliasFound, TagFound, ComplexKey, BadScalar, SecondDocument)


def _first_problem(text: str, max_depth: int) -> Exception | None:
    try:
        _load(text, max_depth)
    except _OWN_PROBLEMS as exc:
        return exc
    except Exception:  # noqa: BLE001 - the shorter text's own end, unclosed: nothing to report
        return None
    return None


def _load(text: str, max_depth: int) -> Any:
    """The loop of `load`, written out in one function: it runs for every node of every file
    (about 220 a case file), so its steps are inlined rather than called."""
    loader = _Parser(text)
    next_event = loader.get_event
    stack: list[list[Any]] = []  # the open containers: [container, pending key, the key's position]
    top: list[Any] | None = None  # stack[-1]
    root: Any = None
    anchors: dict[str, tuple[int, int]] = {}
    documents = 0
    try:
        while (event := next_event()) is not None:
            kind = type(event)
            if kind is _ScalarEvent:
                mark = event.start_mark
                at = (mark.line + 1, mark.column + 1)
                scalar = event.value
                tag = event.tag
                if tag is None or tag == "!":
                    value: Any = scalar
                    if event.implicit[0]:
                        for pattern, convert in _PLAIN_BY_FIRST.get(scalar[:1], ()):
                            if pattern.match(scalar):
                                value = convert(scalar)
                                break
                elif tag in _TAGGED:
                    try:
                        value = _tagged(tag, scalar)
                    except ValueError:
                        raise BadScalar(tag, *at) from None
                else:  # !foo, !!python/object, !!binary: nothing a case file needs
                    raise TagFound(tag, *at)
                if len(stack) > max_depth and (type(top[0]) is LocatedList or top[1] is not _NO_KEY):  # type: ignore[index]
                    raise TooDeep(max_depth, *at)  # a value nested past the limit (a key is not)
            elif kind is _MappingStartEvent or kind is _SequenceStartEvent:
                value = _open(event, kind is _MappingStartEvent)
                at = value.at
                if len(stack) > max_depth:  # the root is depth 0
                    raise TooDeep(max_depth, *at)
            elif kind is _MappingEndEvent or kind is _SequenceEndEvent:
                stack.pop()
                top = stack[-1] if stack else None
                continue
            elif kind is _AliasEvent:  # reported where its anchor stands
                raise AliasFound(*anchors.get(event.anchor, (event.start_mark.line + 1, event.start_mark.column + 1)))
            else:  # stream and document boundaries
                if kind is _DocumentStartEvent:
                    documents += 1
                    if documents > 1:  # reading on would keep the last document alone
                        raise SecondDocument(event.start_mark.line + 1, event.start_mark.column + 1)
                continue
            if event.anchor is not None:
                anchors[event.anchor] = at
            if top is None:
                root = value
            else:  # into the innermost open list, or mapping (as its next key or value)
                container = top[0]
                if type(container) is LocatedList:
                    container.append(value)
                    container.items_at.append(at)
                elif top[1] is _NO_KEY:
                    if kind is not _ScalarEvent:
                        raise ComplexKey(*at)
                    top[1] = value
                    top[2] = at
                else:
                    key = top[1]
                    if key in container:
                        raise DuplicateKey(str(key), *top[2])
                    container[key] = value
                    container.keys_at[key] = top[2]
                    container.values_at[key] = at
                    top[1] = _NO_KEY
            if kind is not _ScalarEvent:
                top = [value, _NO_KEY, None]
                stack.append(top)
    finally:
        loader.dispose()
    return root


def _open(event: Any, mapping: bool) -> LocatedDict | LocatedList:
    tag = event.tag
    if tag not in (None, "!", _MAP if mapping else _SEQ):
        raise TagFound(tag, event.start_mark.line + 1, event.start_mark.column + 1)
    at = (event.start_mark.line + 1, event.start_mark.column + 1)
    if mapping:
        data: LocatedDict | LocatedList = LocatedDict()
        data.keys_at, data.values_at = {}, {}
    else:
        data = LocatedList()
        data.items_at = []
    data.at = at
    return data
