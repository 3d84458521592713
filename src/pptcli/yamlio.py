"""YAML parsing that keeps where every key and value came from.

We parse with ruamel.yaml's round-trip loader: its nodes remember line and column, it
rejects duplicate keys, and the same loader serves the writers (comments survive).

Dates: YAML would turn `2026-02-30` into a bare ValueError with no position. Our
constructor keeps such a scalar as a string instead, so validation reports it with its
line and column like any other bad value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

MAX_BYTES = 4 * 1024 * 1024  # a case file is a few KB; anything larger is not a case file
MAX_DEPTH = 32


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


def parse(text: str) -> Any:
    """Parse one YAML document; raise ParseError with a 1-based position on any failure."""
    if "\t" in text:
        _reject_tab_indent(text)
    _reject_conflict_markers(text)
    try:
        data = make_yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = _plain(exc)
        start = exc.context_mark
        if start is not None and exc.problem_mark is not None and start.line != exc.problem_mark.line:
            message += f" (opened at line {start.line + 1}, column {start.column + 1})"
        raise ParseError(line, col, message) from None
    except YAMLError as exc:  # unmarked parser errors
        raise ParseError(1, 1, str(exc).strip().splitlines()[0]) from None
    except RecursionError:
        raise ParseError(1, 1, "the document is nested too deeply") from None
    _check_depth(data)
    return data


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
                raise ParseError(line, col, "YAML anchors and aliases are not allowed in ppt files")
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
    line, col = 1, 1
    node = data
    if isinstance(node, (CommentedMap, CommentedSeq)) and node.lc.line is not None:
        line, col = node.lc.line + 1, node.lc.col + 1
    for index, step in enumerate(path):
        last = index == len(path) - 1
        if isinstance(node, CommentedMap) and step in node:
            kl, kc = node.lc.key(step)
            vl, vc = node.lc.value(step)
            line, col = (kl + 1, kc + 1) if (key and last) else (vl + 1, vc + 1)
            node = node[step]
        elif isinstance(node, CommentedSeq) and isinstance(step, int) and 0 <= step < len(node):
            il, ic = node.lc.item(step)
            line, col = il + 1, ic + 1
            node = node[step]
        else:
            break
    return line, col


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
