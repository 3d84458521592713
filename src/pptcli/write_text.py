"""Edits of a case file's text that change only the lines they add or change.

ruamel.yaml's round-trip dump is not byte-faithful (it rewrites `null` as an empty value,
collapses `key:   value` and `{ a: 1 }` spacing), so dumping the whole document would touch
lines nobody changed. Instead ruamel composes the file into nodes that know where they
stand, each edit splices new text at those positions, and `verify` parses the result back
(with the same loader) and compares it with the intended data. An edit is a small value:

- `Set(path, value)`: give a mapping key a value (a new key, or a scalar replaced);
- `Insert(path, index, value)`: put an item into a list (created under its key when missing).

New keys go after the nearest key that precedes them in the model's order; new list items
match the style of their neighbours (flow or block, blank lines between items or not).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pptcli.write_emit import Layout, blocky, entry, flow, item_lines, scalar
from pptcli.yamlio import make_yaml, parse, roundtrip_error, to_plain

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Set:
    path: Path
    value: Any
    order: tuple[str, ...] = ()  # key order of the mapping that holds path[-1]


@dataclass(frozen=True)
class Insert:
    path: Path
    index: int
    value: Any
    order: tuple[str, ...] = ()  # key order of the mapping that holds the list, if it must be created
    flow_items: bool = False  # a list created here writes each item on one line: `- {a: 1}`


Op = Set | Insert


class EditError(Exception):
    """The text edit did not produce the intended data: a bug, never a user's mistake."""


def apply_data(data: Any, op: Op) -> None:
    """The same edit on plain data: what the text must parse back to."""
    holder = _walk(data, op.path[:-1])
    key = op.path[-1]
    if isinstance(op, Set):
        holder[key] = op.value
    elif isinstance(holder, dict) and holder.get(key) is None:
        holder[key] = [op.value]
    else:
        holder[key].insert(op.index, op.value)


def _walk(data: Any, path: Path) -> Any:
    for step in path:
        data = data[step]
    return data


def edit(text: str, ops: Sequence[Op]) -> str:
    for op in ops:
        text = _Doc(text).apply(op)
    return text


def verify(new_text: str, expected: Any) -> None:
    if to_plain(parse(new_text)) != expected:
        raise EditError("the edited text does not read back as the intended record")


class _Doc:
    """One version of the text, composed: nodes with marks, line starts, the newline in use."""

    def __init__(self, text: str) -> None:
        self.text = text
        try:
            self.root = make_yaml().compose(text)
        except (YAMLError, RecursionError) as exc:  # the reader (libyaml) took it: a tab after a colon, say
            raise roundtrip_error(exc) from None
        self.starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        self.nl = "\r\n" if "\r\n" in text else "\n"
        self.layout = _layout(self.root)

    # --- positions ------------------------------------------------------------------------

    def line_of(self, index: int) -> int:
        return bisect.bisect_right(self.starts, index) - 1

    def line_text(self, line: int) -> str:
        end = self.starts[line + 1] if line + 1 < len(self.starts) else len(self.text)
        return self.text[self.starts[line]:end].rstrip("\r\n")

    def last_line(self, node: Node) -> int:
        """The last line holding the node's own text (not the comments or blanks after it)."""
        if isinstance(node, ScalarNode) or node.flow_style:
            line = self.line_of(max(node.start_mark.index, node.end_mark.index - 1))
            while line > node.start_mark.line and not self.line_text(line).strip():
                line -= 1  # a block scalar's kept trailing blank lines
            return line
        lines = [node.start_mark.line]
        for child in _children(node):
            if child.end_mark.index > child.start_mark.index:  # an empty value stands at the next line
                lines.append(self.last_line(child))
        return max(lines)

    def node_at(self, path: Path) -> Node | None:
        node: Node | None = self.root
        for step in path:
            if isinstance(node, MappingNode):
                node = next((v for k, v in node.value if k.value == step), None)
            elif isinstance(node, SequenceNode) and isinstance(step, int) and step < len(node.value):
                node = node.value[step]
            else:
                return None
        return node

    # --- edits ----------------------------------------------------------------------------

    def apply(self, op: Op) -> str:
        if isinstance(op, Set):
            return self._put(op.path, op.value, op.order, False)
        target = self.node_at(op.path)
        if isinstance(target, SequenceNode):
            return self._insert(target, op)
        if target is not None and not (isinstance(target, ScalarNode) and target.value in ("", "null", "~")):
            raise EditError(f"{op.path[-1]} holds neither a list nor null")
        return self._put(op.path, [op.value], op.order, op.flow_items)

    def _put(self, path: Path, value: Any, order: Sequence[str], flow_items: bool) -> str:
        parent = self.node_at(path[:-1])
        if not isinstance(parent, MappingNode):
            raise EditError(f"no mapping at {path[:-1]}")
        pair = next(((k, v) for k, v in parent.value if k.value == path[-1]), None)
        if pair is None:
            return self._add_key(parent, path[-1], value, order, flow_items)
        return self._replace(parent, *pair, value, flow_items)

    def _splice(self, index: int, remove: int, new: str) -> str:
        return self.text[:index] + new + self.text[index + remove:]

    def _after_line(self, line: int, lines: list[str]) -> str:
        """Insert whole lines after `line` (which gains a newline if it is the file's last)."""
        if line + 1 < len(self.starts):
            return self._splice(self.starts[line + 1], 0, "".join(s + self.nl for s in lines))
        lead = "" if self.text.endswith("\n") else self.nl
        return self.text + lead + "".join(s + self.nl for s in lines)

    def _before_line(self, line: int, lines: list[str]) -> str:
        return self._splice(self.starts[line], 0, "".join(s + self.nl for s in lines))

    def _spaced(self, items: list[tuple[Node, Node]]) -> bool:
        """Whether consecutive entries (key, value) are separated by a blank line."""
        for (_, before), (after, _) in itertools.pairwise(items):
            first, last = self.last_line(before), after.start_mark.line
            if any(not self.line_text(n).strip() for n in range(first + 1, last)):
                return True
        return False

    def _add_key(self, mapping: MappingNode, key: Any, value: Any, order: Sequence[str], flow_items: bool = False) -> str:
        pairs = list(mapping.value)
        known = list(order)
        rank = known.index(key) if key in known else len(known)
        before = [i for i, (k, _) in enumerate(pairs) if k.value in known and known.index(k.value) < rank]
        at = before[-1] if before else (len(pairs) - 1 if key not in known else -1)
        if mapping.flow_style:
            pad = self._padded(mapping)
            if not pairs:
                return self._splice(mapping.start_mark.index + 1, 0, f"{scalar(key)}: {flow(value, pad)}")
            if at >= 0:
                return self._splice(pairs[at][1].end_mark.index, 0, f", {scalar(key)}: {flow(value, pad)}")
            return self._splice(pairs[0][0].start_mark.index, 0, f"{scalar(key)}: {flow(value, pad)}, ")
        indent = pairs[0][0].start_mark.column
        lines = entry(key, value, indent, self.layout, flow_items)
        gap = [""] if len(lines) > 1 and self._spaced(pairs) else []
        if at >= 0:
            return self._after_line(self.last_line(pairs[at][1]) if self._has_text(pairs[at][1]) else pairs[at][0].start_mark.line, gap + lines)
        return self._before_line(pairs[0][0].start_mark.line, lines + gap)

    def _padded(self, node: Node) -> bool:
        """Whether a flow collection is written `{ a: 1 }` rather than `{a: 1}`."""
        return bool(getattr(node, "flow_style", False)) and self.text[node.start_mark.index + 1:node.start_mark.index + 2] == " "

    def _has_text(self, node: Node) -> bool:
        return node.end_mark.index > node.start_mark.index

    def _replace(self, mapping: MappingNode, key: Node, old: Node, value: Any, flow_items: bool = False) -> str:
        if not isinstance(old, ScalarNode):
            raise EditError(f"{key.value} already holds a list or mapping")
        colon = self.text.index(":", key.end_mark.index) + 1
        if mapping.flow_style or not (blocky(value) or flow_items):
            text = scalar(value) if not isinstance(value, (list, dict)) else flow(value, self._padded(mapping))
            if not self._has_text(old):
                return self._splice(colon, 0, " " + text)
            return self._splice(old.start_mark.index, old.end_mark.index - old.start_mark.index, text)
        # `key: null` becoming a record or a list of records: the value moves below the key.
        lines = entry(key.value, value, key.start_mark.column, self.layout, flow_items)[1:]
        line = key.start_mark.line
        end = old.end_mark.index if self._has_text(old) else colon
        text = self._splice(colon, end - colon, "")
        return _Doc(text)._after_line(line, lines)

    def _insert(self, seq: SequenceNode, op: Insert) -> str:
        items = seq.value
        neighbour = items[op.index - 1] if op.index > 0 else (items[0] if items else seq)
        pad = self._padded(seq if seq.flow_style else neighbour)
        if seq.flow_style:
            if not items:
                return self._splice(seq.start_mark.index + 1, 0, flow(op.value, pad))
            if op.index > 0:
                return self._splice(items[op.index - 1].end_mark.index, 0, ", " + flow(op.value, pad))
            return self._splice(items[0].start_mark.index, 0, flow(op.value, pad) + ", ")
        dash = seq.start_mark.column
        as_flow = isinstance(neighbour, MappingNode) and bool(neighbour.flow_style)
        lines = item_lines(op.value, dash, neighbour.start_mark.column, replace(self.layout, pad=pad), as_flow)
        gap = [""] if self._spaced([(item, item) for item in items]) else []
        if op.index > 0:
            return self._after_line(self.last_line(items[op.index - 1]), gap + lines)
        return self._before_line(items[0].start_mark.line, lines + gap)


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _layout(root: Node | None) -> Layout:
    """The file's own indentation, from its first block list and first nested block mapping."""
    dash = content = nested = None
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, MappingNode):
            for key, value in node.value:
                col = key.start_mark.column
                if isinstance(value, SequenceNode) and not value.flow_style and value.value and dash is None:
                    dash, content = value.start_mark.column - col, value.value[0].start_mark.column - col
                if isinstance(value, MappingNode) and not value.flow_style and value.value and nested is None:
                    nested = value.value[0][0].start_mark.column - col
        stack.extend(reversed(_children(node)))
    base = Layout()
    return Layout(dash if dash is not None else base.dash, content if content is not None else base.content,
                  nested if nested is not None and nested > 0 else base.nested)
