"""Printing a report and choosing the exit code (SPEC 8), shared by check and due."""

from __future__ import annotations

import sys

import typer

from pptcli.calendar import BusinessCalendar
from pptcli.cli.options import use_color, width
from pptcli.core import failing
from pptcli.model.finding import Report, Status
from pptcli.render import Format, RenderOptions, View, chunks

# Formats whose text has no place for problems: those go to stderr instead.
_NO_PROBLEMS = {Format.CSV, Format.ICS}


def emit(report: Report, fmt: Format, view: View, *, show_all: bool, redact: bool, fail_on: set[Status], calendar: BusinessCalendar) -> None:
    last = ""  # empty output still ends with a newline, as it always did
    options = RenderOptions(view, show_all, redact, use_color(), width(), calendar)
    for text in chunks(report, fmt, options):
        if text:
            sys.stdout.write(text)
            last = text[-1]
    if last != "\n":
        sys.stdout.write("\n")
    if fmt in _NO_PROBLEMS:
        for problem in report.problems:
            print(problem.render(), file=sys.stderr)
    if report.problems:
        raise typer.Exit(2)
    if failing(report, fail_on):
        raise typer.Exit(1)


def parse_statuses(value: str) -> set[Status]:
    statuses = set()
    for word in filter(None, (w.strip() for w in value.split(","))):
        try:
            statuses.add(Status(word))
        except ValueError:
            raise typer.BadParameter(f'"{word}" is not a status ({", ".join(s.value for s in Status)})') from None
    return statuses
