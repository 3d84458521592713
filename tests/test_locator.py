"""DocumentLocator, which reads positions from the parsed document when asked, answers as
the table Locator.of makes, and is pickled as that table."""

from __future__ import annotations

import pickle
import random
from typing import Any

import pytest
from conftest import PROJECT

from pptcli.locator import DocumentLocator, Locator, Recalled
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


@pytest.mark.parametrize("path", FILES[:6], ids=lambda p: p.name)
def test_recalled_positions_are_the_source_s_and_its_source_is_read_once(path: Any) -> None:
    doc = parse(path.read_text(encoding="utf-8"))
    table, made = Locator.of(doc, depth=5), []

    def source() -> Locator:
        made.append(1)
        return DocumentLocator(doc=doc)

    recalled = Recalled(source=source)
    assert not recalled.parsed
    paths = probes(table, random.Random(path.name))
    for probe in paths:
        assert recalled.at(probe) == table.at(probe), probe
        assert recalled.line(*probe) == table.line(*probe), probe
    assert made == [1] and recalled.parsed
    # What was asked is kept, and answers alone again, without its source.
    kept = pickle.loads(pickle.dumps(recalled.asked, protocol=pickle.HIGHEST_PROTOCOL))
    again = Recalled(asked=kept, source=lambda: pytest.fail("a position asked before was read again"))
    for probe in paths:
        assert again.at(probe) == table.at(probe) and again.line(*probe) == table.line(*probe), probe
    assert not again.parsed
    # One not asked before is read from its source (once), and kept too.
    later = Recalled(asked={k: v for k, v in kept.items() if k[0][:1] != ("id",)}, source=source)
    assert later.at(("id",)) == table.at(("id",)) and later.parsed and (("id",), False) in later.asked
    assert made == [1, 1]
