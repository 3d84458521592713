"""The progress bar of long reports (issue 6): on a terminal only, never in piped output.

The bar waits a second before it shows; PPT_TEST_PROGRESS_DELAY makes it show at once, so
these tests do not depend on how fast the machine is. stderr is a real pseudo-terminal.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "cases"
AS_OF = "2026-11-23"

pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")


def run(args: list[str], *, terminal: bool, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PPT_")}
    env.update({"PPT_TEST_PROGRESS_DELAY": "-1", "PPT_CACHE_DIR": str(tmp_path / "cache"), "TERM": "xterm"})
    env.pop("NO_COLOR", None)
    if not terminal:
        result = subprocess.run([sys.executable, "-m", "pptcli", *args], env=env, capture_output=True, text=True, timeout=120, check=False)
        return result, result.stderr
    main, side = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:  # read while it runs, so a full terminal buffer never blocks ppt
        while True:
            try:
                data = os.read(main, 4096)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        result = subprocess.run([sys.executable, "-m", "pptcli", *args], env=env, stdout=subprocess.PIPE, stderr=side, text=True, timeout=120, check=False)
    finally:
        os.close(side)
        reader.join(timeout=10)
        os.close(main)
    return result, b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("command", [["check"], ["due", "--business-days", "10"]])
def test_a_terminal_shows_the_bar_and_the_report_is_unchanged(command: list[str], tmp_path: Path) -> None:
    args = [*command, str(DEMO), "--as-of", AS_OF, "--no-cache"]
    shown, terminal = run(args, terminal=True, tmp_path=tmp_path)
    piped, _ = run(args, terminal=False, tmp_path=tmp_path)
    assert "reading case files" in terminal
    assert "Traceback" not in terminal
    assert (shown.returncode, shown.stdout) == (piped.returncode, piped.stdout)  # the report goes to stdout untouched


@pytest.mark.parametrize("command", [["check"], ["due", "--business-days", "10"], ["check", "--format", "json"]])
def test_piped_output_has_no_bar(command: list[str], tmp_path: Path) -> None:
    result, stderr = run([*command, str(DEMO), "--as-of", AS_OF, "--no-cache"], terminal=False, tmp_path=tmp_path)
    assert "reading case files" not in stderr + result.stdout
    assert "\x1b[" not in stderr + result.stdout
