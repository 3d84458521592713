"""ppt calendar: the non-business days of a period, and the deadline arithmetic, to check by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from pptcli.calendar import BusinessCalendar, DeadlineKind, short_day
from pptcli.cli import app
from pptcli.cli.options import AsOf, as_of_or_today, parse_date


def _calendar_for(repo: Path | None) -> BusinessCalendar:
    """The repository's calendar (with its closures): the one named, or the one the current
    folder is in; outside any, the state calendar (a --repo that is none is an error)."""
    from pptcli.load import find_root, load_settings
    from pptcli.problems import UserError

    try:
        root = find_root(repo or Path("."))
    except UserError:
        if repo is not None:
            raise
        return BusinessCalendar()
    _, _, _, calendar, problems = load_settings(root)
    if problems:
        shown = "; ".join(p.render() for p in problems[:3])
        raise UserError(f"the repository's settings have problems: {shown}")
    return calendar


@app.command()
def calendar(
    day: str = typer.Argument(None, metavar="[DATE]", help="A date to count from (with --add or --before)."),
    add: int = typer.Option(None, "--add", min=0, max=100_000, metavar="N", help="Show the N-th business day after DATE."),
    before: int = typer.Option(None, "--before", min=0, max=100_000, metavar="N", help="Show the N-th business day before DATE."),
    start: str = typer.Option(None, "--from", metavar="DATE", help="First day of the period to list."),
    end: str = typer.Option(None, "--to", metavar="DATE", help="Last day of the period to list."),
    office: str = typer.Option(None, "--office", help="Include this office's closures."),
    weekends: bool = typer.Option(False, "--weekends", help="List Saturdays and Sundays too."),
    repo: Path | None = typer.Option(None, "--repo", help="Case repository whose calendar.yaml to use (default: the one the current folder is in)."),
    as_of: dt.date = AsOf,
) -> None:
    """List holidays and closures, or count business days from a date."""
    cal = _calendar_for(repo)
    if day is not None:
        _arithmetic(cal, parse_date(day), add, before, office)  # type: ignore[arg-type]
        return
    if add is not None or before is not None:
        raise typer.BadParameter("--add and --before need a DATE to count from")
    year = as_of_or_today(as_of).year
    first = parse_date(start) or dt.date(year, 1, 1)
    last = parse_date(end) or dt.date(first.year, 12, 31)
    if last < first:
        raise typer.BadParameter(f"--to {last} is before --from {first}")
    if (last - first).days > 366 * 20:
        raise typer.BadParameter("the period is longer than 20 years; choose a shorter one")
    where = f" ({office} office)" if office else " (statewide)"
    typer.echo(f"Non-business days {first} to {last}{where}:")
    for skip in cal.non_business_days(first, last, office):
        if weekends or skip.reason not in ("Saturday", "Sunday"):
            typer.echo(f"  {short_day(skip.date)}  {skip.reason}")


def _arithmetic(cal: BusinessCalendar, day: dt.date, add: int | None, before: int | None, office: str | None) -> None:
    if (add is None) == (before is None):
        raise typer.BadParameter("give exactly one of --add N or --before N with a DATE")
    if add is not None:
        result = cal.add_business_days(day, add, office)
        skipped = [s for s in cal.non_business_days(day + dt.timedelta(days=1), result, office)]
        typer.echo(f"{short_day(day)} + {add} business day{'s' if add != 1 else ''} = {short_day(result)}")
    else:
        deadline = cal.deadline(DeadlineKind.BUSINESS_DAYS_BEFORE, day, before, office)
        result, skipped = deadline.due, list(deadline.skipped)
        typer.echo(f"{short_day(day)} - {before} business day{'s' if before != 1 else ''} = {short_day(result)}")
    for skip in sorted(skipped, key=lambda s: s.date):
        typer.echo(f"  skipped {short_day(skip.date)}  {skip.reason}")
