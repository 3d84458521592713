"""Output formats behind one interface (STYLE 7): render(report, fmt, ...) -> text.

Each format is one module exposing `render(report, options) -> str`, or for the table
`lines(report, options)`, to print as it goes; this module picks one with an exhaustive
match, so a new Format member that is not wired up fails type checking.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import assert_never

from pptcli.calendar import BusinessCalendar
from pptcli.model.finding import Report
from pptcli.render import csv_, ics, json_, junit, markdown, table
from pptcli.render.base import RenderOptions, View, initials, redact_report

__all__ = ["Format", "RenderOptions", "View", "chunks", "initials", "render"]


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"
    JUNIT = "junit"
    ICS = "ics"


def render(
    report: Report,
    fmt: Format,
    *,
    view: View,
    show_all: bool = False,
    redact: bool = False,
    color: bool = False,
    width: int | None = None,
    calendar: BusinessCalendar | None = None,
) -> str:
    """The report as text in `fmt`.

    view "check" filters by status per format (see base.shown); view "due" renders the
    findings given, soonest first. `calendar` only counts business days left in the table's
    due view (default: statewide holidays, no closures).
    """
    return "".join(chunks(report, fmt, RenderOptions(view, show_all, redact, color, width, calendar)))


def chunks(report: Report, fmt: Format, options: RenderOptions) -> Iterator[str]:
    """`render`'s text in pieces that join to it: the table comes a line at a time as it is
    made, so a statewide report is never held whole."""
    # Redacted once here, so no format can forget to (SPEC 7: --redact in every format).
    shown = redact_report(report) if options.redact else report
    match fmt:
        case Format.TABLE:
            yield from table.lines(shown, options)
        case Format.JSON:
            yield json_.render(shown, options)
        case Format.CSV:
            yield csv_.render(shown, options)
        case Format.MARKDOWN:
            yield markdown.render(shown, options)
        case Format.JUNIT:
            yield junit.render(shown, options)
        case Format.ICS:
            yield ics.render(shown, options)
        case _:
            assert_never(fmt)
