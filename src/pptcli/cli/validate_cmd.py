"""ppt validate: parse and validate case files; fit for a pre-commit hook."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from pptcli.cli import app
from pptcli.repo import open_repositories


@app.command()
def validate(
    paths: list[Path] = typer.Argument(None, help="Case files or folders (default: the current folder)."),
) -> None:
    """Parse and validate case files; print path:line:col: error: message for each problem."""
    total = 0
    cases = 0
    for repo in open_repositories(paths or [Path(".")]):
        cases += len(repo.cases)
        for problem in repo.problems:
            shown = os.path.relpath(repo.root / problem.file)
            typer.echo(f"{shown}:{problem.line}:{problem.column}: error: {problem.message}")
            total += 1
    if total:
        typer.echo(f"{total} problem{'s' if total != 1 else ''}; {cases} valid case file{'s' if cases != 1 else ''}", err=True)
        raise typer.Exit(2)
    typer.echo(f"{cases} case file{'s' if cases != 1 else ''} valid", err=True)
