"""Making, printing and keeping a report, and choosing the exit code (SPEC 8), shared by
check and due."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from pptcli import core, memo
from pptcli.cache import reports_folder
from pptcli.calendar import BusinessCalendar
from pptcli.cli.options import run_options, use_color, width
from pptcli.core import failing
from pptcli.model.finding import Report, Status
from pptcli.render import Format, RenderOptions, View, chunks

# Formats whose text has no place for problems: those go to stderr instead.
_NO_PROBLEMS = {Format.CSV, Format.ICS}

Make = Callable[[core.Prepared, core.Run], tuple[Report, BusinessCalendar]]


def report(view: View, path: Path, day: dt.date, filters: core.Filters, make: Make, *, fmt: Format, options: tuple[Any, ...], show_all: bool, redact: bool, fail_on: set[Status], no_cache: bool) -> None:
    """Make the report with `make` and print it; with the cache, print instead the one kept
    from an earlier run made from the same files, settings and options (memo.py).
    `options` are the command's other options that change what it prints."""
    run = run_options(no_cache)
    prepared = core.prepare(path, day, filters)
    color, columns = use_color(), width()
    kept, inputs = None, ""
    if run.use_cache:
        setting = prepared.setting
        inputs = prepared.inputs()
        key = memo.key_of(
            view, fmt, options, show_all, redact, sorted(fail_on), color, columns, _cwd(), str(setting.root),
            setting.digest, prepared.filters, sorted(prepared.team or ()), prepared.problems, inputs,
        )
        kept = memo.Memo(reports_folder(setting.root), key)
        code = kept.replay(sys.stdout, sys.stderr)
        if code is not None:
            raise typer.Exit(code)
    made, calendar = make(prepared, run)
    recorder = kept.recorder() if kept is not None else None
    out, err = sys.stdout.write, sys.stderr.write
    if recorder is not None:
        out, err = _both(out, recorder.out), _both(err, recorder.err)
    try:
        code = emit(made, fmt, view, show_all=show_all, redact=redact, fail_on=fail_on, calendar=calendar, color=color, width=columns, out=out, err=err)
    except BaseException:
        if recorder is not None:
            recorder.drop()
        raise
    if recorder is not None:  # kept only when the scan read the very files of the key
        if prepared.seen.hexdigest() == inputs:
            recorder.keep(code)
        else:
            recorder.drop()
    raise typer.Exit(code)


def _cwd() -> str:
    try:
        return os.getcwd()
    except OSError:  # the folder the run started in was removed
        return ""


def _both(first: Callable[[str], Any], second: Callable[[str], Any]) -> Callable[[str], None]:
    def write(text: str) -> None:
        first(text)
        second(text)

    return write


def emit(report: Report, fmt: Format, view: View, *, show_all: bool, redact: bool, fail_on: set[Status], calendar: BusinessCalendar, color: bool, width: int | None, out: Callable[[str], Any], err: Callable[[str], Any]) -> int:
    """Print the report with `out` (problems with `err` where the format has no place for
    them); its exit code."""
    last = ""  # empty output still ends with a newline, as it always did
    options = RenderOptions(view, show_all, redact, color, width, calendar)
    for text in chunks(report, fmt, options):
        if text:
            out(text)
            last = text[-1]
    if last != "\n":
        out("\n")
    if fmt in _NO_PROBLEMS:
        for problem in report.problems:
            err(problem.render() + "\n")
    if report.problems:
        return 2
    if failing(report, fail_on):
        return 1
    return 0


def parse_statuses(value: str) -> set[Status]:
    statuses = set()
    for word in filter(None, (w.strip() for w in value.split(","))):
        try:
            statuses.add(Status(word))
        except ValueError:
            raise typer.BadParameter(f'"{word}" is not a status ({", ".join(s.value for s in Status)})') from None
    return statuses
