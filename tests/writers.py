"""Starting real `ppt` writer processes and killing them mid-write, for the safety tests."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def spawn(repo: Path, args: list[str], as_of: str, delay: float | None = None) -> subprocess.Popen[str]:
    """A writer process; with `delay`, PPT_TEST_WRITE_DELAY holds it between its temporary
    file and the rename, so a kill can land on either side."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PPT_")}
    if delay is not None:
        env["PPT_TEST_WRITE_DELAY"] = f"{delay:.3f}"
    return subprocess.Popen([sys.executable, "-m", "pptcli", *args, "--as-of", as_of], cwd=repo, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def temp_exists(path: Path) -> bool:
    return any(p.name.startswith(f".{path.name}.") and p.name.endswith(".ppt-tmp") for p in path.parent.iterdir())


def kill_while_writing(repo: Path, args: list[str], path: Path, as_of: str, rng: random.Random) -> None:
    """Start a writer of `path`; once its temporary file exists, SIGKILL it 0-150 ms later."""
    writer = spawn(repo, args, as_of, delay=rng.uniform(0.0, 0.1))
    deadline = time.monotonic() + 90
    while writer.poll() is None and not temp_exists(path):
        if time.monotonic() > deadline:
            writer.kill()
            pytest.fail(f"{args[:3]}: the writer never wrote its temporary file")
        time.sleep(0.002)
    time.sleep(rng.uniform(0.0, 0.15))
    if writer.poll() is None:
        os.kill(writer.pid, signal.SIGKILL)
    _, err = writer.communicate(timeout=90)
    assert writer.returncode in (0, -signal.SIGKILL), err
