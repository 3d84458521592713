"""A writer finds its case through the id-line index without reading every file, and the
index never answers for a file that changed (issue 6: notify-placement must not grow with
the repository)."""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from pathlib import Path

import pytest
from conftest import run_ppt

from pptcli.cache import cache_path
from pptcli.write_find import RACY_NS, _identity, _indexed

CASE = "CON-2026-0042"
OTHER = Path("concord") / "CON-2026-0071.yaml"  # an id of the same length as CASE's
NOTIFY = ("notify-placement", CASE, "--date", "2026-11-25", "--as-of", "2026-11-30")


def _index(repo: Path) -> dict[str, tuple[object, ...]]:
    with sqlite3.connect(cache_path(repo)) as connection:
        rows = connection.execute("select path, size, mtime_ns, ctime_ns, inode, read_ns, ids from id_line").fetchall()
    return {Path(bytes(row[0]).decode("utf-8", "surrogatepass")).relative_to(repo.resolve()).as_posix(): row[1:] for row in rows}


def _settled(repo: Path) -> None:
    """Wait until every file's last change is older than the racy window, so the index
    trusts what it records next, as it would in a repository not changed a moment ago."""
    time.sleep(RACY_NS / 1e9 + 0.2)


def test_the_index_records_every_case_file_and_a_write_then_finds_its_case(demo_repo: Path) -> None:
    _settled(demo_repo)
    first = run_ppt(*NOTIFY, cwd=demo_repo)
    assert first.returncode == 0, first.stderr
    files = sorted(p.relative_to(demo_repo).as_posix() for p in demo_repo.rglob("*.yaml")
                   if p.parent != demo_repo and ".ppt-cache" not in p.parts)
    index = _index(demo_repo)
    assert sorted(index) == files
    assert index[OTHER.as_posix()][-1] == "CON-2026-0071"
    again = run_ppt("log", "followup", CASE, "--as-of", "2026-11-30", cwd=demo_repo)
    assert again.returncode in (0, 1), again.stderr
    assert "recorded in concord/CON-2026-0042.yaml" in again.stdout


def test_a_file_changed_in_place_with_its_old_modification_time_is_read_again(demo_repo: Path) -> None:
    """Same size, same mtime, same inode: only the change time differs, and that is enough."""
    _settled(demo_repo)
    assert run_ppt(*NOTIFY, cwd=demo_repo).returncode == 0
    other = demo_repo / OTHER
    before = other.stat()
    other.write_bytes(other.read_bytes().replace(b"id: CON-2026-0071", f"id: {CASE}".encode()))
    os.utime(other, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = other.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)

    refused = run_ppt(*NOTIFY, cwd=demo_repo)
    assert refused.returncode == 2
    assert f'case id "{CASE}" is used by 2 files (concord/CON-2026-0042.yaml, concord/CON-2026-0071.yaml)' in refused.stderr


def test_added_and_removed_files_are_seen(demo_repo: Path) -> None:
    _settled(demo_repo)
    assert run_ppt(*NOTIFY, cwd=demo_repo).returncode == 0
    copy = demo_repo / "keene" / "copy.yaml"
    copy.write_bytes((demo_repo / "concord" / f"{CASE}.yaml").read_bytes())
    refused = run_ppt(*NOTIFY, cwd=demo_repo)
    assert refused.returncode == 2
    assert "is used by 2 files" in refused.stderr

    copy.unlink()
    (demo_repo / OTHER).unlink()
    gone = run_ppt("notify-placement", "CON-2026-0071", "--date", "2026-11-25", "--as-of", "2026-11-30", cwd=demo_repo)
    assert gone.returncode == 2
    assert 'no case "CON-2026-0071"' in gone.stderr
    assert OTHER.as_posix() not in _index(demo_repo) and "keene/copy.yaml" not in _index(demo_repo)
    assert run_ppt(*NOTIFY, cwd=demo_repo).returncode == 0


def test_a_damaged_index_is_a_cache_miss_not_a_failure(demo_repo: Path) -> None:
    assert run_ppt(*NOTIFY, cwd=demo_repo).returncode == 0
    db = cache_path(demo_repo)
    for side in db.parent.glob(db.name + "-*"):
        side.unlink()
    db.write_bytes(b"not a database" * 100)
    written = run_ppt("log", "followup", CASE, "--as-of", "2026-11-30", cwd=demo_repo)
    assert written.returncode in (0, 1), written.stderr
    assert "recorded in concord/CON-2026-0042.yaml" in written.stdout


@pytest.mark.parametrize("damage", ["read_ns = 'soon'", "ids = x'00', read_ns = 9000000000000000000", "size = x'00'"])
def test_an_index_row_of_the_wrong_types_is_a_cache_miss(demo_repo: Path, damage: str) -> None:
    """SQLite keeps whatever type a hand edit (or another program) puts in a column: such a
    row once ended the write in an internal error (exit 3)."""
    assert run_ppt(*NOTIFY, cwd=demo_repo).returncode == 0
    with sqlite3.connect(cache_path(demo_repo)) as connection:
        connection.execute(f"update id_line set {damage}")
    connection.close()
    written = run_ppt("log", "followup", CASE, "--as-of", "2026-11-30", cwd=demo_repo)
    assert written.returncode in (0, 1), written.stderr
    assert "recorded in concord/CON-2026-0042.yaml" in written.stdout
    assert all(isinstance(v, int) for row in _index(demo_repo).values() for v in row[:5])  # written again


def test_an_entry_recorded_within_the_racy_window_is_not_trusted(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text("id: A-1\n", encoding="utf-8")
    identity = _identity(path)
    assert identity is not None
    changed = max(identity[1], identity[2])
    assert _indexed(identity, (*identity, changed + RACY_NS - 1, "A-1")) is None
    assert _indexed(identity, (*identity, changed + RACY_NS + 1, "A-1")) == ("A-1",)
    assert _indexed(identity, (identity[0] + 1, *identity[1:], changed + RACY_NS + 1, "A-1")) is None
    assert _indexed(identity, (*identity, changed + RACY_NS + 1, "")) == ()


@pytest.mark.skipif(sys.platform != "linux", reason="only Linux file systems take a file name that is not UTF-8")
def test_a_file_name_that_is_not_utf8_is_cached_and_indexed(demo_repo: Path) -> None:
    odd = Path(os.fsdecode(bytes(demo_repo / "keene") + b"/odd-\xff.yaml"))
    odd.write_bytes((demo_repo / OTHER).read_bytes().replace(b"id: CON-2026-0071", b"id: CON-2026-0999"))
    for _ in range(2):  # the first run fills the cache, the second reads it
        checked = run_ppt("check", "--as-of", "2026-11-23", cwd=demo_repo)
        assert checked.returncode in (0, 1), checked.stderr
        assert "CON-2026-0999" in checked.stdout
    assert run_ppt(*NOTIFY, cwd=demo_repo).returncode == 0
    assert "keene/odd-\udcff.yaml" in _index(demo_repo)


ID_SPELLINGS = {
    "a quoted key": '"id": CON-2026-0042',
    "a space before the colon": "id : CON-2026-0042",
    "a tag": "id: !!str CON-2026-0042",
    "the value on the next line": "id:\n  CON-2026-0042",
}


@pytest.mark.parametrize("name", list(ID_SPELLINGS))
def test_a_case_whose_id_is_spelled_otherwise_is_found(name: str, demo_repo: Path) -> None:
    """What `ppt validate` accepts, a writer finds: a file with no plain `id:` line is parsed."""
    path = demo_repo / "concord" / f"{CASE}.yaml"
    path.write_bytes(path.read_bytes().replace(f"id: {CASE}".encode(), ID_SPELLINGS[name].encode(), 1))
    assert run_ppt("validate", "concord", cwd=demo_repo).returncode == 0
    result = run_ppt(*NOTIFY, cwd=demo_repo)
    assert result.returncode in (0, 1), result.stderr
    assert f"recorded in concord/{CASE}.yaml" in result.stdout


def test_an_id_line_inside_another_files_text_does_not_make_two_candidates(demo_repo: Path) -> None:
    other = demo_repo / OTHER
    text = other.read_text(encoding="utf-8")
    assert "\nid: CON-2026-0071\n" in text
    other.write_text(text.replace("\nid: CON-2026-0071\n", f'\nid: CON-2026-0071\nnote: "a multi-line note\nid: {CASE}\n  ends here"\n'), encoding="utf-8")
    result = run_ppt(*NOTIFY, cwd=demo_repo)
    assert "is used by 2 files" not in result.stderr
    assert f"recorded in concord/{CASE}.yaml" in result.stdout, result.stderr


def test_a_case_file_that_cannot_be_read_is_named_rather_than_another_case_guessed(demo_repo: Path) -> None:
    path = demo_repo / "concord" / f"{CASE}.yaml"
    path.unlink()
    path.symlink_to("gone.yaml")  # cannot be read, even by root
    result = run_ppt(*NOTIFY, cwd=demo_repo)
    assert result.returncode == 2
    assert f'no readable case file has the id "{CASE}"; concord/{CASE}.yaml cannot be read (No such file or directory)' in result.stderr
    assert "did you mean" not in result.stderr
