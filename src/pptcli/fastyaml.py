"""Fast reading of YAML with positions: libyaml's C composer, values built here.

ruamel.yaml's round-trip loader is pure Python and about twenty times slower; it stays the
parser of the writers (comments survive) and explains files that libyaml cannot parse (its
messages are better). On a file both can read, this loader must give the same values:

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
from typing import Any, ClassVar

import yaml

_Composer: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml ships in PyYAML's wheels


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


_MAP, _SEQ, _STR = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:str"


class _Loader(_Composer):  # type: ignore[misc, valid-type]
    yaml_implicit_resolvers: ClassVar[dict[str, list[Any]]] = {}




# The YAML 1.2 core schema (what ruamel.yaml resolves), not PyYAML's YAML 1.1 defaults.
_RESOLVERS = [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    ("tag:yaml.org,2002:float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+0123456789."),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:timestamp", r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?$", "0123456789"),
]
_BY_FIRST: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
for _tag, _pattern, _first in _RESOLVERS:
    for _char in _first:
        _BY_FIRST.setdefault(_char, []).append((_tag, re.compile(_pattern)))


def _resolve(self: Any, kind: Any, value: Any, implicit: Any) -> str:
    """The tag of a node. PyYAML's generic resolver (path resolvers, YAML 1.1 tables) is the
    costliest step of a parse; case files need only the core schema."""
    if kind is yaml.ScalarNode:
        if not implicit[0]:
            return _STR
        for tag, pattern in _BY_FIRST.get(value[:1], ()):
            if pattern.match(value):
                return tag
        return _STR
    return _SEQ if kind is yaml.SequenceNode else _MAP


_Loader.resolve = _resolve

_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_TRUE = frozenset({"true", "True", "TRUE"})


class ComplexKey(Exception):
    def __init__(self, line: int, column: int) -> None:
        super().__init__("complex key")
        self.line, self.column = line, column


class TooDeep(Exception):
    def __init__(self, limit: int, line: int, column: int) -> None:
        super().__init__("too deep")
        self.limit, self.line, self.column = limit, line, column


_NO_KEY = object()  # a mapping waiting for its next key


def load(text: str, max_depth: int = 32) -> Any:
    """Parse one document; raise DuplicateKey, AliasFound, TagFound, TooDeep or YAMLError.

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


_OWN_PROBLEMS = (TooDeep, DuplicateKey, AliasFound, TagFound, ComplexKey)


def _first_problem(text: str, max_depth: int) -> Exception | None:
    try:
        _load(text, max_depth)
    except _OWN_PROBLEMS as exc:
        return exc
    except Exception:  # noqa: BLE001 - the shorter text's own end, unclosed: nothing to report
        return None
    return None


def _load(text: str, max_depth: int) -> Any:
    loader = _Loader(text)
    stack: list[list[Any]] = []  # [container, pending key, the key's position]
    root: Any = None
    anchors: dict[str, tuple[int, int]] = {}
    try:
        while (event := loader.get_event()) is not None:
            kind = type(event)
            if kind is yaml.ScalarEvent:
                value = _scalar(_scalar_tag(event), event.value)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                value = _open(event, kind is yaml.MappingStartEvent)
                if len(stack) > max_depth:  # the root is depth 0, as in yamlio._check_depth
                    raise TooDeep(max_depth, *value.at)
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                stack.pop()
                continue
            elif kind is yaml.AliasEvent:  # reported where its anchor stands
                raise AliasFound(*anchors.get(event.anchor, (event.start_mark.line + 1, event.start_mark.column + 1)))
            else:
                continue  # stream and document boundaries
            at = (event.start_mark.line + 1, event.start_mark.column + 1)
            if event.anchor is not None:
                anchors[event.anchor] = at
            if stack:
                _add(stack[-1], value, at)
            else:
                root = value
            if isinstance(value, (LocatedDict, LocatedList)):
                stack.append([value, _NO_KEY, None])
    finally:
        loader.dispose()
    return root


def _scalar_tag(event: Any) -> str:
    if event.tag in (None, "!"):
        return _resolve(None, yaml.ScalarNode, event.value, event.implicit)
    if event.tag not in _SCALAR_TAGS:  # !foo, !!python/object, !!binary: nothing a case file needs
        raise TagFound(event.tag, event.start_mark.line + 1, event.start_mark.column + 1)
    return str(event.tag)


_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp"))


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


def _add(top: list[Any], value: Any, at: tuple[int, int]) -> None:
    """Put a value into the innermost open mapping (as its next key or value) or list."""
    container = top[0]
    if type(container) is LocatedList:
        container.append(value)
        container.items_at.append(at)
    elif top[1] is _NO_KEY:
        if isinstance(value, (dict, list)):
            raise ComplexKey(*at)
        top[1], top[2] = value, at
    else:
        key = top[1]
        if key in container:
            raise DuplicateKey(str(key), *top[2])
        container[key] = value
        container.keys_at[key] = top[2]
        container.values_at[key] = at
        top[1] = _NO_KEY


def _scalar(tag: str, text: str) -> Any:
    if tag == _STR:
        return text
    if tag.endswith(":timestamp"):
        return _timestamp(text)
    if tag.endswith(":int"):
        return int(text, 0) if text[:2] in ("0o", "0x") else int(text)
    if tag.endswith(":bool"):
        return text in _TRUE
    if tag.endswith(":null"):
        return None
    if tag.endswith(":float"):
        return float(text.replace(".", "", 1) if text.lower().lstrip("+-").startswith((".inf", ".nan")) else text)
    return text  # !!str and other standard tags on a scalar: its text


def _timestamp(text: str) -> Any:
    match = _DATE.match(text)
    if match is None:  # a date with a time: a datetime, which validation refuses with a reason
        try:
            return dt.datetime.fromisoformat(text.replace("t", "T").replace(" ", "T", 1).strip())
        except ValueError:
            return text
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return text
