"""Shared fixtures for the end-to-end tests: the real CLI in a subprocess, a copy of the demo."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
CASES = PROJECT / "cases"
AS_OF = "2026-11-23"  # the demonstration repository's reference date; tests never read the clock


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PPT_")}
    env["NO_COLOR"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    env.pop("FORCE_COLOR", None)
    return env


def _touches_demo(args: tuple[str | os.PathLike[str], ...], cwd: Path) -> bool:
    """Whether a run reads the shipped cases/ folder (and so would write its cache there)."""
    demo = CASES.resolve()
    places = [cwd, *(cwd / str(a) for a in args if not str(a).startswith("-"))]
    return any(p.resolve() == demo or demo in p.resolve().parents for p in places)


def run_ppt(*args: str | os.PathLike[str], cwd: str | os.PathLike[str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`ppt ARGS...` as a user runs it: a new process, text output, no PPT_ME, no colour.

    Runs that read the shipped demonstration repository keep ppt's cache in a temporary
    folder (PPT_CACHE_DIR), so the tests never write into the source tree's cases/.
    """
    where = Path(cwd) if cwd is not None else PROJECT
    env = _clean_env()
    with tempfile.TemporaryDirectory(prefix="ppt-cache-") as cache:
        if _touches_demo(args, where):
            env["PPT_CACHE_DIR"] = cache
        return subprocess.run(
            [sys.executable, "-m", "pptcli", *map(str, args)],
            check=False,
            cwd=where,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )


@pytest.fixture
def ppt() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_ppt


@pytest.fixture
def demo_repo(tmp_path: Path) -> Path:
    """A private copy of the demonstration repository, free to modify."""
    target = tmp_path / "cases"
    shutil.copytree(CASES, target, ignore=shutil.ignore_patterns(".ppt-cache"))  # a cache the tours made in cases/ is theirs
    return target
