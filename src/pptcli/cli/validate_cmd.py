"""ppt validate: parse and validate case files; fit for a pre-commit hook."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import typer

from pptcli.cli import app
from pptcli.cli.options import AsOf, as_of_or_today, say


@app.command()
def validate(
    paths: list[Path] = typer.Argument(None, help="Case files or folders (default: the current folder)."),
    as_of: dt.date = AsOf,
) -> None:
    """Parse and validate case files; print path:line:col: error: message for each problem."""
    from pptcli import core
    from pptcli.load import find_root

    by_root: dict[Path, list[Path]] = {}
    for path in paths or [Path(".")]:
        by_root.setdefault(find_root(path), []).append(path)
    total = cases = 0
    for root, under in by_root.items():
        # Evaluating too catches what only the rules can tell: a waiver that matches no obligation.
        evaluated = core.evaluate_repository(root, as_of_or_today(as_of), under)
        cases += len(evaluated.repo.cases)
        for problem in evaluated.problems:
            shown = os.path.relpath(root / problem.file)
            say(f"{shown}:{problem.line}:{problem.column}: error: {problem.message}")
            total += 1
    plural = "s" if cases != 1 else ""
    if total:
        say(f"{total} problem{'s' if total != 1 else ''}; {cases} valid case file{plural}", err=True)
        raise typer.Exit(2)
    say(f"{cases} case file{plural} valid", err=True)
