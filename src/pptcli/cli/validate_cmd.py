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
        if _affects_every_case(root, under):
            under = [root]  # a staff member removed from staff.yaml may be named by any case
        # Evaluating too catches what only the rules can tell: a waiver that matches no obligation.
        evaluated = core.evaluate_repository(root, as_of_or_today(as_of), under)
        cases += len(evaluated.repo.cases)
        problems = list(evaluated.problems)
        if under != [root]:  # a file named in a commit may take an id another file has
            clashes = core.ids_used_elsewhere(root, evaluated.repo.cases)
            problems = sorted({*problems, *clashes})
            cases -= len({p.file for p in clashes})
        for problem in problems:
            shown = os.path.relpath(root / problem.file)
            say(f"{shown}:{problem.line}:{problem.column}: error: {problem.message}")
            total += 1
    plural = "s" if cases != 1 else ""
    if total:
        say(f"{total} problem{'s' if total != 1 else ''}; {cases} valid case file{plural}", err=True)
        raise typer.Exit(2)
    say(f"{cases} case file{plural} valid", err=True)


def _affects_every_case(root: Path, paths: list[Path]) -> bool:
    """Whether a path named is the repository itself, one of its settings files or a rule
    file: what every case is checked against, so every case is checked again."""
    from pptcli.load import SETTINGS_FILES, load_ppt_yaml

    top = root.resolve()
    rules = load_ppt_yaml(root)[0].rules
    folder = (top / rules).resolve() if rules else None
    for path in paths:
        real = path.resolve()
        if real == top or (real.parent == top and real.name in SETTINGS_FILES) or (folder and (real == folder or folder in real.parents)):
            return True
    return False
