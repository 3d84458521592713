"""Pieces of the table format: cells, a findings block or, on a narrow terminal, cards."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from pptcli.model.finding import Finding, Report, Status
from pptcli.render import textgrid as tg
from pptcli.render.base import person
from pptcli.summary import Tally

# Below this many columns a line per finding wraps on the terminal; cards read better there.
NARROW = 110
STYLE = {
    Status.MET: tg.GREEN,
    Status.LATE: tg.YELLOW,
    Status.MISSED: tg.RED,
    Status.OVERDUE: f"{tg.BOLD};{tg.RED}",
    Status.OPEN: tg.CYAN,
    Status.WAIVED: tg.MAGENTA,
    Status.NA: tg.DIM,
}
ASSUMED = f"{tg.BOLD};{tg.YELLOW}"
ASSUMED_NOTE = (
    "ASSUMED: the deadline rests on an assumption (a local policy setting or a rule the SOP "
    "does not date), not on the SOP or policy text; `ppt explain` shows how it was computed."
)

Row = Callable[[Finding], Sequence[tg.Cell]]
Meta = Callable[[Finding], str]


def authority(f: Finding) -> tg.Cell:
    # Uppercase so an assumed deadline stands out without colour too (STYLE 2).
    if f.authority == "assumed":
        return ("ASSUMED", ASSUMED)
    return "SOP" if f.authority == "sop" else f.authority


def status(f: Finding) -> tg.Cell:
    return (str(f.status), STYLE[f.status])


def heading(title: str, color: bool) -> list[str]:
    return ["", tg.paint(tg.clean(title), tg.BOLD, color)]


def _cards(findings: Iterable[Finding], meta: Meta, color: bool, pad: int) -> Iterator[str]:
    """One entry per finding: the status, then what, when and why on up to three lines;
    `pad` is one more than the block's longest status."""
    under = " " * pad
    for f in findings:
        what = f"{f.case}" + (f" ({f.child})" if f.child else "") + f"  {f.rule}  {f.subject}"
        word = str(f.status)
        yield tg.paint(word, STYLE[f.status], color) + " " * (pad - len(word)) + tg.clean(what)
        when = under + tg.paint(tg.clean(meta(f)), tg.DIM, color)
        yield when + ("  " + tg.paint("ASSUMED", ASSUMED, color) if f.authority == "assumed" else "")
        if f.detail:
            yield under + tg.clean(f.detail)


def _pad(findings: Iterable[Finding]) -> int:
    return max((len(str(f.status)) for f in findings), default=0) + 1


def findings_block(
    findings: list[Finding],
    columns: Sequence[tg.Column],
    row: Row,
    meta: Meta,
    *,
    width: int,
    color: bool,
) -> list[str]:
    """A line per finding under a header, or cards when the terminal is too narrow."""
    if width < NARROW:
        return list(_cards(findings, meta, color, _pad(findings)))
    return tg.grid(columns, map(row, findings), color=color)


class Block:
    """A findings block too large to hold, read twice: `fit` every finding, then print
    them with `lines`. The text is findings_block's."""

    def __init__(self, columns: Sequence[tg.Column], row: Row, meta: Meta, *, width: int, color: bool) -> None:
        self.row, self.meta, self.color = row, meta, color
        self.cards = width < NARROW
        self.grid = tg.Grid(columns, color=color)
        self.pad = 1

    def fit(self, findings: Iterable[Finding]) -> None:
        if self.cards:
            self.pad = max(self.pad, _pad(findings))
        else:
            self.grid.fit(map(self.row, findings))

    def lines(self, findings: Iterable[Finding]) -> Iterator[str]:
        if self.cards:
            return _cards(findings, self.meta, self.color, self.pad)
        return self.grid.lines(map(self.row, findings))


def rate(t: Tally) -> str:
    return "—" if t.on_time_rate is None else f"{t.on_time_rate:.1%}"


def tally_block(
    report: Report,
    tallies: list[Tally],
    keys: Sequence[Status],
    *,
    workers: bool,
    width: int,
    color: bool,
) -> list[str]:
    """Counts per status and the on-time rate, one line per worker (with office) or office."""
    with_office = workers and width >= NARROW  # on a narrow terminal the names need the room
    columns = [tg.Column("worker" if workers else "office")]
    columns += [tg.Column("office")] if with_office else []
    columns += [tg.Column(str(k), right=True) for k in keys] + [tg.Column("on time", right=True)]
    rows = [
        [
            person(report, t.id) if workers else t.id,
            *([report.office_of.get(t.id, "")] if with_office else []),
            *(str(t.counts.get(str(k), 0)) for k in keys),
            rate(t),
        ]
        for t in tallies
    ]
    return tg.grid(columns, rows, color=color)
