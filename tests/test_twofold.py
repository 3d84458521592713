"""A large check table's blocks made on two processes print what one process prints
(render/twofold.py): the real CLI on a repository of 462 cases, its threshold lowered."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers_check import demo_copies

from pptcli import core, scan
from pptcli.model.finding import Finding
from pptcli.render import twofold
from pptcli.render.base import redact_finding

AS_OF = "2026-11-23"
two_cores = pytest.mark.skipif(not hasattr(os, "fork") or scan._cores() < 2, reason="one process makes every block")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("twofold") / "cases"
    demo_copies(root, 22)
    return root


def check(repo: Path, *args: str, **env: str) -> tuple[int, str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PPT_")}
    environ.update(NO_COLOR="1", **env)
    debug = ["--debug"] if "--debug" in args else []  # says how the report was made
    args = tuple(a for a in args if a != "--debug")
    result = subprocess.run([sys.executable, "-m", "pptcli", *debug, "check", str(repo), "--as-of", AS_OF, *args], env=environ, capture_output=True, text=True, timeout=600, check=False)
    assert "Traceback" not in result.stderr
    return result.returncode, result.stdout, result.stderr


@pytest.mark.parametrize("args", [(), ("--redact",), ("--office", "concord")], ids=["whole", "redacted", "one-office"])
@pytest.mark.parametrize("spill", ["", "40"], ids=["held", "spilled"])
def test_two_processes_print_the_table_one_prints(repo: Path, args: tuple[str, ...], spill: str) -> None:
    one = check(repo, "--no-cache", *args, PPT_JOBS="1", PPT_SPILL_AFTER=spill or "1000000")
    two = check(repo, "--no-cache", *args, PPT_JOBS="2", PPT_SPLIT_FROM="1", PPT_SPILL_AFTER=spill or "1000000")
    assert two == one
    assert one[1].count("\n") > 150


def test_a_table_kept_from_two_processes_is_printed_again_as_made(repo: Path, tmp_path: Path) -> None:
    """The marks between blocks, which keep a table in parts (memo.py), come in order too:
    the kept table is printed again, and made again in part after a change."""
    mine = tmp_path / "cases"
    shutil.copytree(repo, mine)
    one = check(mine, "--no-cache", PPT_JOBS="1")
    cache = str(tmp_path / "cache")
    assert check(mine, PPT_CACHE_DIR=cache, PPT_SPLIT_FROM="1") == one  # made and kept
    kept = check(mine, "--debug", PPT_CACHE_DIR=cache, PPT_SPLIT_FROM="1")
    assert kept[:2] == one[:2] and "printed as kept" in kept[2]
    changed = mine / "concord" / "copy01" / "CON-2026-0042-01.yaml"
    changed.write_text(changed.read_text(encoding="utf-8").replace("notified_ppt: 2026-01-12", "notified_ppt: 2026-01-20", 1), encoding="utf-8")
    fresh = check(mine, "--no-cache", PPT_JOBS="1")
    assert fresh != one
    again = check(mine, "--debug", PPT_CACHE_DIR=cache, PPT_SPLIT_FROM="1")
    assert "made again for" in again[2]
    assert again[:2] == fresh[:2]


def _ordered(repo: Path) -> core.OrderedFindings:
    report, _ = core.check(repo, dt.date.fromisoformat(AS_OF), core.Filters(), keep_all=False, table=True, run=core.Run(use_cache=False, jobs=1))
    assert report.ordered is not None
    return report.ordered


def split_any_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two processes for a table of any size, whatever this run's environment says."""
    monkeypatch.setattr(twofold, "SPLIT_FROM", 1)
    monkeypatch.delenv("PPT_JOBS", raising=False)
    monkeypatch.delenv("PPT_SPLIT_FROM", raising=False)


def _block(worker: str, found: list[Finding]) -> tuple[str, int, list[str], int]:
    return worker, len(found), [f.subject for f in found], os.getpid()


@two_cores
@pytest.mark.parametrize("kind", ["held", "spilled", "redacted"])
def test_the_blocks_are_made_by_two_processes_in_order(repo: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    if kind == "spilled":  # both processes read runs of the same temporary file at once
        monkeypatch.setenv("PPT_SPILL_AFTER", "40")
    ordered = _ordered(repo)
    assert ordered.spilled == (kind == "spilled")
    if kind == "redacted":
        ordered = ordered.mapped(redact_finding)
    split_any_table(monkeypatch)
    made = list(twofold.blocks(ordered, _block))
    assert [m[:3] for m in made] == [_block(w, f)[:3] for w, f in ordered.groups()]
    makers = [m[3] for m in made]
    assert makers[0] == os.getpid() and len(set(makers)) == 2  # the second half by the other process
    assert makers == sorted(makers, key=lambda pid: pid != os.getpid())  # first half here, then the rest


def _failing_elsewhere(parent: int) -> object:
    def make(worker: str, found: list[Finding]) -> tuple[str, int, list[str], int]:
        if os.getpid() != parent:
            raise RuntimeError("the other process fails")
        return _block(worker, found)

    return make


@two_cores
def test_blocks_the_other_process_failed_to_make_are_made_here(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ordered = _ordered(repo)
    split_any_table(monkeypatch)
    made = list(twofold.blocks(ordered, _failing_elsewhere(os.getpid())))  # type: ignore[arg-type]
    assert made == [_block(w, f) for w, f in ordered.groups()]


@two_cores
def test_a_table_stopped_early_stops_the_other_process(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ordered = _ordered(repo)
    split_any_table(monkeypatch)
    made = twofold.blocks(ordered, _block)
    assert next(made)[3] == os.getpid()
    made.close()  # as when the output is closed: the other process is ended and reaped
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_one_process_makes_every_block_of_a_small_table_or_when_asked(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ordered = _ordered(repo)
    monkeypatch.delenv("PPT_SPLIT_FROM", raising=False)
    assert {m[3] for m in twofold.blocks(ordered, _block)} == {os.getpid()}  # under SPLIT_FROM findings
    monkeypatch.setattr(twofold, "SPLIT_FROM", 1)
    monkeypatch.setenv("PPT_JOBS", "1")
    assert {m[3] for m in twofold.blocks(ordered, _block)} == {os.getpid()}


def test_when_no_process_can_be_forked_this_one_makes_every_block(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fork fails when memory or the process limit is short: the table is made all the same."""
    ordered = _ordered(repo)
    split_any_table(monkeypatch)

    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    assert list(twofold.blocks(ordered, _block)) == [_block(w, f) for w, f in ordered.groups()]
