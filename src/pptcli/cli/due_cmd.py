"""ppt due: what is coming up in the next N business days, and what is overdue."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from pptcli.cli import app
from pptcli.cli.options import (
    AsOf,
    CaseOpt,
    NoCacheOpt,
    OfficeOpt,
    RedactOpt,
    RepoPath,
    RuleOpt,
    SupervisorOpt,
    WorkerOpt,
    as_of_or_today,
)

if TYPE_CHECKING:
    from pptcli.calendar import BusinessCalendar
    from pptcli.model.finding import Report


class DueFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    ICS = "ics"


@app.command()
def due(
    path: Path = RepoPath,
    business_days: int = typer.Option(10, "--business-days", "-n", min=0, max=260, metavar="N", help="Look ahead this many business days."),
    worker: str = WorkerOpt,
    supervisor: str = SupervisorOpt,
    office: str = OfficeOpt,
    case: str = CaseOpt,
    rule: str = RuleOpt,
    fail_on: str = typer.Option("", "--fail-on", metavar="STATUS[,STATUS]", help="Exit 1 when a listed obligation has one of these statuses (default: never)."),
    fmt: DueFormat = typer.Option(DueFormat.TABLE, "--format", help="Output format."),
    redact: bool = RedactOpt,
    no_cache: bool = NoCacheOpt,
    as_of: dt.date = AsOf,
) -> None:
    """Open obligations due within N business days, and every overdue one, soonest first."""
    from pptcli import core
    from pptcli.cli.report_out import parse_statuses, report
    from pptcli.render import Format

    day = as_of_or_today(as_of)
    filters = core.Filters(worker, supervisor, office, case, rule)
    table = fmt is DueFormat.TABLE  # printed as it is made, its findings held in order outside memory
    statuses = parse_statuses(fail_on)

    def make(prepared: core.Prepared, run: core.Run) -> tuple[Report, BusinessCalendar]:
        return core.due(path, day, business_days, filters, table=table, run=run, prepared=prepared)

    report("due", path, day, filters, make, fmt=Format(fmt.value), options=(business_days,), show_all=False, redact=redact, fail_on=statuses, no_cache=no_cache)
