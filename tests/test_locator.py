"""DocumentLocator, which reads positions from the parsed document when asked, answers as
the table Locator.of makes, and is pickled as that table."""

from __future__ import annotations

import pickle
import random
from typing import Any

import pytest
from conftest import PROJECT

from pptcli.locator import DocumentLocator, Locator
from pptcli.yamlio import parse

FILES = sorted((PROJECT / "cases").rglob("*.yaml"))  # staff.yaml and calendar.yaml among them


def probes(table: Locator, rng: random.Random) -> list[tuple[Any, ...]]:
    """Every path the table holds, each also one step too far, and paths that stray."""
    paths = list(table.values)
    for path in list(paths):
        paths += [(*path, 0), (*path, "nothing"), (*path, -1), (*path, 10**6), (*path, True), (*path, 0, "x", 1)]
    paths += [("nothing",), ("id", "deeper"), (0,), ()]
    rng.shuffle(paths)
    return paths


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_positions_read_from_the_document_are_the_table_s(path: Any) -> None:
    doc = parse(path.read_text(encoding="utf-8"))
    rng = random.Random(path.name)
    for depth in (1, 2, 5, 8, None):
        table, lazy = Locator.of(doc, depth=depth), DocumentLocator(doc=doc, depth=depth)
        for probe in probes(table, rng):
            assert lazy.at(probe) == table.at(probe), probe
            assert lazy.at(probe, key=True) == table.at(probe, key=True), probe
            if probe:
                assert lazy.line(*probe) == table.line(*probe), probe


def test_it_is_pickled_as_the_table_without_the_document() -> None:
    doc = parse(FILES[0].read_text(encoding="utf-8"))
    again = pickle.loads(pickle.dumps(DocumentLocator(doc=doc), protocol=pickle.HIGHEST_PROTOCOL))
    assert type(again) is Locator
    assert again == Locator.of(doc, depth=5)
