"""Fast reading of YAML with positions: libyaml's C composer, values built here.

ruamel.yaml's round-trip loader is pure Python and about twenty times slower; it stays the
parser of the writers (comments survive) and explains files that libyaml cannot parse (its
messages are better). On a file both can read, this loader must give the same values:

- the YAML 1.2 core schema: only true/false are booleans (`yes` is text), no sexagesimals;
- duplicate keys are refused, and so are aliases (expanding them is how "billion laughs"
  documents exhaust memory; case files have no use for them);
- a date that does not exist stays text, to be reported where it stands;
- every mapping and list remembers where it, its keys, values and items stand (1-based).

Building values from the composed node tree directly is faster than PyYAML's own constructor.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml

_Composer: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml ships in PyYAML's wheels


class LocatedDict(dict):  # type: ignore[type-arg]
    """A mapping with `at`: (line, col) of itself; `keys_at` and `values_at` per key."""

    __slots__ = ("at", "keys_at", "values_at")


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
    yaml_implicit_resolvers: dict[str, list[Any]] = {}


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


def load(text: str) -> Any:
    """Parse one document; raise DuplicateKey, AliasFound or yaml.YAMLError."""
    node = yaml.compose(text, Loader=_Loader)  # noqa: S506 - composing builds no objects
    return None if node is None else _build(node, set())


def _build(node: Any, seen: set[int]) -> Any:
    if id(node) in seen:  # the composer hands out an anchored node again for each alias
        raise AliasFound(node.start_mark.line + 1, node.start_mark.column + 1)
    seen.add(id(node))
    tag = node.tag
    if tag == _MAP:
        return _mapping(node, seen)
    if tag == _SEQ:
        return _sequence(node, seen)
    if not tag.startswith("tag:yaml.org,2002:"):  # an explicit local tag such as !foo
        raise TagFound(tag, node.start_mark.line + 1, node.start_mark.column + 1)
    return _scalar(tag, node.value)


def _mapping(node: Any, seen: set[int]) -> LocatedDict:
    data = LocatedDict()
    data.at = (node.start_mark.line + 1, node.start_mark.column + 1)
    keys_at: dict[Any, tuple[int, int]] = {}
    values_at: dict[Any, tuple[int, int]] = {}
    for key_node, value_node in node.value:
        key = _build(key_node, seen)
        if isinstance(key, (dict, list)):
            key = str(key)
        kmark, vmark = key_node.start_mark, value_node.start_mark
        if key in data:
            raise DuplicateKey(str(key), kmark.line + 1, kmark.column + 1)
        data[key] = _build(value_node, seen)
        keys_at[key] = (kmark.line + 1, kmark.column + 1)
        values_at[key] = (vmark.line + 1, vmark.column + 1)
    data.keys_at, data.values_at = keys_at, values_at
    return data


def _sequence(node: Any, seen: set[int]) -> LocatedList:
    data = LocatedList(_build(child, seen) for child in node.value)
    data.at = (node.start_mark.line + 1, node.start_mark.column + 1)
    data.items_at = [(c.start_mark.line + 1, c.start_mark.column + 1) for c in node.value]
    return data


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
