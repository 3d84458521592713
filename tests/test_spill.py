"""The external merge sort that keeps a statewide table's findings in order (spill.py)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from pptcli.spill import ExternalSort

# Items shaped like the table's: a key that may tie, a unique sequence number, a payload.
keys = st.tuples(st.sampled_from(["a.worker", "b.worker", "(unassigned)"]), st.booleans(), st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31)), st.text(max_size=3))
items = st.lists(st.tuples(keys, st.none()), max_size=300)


def numbered(pairs: list[tuple[object, None]]) -> list[tuple[object, int, dict[str, int]]]:
    return [(key, n, {"payload": n}) for n, (key, _) in enumerate(pairs)]


@settings(max_examples=200, deadline=None)
@given(pairs=items, limit=st.integers(1, 40))
def test_items_come_out_sorted_whatever_is_held_in_memory(pairs: list[tuple[object, None]], limit: int) -> None:
    given_items = numbered(pairs)
    store = ExternalSort(limit)
    for item in given_items:
        store.add(item)
    assert len(store) == len(given_items)
    assert list(store) == sorted(given_items, key=lambda item: item[:2])
    assert list(store) == list(store)  # read again: the same
    store.close()


def test_runs_are_written_only_past_the_limit() -> None:
    store = ExternalSort(10)
    for n in range(9, -1, -1):
        store.add((n,))
    assert store._runs == [(0, 1)] and store._held == []  # noqa: SLF001 - the one run written
    store.add((-1,))
    assert [item[0] for item in store] == list(range(-1, 10))


def test_the_limit_comes_from_the_environment(monkeypatch: object) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("PPT_SPILL_AFTER", "3")
    assert ExternalSort().limit == 3
    monkeypatch.setenv("PPT_SPILL_AFTER", "none")
    assert ExternalSort().limit == 65_536
