"""Where each key, value and list item of a parsed file stands, kept after the parse tree goes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

Path = tuple[Any, ...]


@dataclass(frozen=True)
class Locator:
    """1-based positions by path: values (and list items) and, for mapping entries, keys."""

    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)

    @classmethod
    def of(cls, doc: Any) -> Locator:
        loc = cls()
        if isinstance(doc, (CommentedMap, CommentedSeq)) and doc.lc.line is not None:
            loc.values[()] = (doc.lc.line + 1, doc.lc.col + 1)
        else:
            loc.values[()] = (1, 1)
        stack: list[tuple[Path, Any]] = [((), doc)]
        while stack:
            path, node = stack.pop()
            if isinstance(node, CommentedMap):
                for k, v in node.items():
                    kl, kc = node.lc.key(k)
                    vl, vc = node.lc.value(k)
                    loc.keys[path + (k,)] = (kl + 1, kc + 1)
                    loc.values[path + (k,)] = (vl + 1, vc + 1)
                    stack.append((path + (k,), v))
            elif isinstance(node, CommentedSeq):
                for i, v in enumerate(node):
                    il, ic = node.lc.item(i)
                    loc.values[path + (i,)] = (il + 1, ic + 1)
                    stack.append((path + (i,), v))
        return loc

    def at(self, path: Sequence[Any], *, key: bool = False) -> tuple[int, int]:
        """Position of the value at path (its key with key=True), else of the nearest parent."""
        path = tuple(path)
        if key and path in self.keys:
            return self.keys[path]
        while path and path not in self.values:
            path = path[:-1]
        return self.values.get(path, (1, 1))

    def line(self, *path: Any) -> int:
        return self.at(path, key=True)[0]
