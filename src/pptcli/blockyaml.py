"""The plain shape of a case file, read line by line, without libyaml's event objects.

Case files are block mappings and lists of keys and single-line values, with one-line flow
mappings and lists (`{date: 2026-01-14, action: "..."}`, `[a, b]`) and comments. For that
shape, reading the lines in Python takes about half the time of building values from
libyaml's events (fastyaml.py: a Python object and a mark for every event), and parsing
was the largest part of a cold report. Anything else gives None, and fastyaml reads the
text: block scalars, multi-line or escaped quoted values, anchors, tags, directives,
documents, empty values, flow collections nested two deep, tabs, carriage returns,
characters libyaml refuses or reads as line breaks, keys that are not plain names, a line
indented where a continuation or an error could stand, and every error.

What this reader accepts, it reads as fastyaml does: the same values, of the same types,
at the same positions (tests/test_blockyaml.py compares the two on the demonstration and
a generated repository, and on generated and damaged documents).
"""

from __future__ import annotations

import re
from typing import Any

from pptcli.fastyaml import _PLAIN_BY_FIRST, LocatedDict, LocatedList

# Possessive quantifiers and atomic groups throughout (Python 3.11): no pattern here can
# backtrack over a long run of spaces, whatever a hostile line holds.
_NAME = r"[A-Za-z_][A-Za-z0-9_]*+"  # a plain key: a name (anything else is fastyaml's)
# A plain scalar: not beginning with an indicator (`-` and `?` only before a space), without
# `#` or `:` (a comment, a key: fastyaml decides), and without trailing spaces.
_PLAIN = r"""(?>[^\s#"'\[\]{}&*!|>%@`,?:-](?: *+[^ #:])*+|[-?][^\s#:"'\[\]{}](?: *+[^ #:])*+)"""
_FLOW_PLAIN = r"""(?>[^\s#"'\[\]{}&*!|>%@`,?:-](?: *+[^ #:,"'\[\]{}])*+|-[^\s#:,"'\[\]{}](?: *+[^ #:,"'\[\]{}])*+)"""
_QUOTED = r""""([^"]*+)"|'([^']*+)'(?!')"""  # one line, no escapes (a backslash is left to fastyaml)
_LINE = re.compile(
    r"( *+)"  # 1: indent
    r"(?:(-)(?: ++|$))?"  # 2: a list's dash
    rf"(?:({_NAME}):(?: ++|$))?"  # 3: a key
    rf"(?:{_QUOTED}"  # 4, 5: a quoted value
    rf"|({_PLAIN})"  # 6: a plain value
    r"|([\[{].*)"  # 7: a flow mapping or list, to the end of the line
    r"|(#.*))?"  # 8: a comment where a value could stand (none is)
    r"( ++#.*| *+)"  # 9: the end of the line
)
_FLOW_ITEM = re.compile(rf" *+(?:{_QUOTED}|({_FLOW_PLAIN})) *+([,\]])")
_FLOW_PAIR = re.compile(rf" *+({_NAME}): ++(?:{_QUOTED}|({_FLOW_PLAIN})) *+([,}}])")
_FLOW_EMPTY = re.compile(r"\[ *+\]|\{ *+\}")
# A key or item whose value is a flow collection in a flow collection, and what follows one.
_FLOW_PAIR_OPEN = re.compile(rf" *+({_NAME}): ++([\[{{])")
_FLOW_ITEM_OPEN = re.compile(r" *+([\[{])")
_FLOW_NEXT = re.compile(r" *+([,\]}])")
_TAIL = re.compile(r" ++#.*| *+")
# Characters left to fastyaml wherever they stand: the control characters libyaml refuses
# (and tab and carriage return), the backslash that begins an escape in double quotes, and
# what YAML 1.1 reads as a line break (U+0085, U+2028, U+2029) or a byte order mark, or
# refuses (U+0080-U+009F, U+FFFE, U+FFFF, a lone surrogate). Other text, accented names
# and all, is read here: libyaml counts columns in characters, as Python indexes a str.
_LEAVE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\\\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
MAX_NESTING = 16  # deeper files are rare, and fastyaml knows the depth limit's messages

# Plain scalars resolved once per process (names, dates, true and false recur in every file);
# bounded, so that a hostile file cannot make it grow without end.
_RESOLVED: dict[str, Any] = {}
_RESOLVED_HELD = 100_000
_MISSING = object()


def _resolved(text: str) -> Any:
    value = _RESOLVED.get(text, _MISSING)
    return _resolve(text) if value is _MISSING else value


def _resolve(text: str) -> Any:
    value: Any = text
    for pattern, convert in _PLAIN_BY_FIRST.get(text[:1], ()):
        if pattern.match(text):
            value = convert(text)
            break
    if len(_RESOLVED) < _RESOLVED_HELD:
        _RESOLVED[text] = value
    return value


class _Leave(Exception):
    """Not this reader's shape: fastyaml reads the text."""


def _flow(line: str, start: int, number: int) -> LocatedDict | LocatedList:
    """The one-line flow mapping or list at index `start` of `line`, to its end: of scalars,
    or of scalars and flow collections of scalars (`{parents: {not_applicable: "..."}}`)."""
    data, end = _collection(line, start, number, nested=False)
    if _TAIL.fullmatch(line, end) is None:
        raise _Leave  # more on the line
    return data


def _collection(line: str, start: int, number: int, *, nested: bool) -> tuple[LocatedDict | LocatedList, int]:
    """The flow collection at index `start` of `line`, and the index after it. A `nested`
    one holds scalars only: deeper nesting is fastyaml's."""
    at = start + 1
    if line[start] == "{":
        mapping = _mapping(number, at)
        keys_at, values_at = mapping.keys_at, mapping.values_at
        pair = _FLOW_PAIR.match
        while True:
            m = pair(line, at)
            if m is None and (nested or (m := _FLOW_PAIR_OPEN.match(line, at)) is None):
                return _empty(mapping, line, start)
            key = _resolved(m.group(1))
            if key in mapping:
                raise _Leave  # fastyaml says where the duplicate stands
            keys_at[key] = (number, m.start(1) + 1)
            if m.re is _FLOW_PAIR_OPEN:  # its value is a flow collection
                inner, end = _collection(line, m.start(2), number, nested=True)
                mapping[key], values_at[key] = inner, inner.at
                at, closed = _past(line, end, "}")
                if closed:
                    return mapping, at
                continue
            _, double, single, plain, end = m.groups()
            if plain is not None:
                mapping[key] = _resolved(plain)
                values_at[key] = (number, m.start(4) + 1)
            elif double is not None:
                mapping[key] = double
                values_at[key] = (number, m.start(2))
            else:
                mapping[key] = single
                values_at[key] = (number, m.start(3))
            at = m.end()
            if end == "}":
                return mapping, at
    items = _list(number, at)
    items_at = items.items_at
    item = _FLOW_ITEM.match
    while True:
        m = item(line, at)
        if m is None:
            if nested or (m := _FLOW_ITEM_OPEN.match(line, at)) is None:
                return _empty(items, line, start)
            inner, end = _collection(line, m.start(1), number, nested=True)
            items.append(inner)
            items_at.append(inner.at)
            at, closed = _past(line, end, "]")
            if closed:
                return items, at
            continue
        double, single, plain, end = m.groups()
        if plain is not None:
            items.append(_resolved(plain))
            items_at.append((number, m.start(3) + 1))
        elif double is not None:
            items.append(double)
            items_at.append((number, m.start(1)))
        else:
            items.append(single)
            items_at.append((number, m.start(2)))
        at = m.end()
        if end == "]":
            return items, at


def _past(line: str, end: int, close: str) -> tuple[int, bool]:
    """After a collection nested in another: the index past the comma or `close` that
    follows it, and whether that closed the outer one."""
    m = _FLOW_NEXT.match(line, end)
    if m is None or m.group(1) not in (",", close):
        raise _Leave
    return m.end(), m.group(1) == close


def _empty(data: LocatedDict | LocatedList, line: str, start: int) -> tuple[LocatedDict | LocatedList, int]:
    """`{}` or `[]`, if that is what stands at `start`; else the text is fastyaml's."""
    m = _FLOW_EMPTY.match(line, start)
    if data or m is None:
        raise _Leave  # `[a, ]`, deeper nesting, a collection going on below
    return data, m.end()


def load(text: str) -> LocatedDict | None:
    """The document's root mapping, when the text is of the plain shape; None otherwise."""
    if _LEAVE.search(text) is not None:
        return None
    try:
        return _load(text)
    except _Leave:
        return None


def _mapping(number: int, col: int) -> LocatedDict:
    data = LocatedDict()
    data.keys_at, data.values_at = {}, {}
    data.at = (number, col)
    return data


def _list(number: int, col: int) -> LocatedList:
    data = LocatedList()
    data.items_at = []
    data.at = (number, col)
    return data


def _load(text: str) -> LocatedDict | None:
    match = _LINE.fullmatch
    lines = text.split("\n")
    number = 0
    for line in lines:  # comments and blank lines down to the root mapping's first key
        number += 1
        m = match(line)
        if m is None:
            raise _Leave
        spaces, dash, key = m.group(1, 2, 3)
        if dash is not None or key is not None or m.group(4, 5, 6, 7) != (None, None, None, None):
            break
    else:
        return None  # no value at all: fastyaml says what the document is
    if spaces or dash is not None:
        raise _Leave  # a root that is not a mapping at the margin
    root = _mapping(number, 1)
    # The open containers, innermost last: (indent, container). A mapping's keys and a
    # list's dashes stand at its indent; `top` and `indent_of_top` are the last of them.
    stack: list[tuple[int, Any]] = [(0, root)]
    top: Any = root
    indent_of_top = 0
    top_is_list = False
    pending: Any = None  # a key whose value is the block below it (the mapping, the key, its indent)
    first = number
    for line in lines[first - 1 :]:
        if number != first:
            m = match(line)
            if m is None:
                raise _Leave
        spaces, dash, key, double, single, plain, flow, _, _ = m.groups()
        number += 1
        if dash is None:
            if key is None:
                if double is None and single is None and plain is None and flow is None:
                    continue  # a blank line or a comment
                raise _Leave  # a continuation of the value above, or an error
            col = len(spaces)
            if pending is None and col == indent_of_top and not top_is_list:
                pass  # the common line: the open mapping's next key
            else:
                top = _opened(stack, pending, col, False, number - 1)
                pending = None
                indent_of_top, top_is_list = stack[-1][0], type(top) is LocatedList
                if top_is_list:
                    raise _Leave
        else:
            indent = len(spaces)
            if pending is not None or indent != indent_of_top or not top_is_list:
                top = _opened(stack, pending, indent, True, number - 1)
                pending = None
                indent_of_top, top_is_list = stack[-1][0], type(top) is LocatedList
                if not top_is_list:
                    raise _Leave
            if key is None:  # an item that is a value
                if plain is not None:
                    top.append(_resolved(plain))
                    top.items_at.append((number - 1, m.start(6) + 1))
                elif double is not None:
                    top.append(double)
                    top.items_at.append((number - 1, m.start(4)))
                elif single is not None:
                    top.append(single)
                    top.items_at.append((number - 1, m.start(5)))
                elif flow is not None:
                    data = _flow(line, m.start(7), number - 1)
                    top.append(data)
                    top.items_at.append(data.at)
                else:
                    raise _Leave  # `-` alone: its value below, or null
                continue
            col = m.start(3)  # an item that is a mapping, its first key on the dash's line
            data = _mapping(number - 1, col + 1)
            top.append(data)
            top.items_at.append(data.at)
            if len(stack) >= MAX_NESTING:
                raise _Leave
            stack.append((col, data))
            top, indent_of_top, top_is_list = data, col, False
        name = _resolved(key)
        if name in top:
            raise _Leave  # fastyaml says where the duplicate stands
        top.keys_at[name] = (number - 1, col + 1)
        if plain is not None:
            top[name] = _resolved(plain)
            top.values_at[name] = (number - 1, m.start(6) + 1)
        elif double is not None:
            top[name] = double
            top.values_at[name] = (number - 1, m.start(4))
        elif single is not None:
            top[name] = single
            top.values_at[name] = (number - 1, m.start(5))
        elif flow is not None:
            data = _flow(line, m.start(7), number - 1)
            top[name] = data
            top.values_at[name] = data.at
        else:
            top[name] = None  # its value is the block below
            pending = (top, name, col)
    if pending is not None:
        raise _Leave  # the last key's value is empty
    return root


def _opened(stack: list[tuple[int, Any]], pending: Any, indent: int, dash: bool, number: int) -> Any:
    """The container a line at `indent` belongs to: a new one, the value of the key above
    (`pending`), or one of those open (closing those it is not in)."""
    if pending is not None:
        mapping, name, above = pending
        data: LocatedDict | LocatedList
        if dash and indent >= above:  # a list, its dashes maybe at its key's indent
            data = _list(number, indent + 1)
        elif not dash and indent > above:
            data = _mapping(number, indent + 1)
        else:
            raise _Leave  # an empty value (null), or an error
        mapping[name] = data
        mapping.values_at[name] = data.at
        if len(stack) >= MAX_NESTING:
            raise _Leave
        stack.append((indent, data))
        return data
    # A list whose dashes stand at its key's indent ends at that key's next sibling.
    while stack and (stack[-1][0] > indent or (stack[-1][0] == indent and not dash and type(stack[-1][1]) is LocatedList)):
        stack.pop()
    if not stack or stack[-1][0] != indent:
        raise _Leave  # a continuation, or an error
    return stack[-1][1]
