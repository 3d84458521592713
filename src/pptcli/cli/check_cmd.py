"""ppt check: every duty of the team, met, late, missed, overdue or coming up."""

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
    parse_date,
)

if TYPE_CHECKING:
    from pptcli.calendar import BusinessCalendar
    from pptcli.model.finding import Report


class CheckFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"
    JUNIT = "junit"


@app.command()
def check(
    path: Path = RepoPath,
    worker: str = WorkerOpt,
    supervisor: str = SupervisorOpt,
    office: str = OfficeOpt,
    case: str = CaseOpt,
    rule: str = RuleOpt,
    since: dt.date = typer.Option(None, "--since", parser=parse_date, metavar="DATE", help="Only obligations due on or after DATE."),
    show_all: bool = typer.Option(False, "--all", help="Show every finding: met, open, waived and n/a too."),
    fail_on: str = typer.Option("overdue", "--fail-on", metavar="STATUS[,STATUS]", help="Exit 1 when a finding has one of these statuses."),
    fmt: CheckFormat = typer.Option(CheckFormat.TABLE, "--format", help="Output format."),
    redact: bool = RedactOpt,
    no_cache: bool = NoCacheOpt,
    as_of: dt.date = AsOf,
) -> None:
    """Check every case against the PPT procedures; findings grouped by worker, with on-time rates."""
    from pptcli import core
    from pptcli.cli.report_out import parse_statuses, report
    from pptcli.render import Format

    day = as_of_or_today(as_of)
    statuses = parse_statuses(fail_on)
    filters = core.Filters(worker, supervisor, office, case, rule, since)
    brief = fmt in (CheckFormat.TABLE, CheckFormat.MARKDOWN) and not show_all  # the table prints only what is not compliant
    table = fmt is CheckFormat.TABLE  # printed as it is made, its findings held in order outside memory

    def make(prepared: core.Prepared, run: core.Run) -> tuple[Report, BusinessCalendar]:
        return core.check(path, day, filters, include_na=show_all, keep_all=not brief, table=table, run=run, prepared=prepared)

    report("check", path, day, filters, make, fmt=Format(fmt.value), options=(since,), show_all=show_all, redact=redact, fail_on=statuses, no_cache=no_cache)
