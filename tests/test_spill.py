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


@settings(max_examples=300, deadline=None)
@given(pairs=items, limit=st.integers(1, 40), low=st.none() | keys, high=st.none() | keys)
def test_a_range_of_keys_reads_the_items_of_those_keys(pairs: list[tuple[object, None]], limit: int, low: object, high: object) -> None:
    """What the two processes of a large check table read (render/twofold.py)."""
    given_items = numbered(pairs)
    store = ExternalSort(limit, keyed=True)
    for item in given_items:
        store.add(item)
    every = sorted(given_items, key=lambda item: item[:2])
    assert list(store.between(low, high)) == [i for i in every if (low is None or i[0] >= low) and (high is None or i[0] < high)]  # type: ignore[operator]
    assert list(store.between()) == every == list(store)
    middle = store.middle()
    assert (middle is None) == (not given_items)
    if given_items:  # a key of an item with about half the items before it
        assert middle in {item[0] for item in given_items}
        below = sum(1 for item in given_items if item[0] < middle)  # type: ignore[operator]
        slack = store.batch  # the items of a batch stand behind its first key
        assert below <= (len(given_items) + 1) // 2 + slack and len(given_items) - below >= len(given_items) // 2 - slack
    store.close()


def test_runs_are_written_only_past_the_limit() -> None:
    store = ExternalSort(10)
    for n in range(9, -1, -1):
        store.add((n,))
    assert [len(run) for run in store._runs] == [1] and store._held == []  # the one run written, one batch
    store.add((-1,))
    assert [item[0] for item in store] == list(range(-1, 10))


def test_the_limit_comes_from_the_environment(monkeypatch: object) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("PPT_SPILL_AFTER", "3")
    assert ExternalSort().limit == 3
    monkeypatch.setenv("PPT_SPILL_AFTER", "none")
    assert ExternalSort().limit == 65_536


# --- The print order of a table, as one string (ordered.due_key) ---------------------------

texts = st.text(alphabet=st.sampled_from(["\0", "\1", "0", "1", "a", "b", "é", "-"]), max_size=4)


def a_row(status: str, due: dt.date | None, case: str, rule: str, subject: str) -> tuple[object, ...]:
    from pptcli.rows import ROW, day_of

    values = {"status": status, "due": day_of(due), "case": case, "rule": rule, "subject": subject}
    return tuple(values.get(name) for name in ROW)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(texts, st.sampled_from(["overdue", "late", "open"]), st.none() | st.dates(), texts, texts, texts), min_size=2, max_size=30))
def test_the_string_key_sorts_rows_as_the_tuple_of_their_fields_does(rows: list[tuple[str, str, dt.date | None, str, str, str]]) -> None:
    from pptcli.ordered import _field, due_key

    def as_tuple(r: tuple[str, str, dt.date | None, str, str, str]) -> tuple[object, ...]:
        worker, status, due, case, rule, subject = r
        return (worker, status != "overdue", due is None, due or dt.date.max, case, rule, subject)

    def as_string(r: tuple[str, str, dt.date | None, str, str, str]) -> str:
        worker, *fields = r
        return _field(worker) + due_key(a_row(*fields))  # type: ignore[arg-type]

    for a in rows:
        for b in rows:
            assert (as_tuple(a) < as_tuple(b)) == (as_string(a) < as_string(b)), (a, b)


def test_a_temporary_folder_that_cannot_be_written_is_a_plain_error(tmp_path: object, monkeypatch: object) -> None:
    """No writable temporary folder (here: the temporary folder is a file) stops the report
    with a message that says what to do, not a traceback."""
    from pathlib import Path

    import pytest

    from pptcli.problems import UserError

    assert isinstance(tmp_path, Path) and isinstance(monkeypatch, pytest.MonkeyPatch)
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("", encoding="utf-8")
    monkeypatch.setenv("TMPDIR", str(not_a_folder))  # as macOS sets it for every user
    store = ExternalSort(2)
    store.add((1,))
    with pytest.raises(UserError, match=r"cannot write the report's findings to a temporary file in .*file: .*TMPDIR"):
        store.add((0,))


def test_a_tmpdir_that_cannot_be_used_stops_the_report_rather_than_spill_elsewhere(tmp_path: object) -> None:
    """TMPDIR names where findings may wait on disk; Python alone would quietly pass over a
    folder that is missing or is a file and use another. The real CLI, findings spilled."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from conftest import AS_OF, CASES, _clean_env

    assert isinstance(tmp_path, Path)
    a_file = tmp_path / "file"
    a_file.write_text("", encoding="utf-8")
    for folder in (tmp_path / "missing", a_file):
        env = {**_clean_env(), "PPT_SPILL_AFTER": "3", "TMPDIR": str(folder), "PPT_CACHE_DIR": str(tmp_path / "cache")}
        run = subprocess.run([sys.executable, "-m", "pptcli", "check", str(CASES), "--as-of", AS_OF, "--no-cache"],
                             env=env, capture_output=True, text=True, timeout=120, check=False)
        assert run.returncode == 2, run.stdout[-500:] + run.stderr
        assert run.stderr.startswith(f"ppt: error: cannot write the report's findings to a temporary file in {folder}: "), run.stderr
        assert "Traceback" not in run.stderr and run.stdout == ""
    env = {**_clean_env(), "PPT_SPILL_AFTER": "3", "TMPDIR": str(tmp_path), "PPT_CACHE_DIR": str(tmp_path / "cache")}
    good = subprocess.run([sys.executable, "-m", "pptcli", "check", str(CASES), "--as-of", AS_OF, "--no-cache"],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert good.returncode == 1 and os.listdir(tmp_path) == ["file"]  # a usable TMPDIR: a report, nothing left behind


def test_reading_never_moves_the_position_two_processes_share() -> None:
    """A forked process reads runs of the same file at once (render/twofold.py): a read that
    seeks, then reads, can be moved in between by the other; reads by offset cannot."""
    import os

    import pytest

    if not hasattr(os, "pread"):
        pytest.skip("one process reads, through the file's position (Windows)")
    store = ExternalSort(16, keyed=True)
    for n in range(200):
        store.add((f"k{n % 37:03d}", n))
    assert store.spilled and store._file is not None
    every = sorted((f"k{n % 37:03d}", n) for n in range(200))
    store._file.seek(7)  # where the other process left it
    assert list(store.between("k010", "k020")) == [item for item in every if "k010" <= item[0] < "k020"]
    assert store._file.tell() == 7
    assert list(store) == every
    assert store._file.tell() == 7
    store.close()
