"""Options shared by several commands, and the one place that reads the clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from pptcli import FIRST_YEAR, LAST_YEAR

if TYPE_CHECKING:
    from pptcli.core import Run

TIMEZONE = "America/New_York"  # DCYF's offices: "today" is New Hampshire's today


def today() -> dt.date:
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(TIMEZONE)).date()


def parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(f'"{value}" is not a date; write it as YYYY-MM-DD, for example 2026-11-23') from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:  # as in case files: counting from 9999-12-31 leaves the calendar
        raise typer.BadParameter(f"{day} is not a year ppt works with ({FIRST_YEAR} to {LAST_YEAR}); a typing mistake?")
    return day


def as_of_or_today(value: dt.date | None) -> dt.date:
    return value if value is not None else today()


AsOf = typer.Option(None, "--as-of", parser=parse_date, metavar="DATE", help="Evaluate as of this date (default: today in New Hampshire).")
RepoPath = typer.Argument(Path("."), help="The case repository, or a folder or file inside it.")

WorkerOpt = typer.Option(None, "--worker", metavar="ID", help="Only this worker's obligations (`me`: PPT_ME or git config ppt.me).")
SupervisorOpt = typer.Option(None, "--supervisor", metavar="ID", help="The supervisor's team and the supervisor's own obligations.")
OfficeOpt = typer.Option(None, "--office", metavar="ID", help="Only cases of this office.")
CaseOpt = typer.Option(None, "--case", metavar="ID", help="Only this case.")
RuleOpt = typer.Option(None, "--rule", metavar="ID", help="Only this rule (a pattern such as 'CPSW-I.*' works too).")
RedactOpt = typer.Option(False, "--redact", help="Children's names as initials, no dates of birth.")


def say(text: str = "", err: bool = False) -> None:
    """Print a line of a plain-text command: whatever it quotes of a case file (a child's
    name, a task, a file name) cannot move the cursor, retitle the terminal or reorder text."""
    from pptcli.render.textgrid import clean_lines

    typer.echo(clean_lines(text), err=err)


def use_color() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    import os
    import sys

    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def width() -> int | None:
    import shutil
    import sys

    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None

NoCacheOpt = typer.Option(False, "--no-cache", help="Read and evaluate every file afresh; neither use nor update the cache.")


def run_options(no_cache: bool) -> Run:
    """How a report runs: the cache unless refused, and a progress bar on a terminal."""
    import sys

    from pptcli.core import Run

    return Run(use_cache=not no_cache, tick=Progress.start if sys.stderr.isatty() else None)


class Progress:
    """A progress bar on stderr, shown only once a run has taken more than a second.
    PPT_TEST_PROGRESS_DELAY=<seconds> changes the second; only the tests set it."""

    DELAY = 1.0

    def __init__(self, total: int) -> None:
        import os
        import time

        self.total, self.done, self.started = total, 0, time.monotonic()
        self.bar: Any = None
        try:
            self.delay = float(os.environ.get("PPT_TEST_PROGRESS_DELAY", self.DELAY))
        except ValueError:
            self.delay = self.DELAY

    @classmethod
    def start(cls, total: int) -> Callable[[], None]:
        return cls(total).tick

    def tick(self) -> None:
        import time

        self.done += 1
        if self.bar is None and self.done < self.total and time.monotonic() - self.started > self.delay:
            from rich.console import Console
            from rich.progress import Progress as Bar

            self.bar = Bar(console=Console(stderr=True), transient=True)  # the report owns stdout
            self.bar.start()
            self.bar.add_task("reading case files", total=self.total, completed=self.done)
        if self.bar is not None:
            self.bar.update(0, completed=self.done)
            if self.done >= self.total:
                self.bar.stop()
