"""Aligned plain-text columns for the table format: one line per row, linear in the rows.

Widths come from the data, so a block costs one pass to measure and one to print. A column
may be capped; a value longer than its cap is never cut, it pushes the rest of its own line
to the right and the next line is aligned again. The last column is never padded: it runs to
the end of the line. Colour is plain ANSI SGR, added only when asked for.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

GAP = 2  # spaces between columns
INDENT = "  "  # rows sit under their group's heading

# SGR parameters (ECMA-48): what rich's "bold", "dim", "red"... emit.
BOLD, DIM = "1", "2"
RED, GREEN, YELLOW, MAGENTA, CYAN = "31", "32", "33", "35", "36"

# Control characters in user text (a detail read from a case file) could move the cursor or
# colour the terminal, and a newline would break the one-line-per-row layout.
# Bidirectional controls (U+202E...) make a terminal show text in an order it is not in.
_BIDI = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_CONTROLS = {c: "\ufffd" for c in (*range(0x20), 0x7F, *range(0x80, 0xA0), *_BIDI)}
_CONTROLS.update({ord("\t"): " ", ord("\n"): " ", ord("\r"): " "})
_LINES = {c: v for c, v in _CONTROLS.items() if c != ord("\n")}

Cell = str | tuple[str, str]  # text, or (text, SGR style)


@dataclass(frozen=True)
class Column:
    header: str
    cap: int | None = None  # widest the column is laid out
    right: bool = False
    optional: bool = False  # left out of a block where no row has a value


def clean(text: str) -> str:
    """User text safe to print on one line: no control characters."""
    return text if text.isprintable() else text.translate(_CONTROLS)


def clean_lines(text: str) -> str:
    """Text of several lines safe to print: line breaks kept, no other control character
    (a message quoting a case file's text, a file name)."""
    return text if text.isprintable() else text.translate(_LINES)


def width(text: str) -> int:
    """Terminal cells: wide East Asian characters take two, combining marks none."""
    if text.isascii():
        return len(text)
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


def paint(text: str, style: str, color: bool) -> str:
    return f"\x1b[{style}m{text}\x1b[0m" if color and style and text else text


def _split(cell: Cell) -> tuple[str, str, int]:
    """(text, style, width): measured once, used to size the column and to pad the line."""
    text, style = (cell, "") if isinstance(cell, str) else cell
    if text.isascii() and text.isprintable():  # most cells: a large report has a million
        return text, style, len(text)
    text = clean(text)
    return text, style, width(text)


def grid(columns: Sequence[Column], rows: Iterable[Sequence[Cell]], *, color: bool) -> list[str]:
    """A header line and one line per row, every value in full."""
    layout = Grid(columns, color=color)
    table = [_measure(row) for row in rows]
    layout.fit_measured(table)
    return list(layout.lines_measured(table))


_Measured = tuple[list[str], Sequence[Cell], list[int] | None]  # texts, the cells, widths (None: their lengths)


class Grid:
    """Columns sized to fit every row they are given, then rows laid out in them.

    `grid` does both with the rows in hand. A block too large to hold is read twice instead:
    `fit` every row, then print each with `lines`; the text is the same.
    """

    def __init__(self, columns: Sequence[Column], *, color: bool) -> None:
        self.columns = list(columns)
        self.color = color
        self._widths = [0] * len(self.columns)
        self._filled = [not c.optional for c in self.columns]  # optional columns left out when empty

    def fit(self, rows: Iterable[Sequence[Cell]], batch: int = 4096) -> None:
        chunk: list[_Measured] = []
        for row in rows:
            chunk.append(_measure(row))
            if len(chunk) >= batch:
                self.fit_measured(chunk)
                chunk = []
        self.fit_measured(chunk)

    def fit_measured(self, table: list[_Measured]) -> None:
        if not table:
            return
        self._widths = [max(a, b) for a, b in zip(self._widths, _widths(table, len(self.columns)))]
        self._filled = [done or any(texts[i] for texts, _, _ in table) for i, done in enumerate(self._filled)]

    def lines(self, rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
        return self.lines_measured(_measure(row) for row in rows)

    def lines_measured(self, table: Iterable[_Measured]) -> Iterator[str]:
        """The header, then each row: without colour, a plain row whose values all fit their
        columns is one str.format (the text `_line` makes, with padding where it leaves an
        empty cell); others, and every row in colour, go through `_line`."""
        keep = [i for i, filled in enumerate(self._filled) if filled]
        columns = [self.columns[i] for i in keep]
        widths = [max(min(self._widths[i], c.cap or self._widths[i]), width(c.header)) for i, c in zip(keep, columns)]
        starts = [sum(widths[:i]) + GAP * i for i in range(len(widths))]
        stops = [(c.right, start, start + w) for c, start, w in zip(columns, starts, widths)]
        color = self.color
        header = _line([_split(c.header) for c in columns], stops, color)
        yield INDENT + paint(header[len(INDENT) :], BOLD, color)
        last = len(columns) - 1
        layout = INDENT + (" " * GAP).join(
            f"{{:>{w}}}" if c.right else "{}" if i == last else f"{{:<{w}}}" for i, (c, w) in enumerate(zip(columns, widths))
        )
        capped = [i for i, c in enumerate(columns) if c.cap is not None]
        every = len(keep) == len(self.columns)
        for texts, cells, measured in table:
            if not every:
                texts, cells = [texts[i] for i in keep], [cells[i] for i in keep]
                measured = measured and [measured[i] for i in keep]
            if not color and measured is None and not any(len(texts[i]) > widths[i] for i in capped):
                yield layout.format(*texts)
            else:  # in colour, a value wider than its column, or wider on screen than it is long
                sizes = measured or [len(t) for t in texts]
                styles = [c[1] if isinstance(c, tuple) else "" for c in cells]
                yield _line(list(zip(texts, styles, sizes)), stops, color)


def _widths(table: list[_Measured], count: int) -> list[int]:
    """The widest value of each column (plain rows by column, in C: len over a zip)."""
    plain = [texts for texts, _, measured in table if measured is None]
    widths = [max(map(len, column)) for column in zip(*plain)] if plain else [0] * count
    for _, _, measured in table:
        if measured is not None:
            widths = [max(a, b) for a, b in zip(widths, measured)]
    return widths


def _measure(row: Sequence[Cell]) -> _Measured:
    """A row's texts, its cells (their styles are looked up only for a line `_line` lays
    out), and their widths unless every text is plain ASCII (then each is as wide as it is
    long: a statewide report has a million such cells)."""
    texts = [c[0] if isinstance(c, tuple) else c for c in row]
    joined = "".join(texts)
    if joined.isascii() and joined.isprintable():
        return texts, row, None
    cells = [_split(c) for c in row]
    return [c[0] for c in cells], row, [c[2] for c in cells]


def _line(
    row: Sequence[tuple[str, str, int]], stops: Sequence[tuple[bool, int, int]], color: bool
) -> str:
    """One row: each value at its column's start (or, right-aligned, ending at its end), or
    further right when the value before it ran long."""
    out, pos = [INDENT], -GAP  # pos: where the text so far ends
    for (right, start, end), (text, style, n) in zip(stops, row):
        if text:
            at = end - n if right else start
            if at < pos + GAP:  # noqa: PLR1730 - not max(): a call per cell of a million-cell report
                at = pos + GAP
            out.append(" " * (at - pos if pos > 0 else at))
            out.append(f"\x1b[{style}m{text}\x1b[0m" if color and style else text)
            pos = at + n
    return "".join(out)
