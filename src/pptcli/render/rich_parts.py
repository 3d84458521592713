"""Pieces of the table format: cells, a findings table or, on a narrow terminal, cards."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from pptcli.model.finding import Finding, Report, Status
from pptcli.render.base import person
from pptcli.summary import Tally

# Below this many columns the eight-column table squeezes the detail to a sliver.
NARROW = 110
STYLE = {
    Status.MET: "green",
    Status.LATE: "yellow",
    Status.MISSED: "red",
    Status.OVERDUE: "bold red",
    Status.OPEN: "cyan",
    Status.WAIVED: "magenta",
    Status.NA: "dim",
}
ASSUMED_NOTE = (
    "ASSUMED: the deadline rests on an assumption (a local policy setting or a rule the SOP "
    "does not date), not on the SOP or policy text; `ppt explain` shows how it was computed."
)

Cells = Callable[[Finding], Sequence[RenderableType]]
Meta = Callable[[Finding], str]


def authority(f: Finding) -> Text:
    # Uppercase so an assumed deadline stands out without colour too (STYLE 2).
    if f.authority == "assumed":
        return Text("ASSUMED", style="bold yellow")
    return Text("SOP" if f.authority == "sop" else f.authority)


def case(f: Finding) -> Text:
    return Text(f"{f.case}\n{f.child}" if f.child else f.case)


def rule(f: Finding) -> Text:
    return Text(f.rule).append(f"\n{f.source}", style="dim")


def status(f: Finding) -> Text:
    return Text(str(f.status), style=STYLE[f.status])


def titled(console: Console, title: str, body: RenderableType) -> None:
    # A heading line of its own, not Table(title=...): rich pads titles with trailing spaces.
    console.print()
    console.print(Text(title, style="bold"))
    console.print(body)


def _table(headers: Sequence[str], rows: list[Sequence[RenderableType]], width: int) -> Table:
    # rich shares a tight width out evenly, squeezing the detail to a sliver; so the other
    # columns are capped (source, date and subject wrap below 140 columns) and the detail
    # takes what is left. Case ids never wrap.
    roomy = width >= 140
    caps = {
        "rule": 18 if roomy else 10,
        "subject": 30 if roomy else 14,
        "due": 14 if roomy else 10,
        "responsible": 24 if roomy else 14,
        "late (bus. days)": 16 if roomy else 5,
        "bus. days": 9 if roomy else 6,
    }
    table = Table(expand=True)
    for name in headers:
        table.add_column(
            name,
            no_wrap=name == "case",
            max_width=caps.get(name),
            ratio=1 if name == "detail" else None,
            overflow="fold",
            justify="right" if "days" in name else "left",
        )
    for row in rows:
        table.add_row(*row)
    return table


def _cards(findings: list[Finding], meta: Meta) -> Table:
    """One entry per finding: the status, then what, when and why on up to three lines."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for f in findings:
        body = Text(f"{f.case}" + (f" ({f.child})" if f.child else "") + f"  {f.rule}  {f.subject}")
        body.append(f"\n{meta(f)}", style="dim")
        if f.authority == "assumed":
            body.append("  ASSUMED", style="bold yellow")
        if f.detail:
            body.append(f"\n{f.detail}")
        grid.add_row(status(f), body)
    return grid


def findings_block(
    findings: list[Finding], headers: Sequence[str], cells: Cells, meta: Meta, width: int
) -> RenderableType:
    """A table of the findings, or cards when the terminal is too narrow for the table."""
    if width < NARROW:
        return _cards(findings, meta)
    return _table(headers, [cells(f) for f in findings], width)


def rate(t: Tally) -> str:
    return "—" if t.on_time_rate is None else f"{t.on_time_rate:.1%}"


def tally_table(
    report: Report, tallies: list[Tally], keys: Sequence[Status], *, workers: bool, width: int
) -> Table:
    """Counts per status and the on-time rate, one row per worker (with office) or office."""
    with_office = workers and width >= NARROW  # on a narrow terminal the names need the room
    table = Table()
    table.add_column("worker" if workers else "office")
    if with_office:
        table.add_column("office")
    for key in keys:
        table.add_column(str(key), justify="right")
    table.add_column("on time", justify="right")
    for t in tallies:
        labels = [person(report, t.id)] + ([report.office_of.get(t.id, "")] if with_office else [])
        labels = labels if workers else [t.id]
        table.add_row(
            *(Text(label) for label in labels),
            *(str(t.counts.get(str(k), 0)) for k in keys),
            rate(t),
        )
    return table
