"""Where each key, value and list item of a parsed file stands, kept after the parse tree goes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pptcli.fastyaml import LocatedDict, LocatedList

Path = tuple[Any, ...]


@dataclass(frozen=True)
class Locator:
    """1-based positions by path: values (and list items) and, for mapping entries, keys."""

    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)

    @classmethod
    def of(cls, doc: Any, depth: int | None = None) -> Locator:
        """Positions of every node of a parsed document (only `depth` levels deep if given:
        records are at most four levels down, which is all a finding needs)."""
        from pptcli.yamlio import _item_at, _key_at, _self_at, _value_at

        loc = cls()
        keys, values = loc.keys, loc.values
        values[()] = _self_at(doc)
        stack: list[tuple[Path, Any]] = [((), doc)]
        while stack:
            path, node = stack.pop()
            if depth is not None and len(path) >= depth:
                continue
            # Only containers go on the stack: most nodes are scalars, with nothing below them.
            if isinstance(node, LocatedDict):  # the fast loader's positions, read directly
                keys_at, values_at = node.keys_at, node.values_at
                for k, v in node.items():
                    here = path + (k,)
                    keys[here] = keys_at[k]
                    values[here] = values_at[k]
                    if isinstance(v, (dict, list)):
                        stack.append((here, v))
            elif isinstance(node, LocatedList):
                items_at = node.items_at
                for i, v in enumerate(node):
                    here = path + (i,)
                    values[here] = items_at[i]
                    if isinstance(v, (dict, list)):
                        stack.append((here, v))
            elif isinstance(node, dict):
                for k, v in node.items():
                    keys[path + (k,)] = _key_at(node, k)
                    values[path + (k,)] = _value_at(node, k)
                    stack.append((path + (k,), v))
            elif isinstance(node, list):
                for i, v in enumerate(node):
                    values[path + (i,)] = _item_at(node, i)
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


@dataclass(frozen=True)
class DocumentLocator(Locator):
    """A Locator that reads positions from the parsed document when asked, instead of
    making the table of every node first: a report evaluates each case once and asks for
    the positions of a few dozen of its nodes (Locator.of was a tenth of a cold check's
    time in its workers), and a settings file's are asked only for its problems. Answers
    as `Locator.of(doc, depth)` would (tests/test_locator.py). Pickled, it is that table,
    without the document (the cache keeps a case's positions asked instead: Recalled)."""

    doc: Any = None  # a LocatedDict (fastyaml, blockyaml)
    depth: int | None = 5  # None: every level, as Locator.of without a depth

    def at(self, path: Sequence[Any], *, key: bool = False) -> tuple[int, int]:
        node = self.doc
        found: tuple[int, int] = node.at
        last = len(path) - 1
        for i, step in enumerate(path):
            if self.depth is not None and i >= self.depth:  # the table holds paths up to `depth` long
                break
            if isinstance(node, LocatedDict):
                if step not in node:
                    break
                if key and i == last:
                    return node.keys_at[step]  # type: ignore[no-any-return]
                found, node = node.values_at[step], node[step]
            elif isinstance(node, LocatedList):
                if not (isinstance(step, int) and 0 <= step < len(node)):
                    break
                found, node = node.items_at[step], node[step]
            else:
                break
        return found

    def __reduce__(self) -> tuple[Any, ...]:
        table = Locator.of(self.doc, self.depth)
        return Locator, (table.values, table.keys)


@dataclass(frozen=True)
class Recalled(Locator):
    """Positions as `source` gives them, each kept once given: what a case's cache entry
    holds besides the case (scan._model). Making and pickling the table of every node
    (Locator.of) cost 0.14 ms a case, more than pickling the case, and loading it back 0.1
    ms, for the twenty-odd positions of some 250 that evaluation asks for. Another day or
    another rule may ask for one not kept: `source` then reads the file again (from the
    bytes its cache entry was found by), once, and answers as it did.

    `source` makes the locator asked in its place: a DocumentLocator of the parsed file."""

    asked: dict[tuple[Path, bool], tuple[int, int]] = field(default_factory=dict)
    source: Callable[[], Locator] = Locator
    _made: list[Locator] = field(default_factory=list, compare=False, repr=False)

    def at(self, path: Sequence[Any], *, key: bool = False) -> tuple[int, int]:
        ask = (tuple(path), key)
        found = self.asked.get(ask)
        if found is None:
            found = self.asked[ask] = self.read().at(ask[0], key=key)
        return found

    def read(self) -> Locator:
        """The source's locator (made on the first call)."""
        if not self._made:
            self._made.append(self.source())
        return self._made[0]

    @property
    def parsed(self) -> bool:
        """Whether the file was read for a position (its answers are new to the cache)."""
        return bool(self._made)
