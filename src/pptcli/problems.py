"""Problems: bad input as a value, carried with its file, line and column.

Every stage (parse, validate, cross-check, evaluate) collects problems instead of raising,
so one run reports everything at once (the beancount habit).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    file: str  # relative to the repository root where there is one
    line: int  # 1-based; 0 when the problem concerns the whole file
    column: int  # 1-based; 0 when unknown
    message: str

    def __post_init__(self) -> None:
        # A message quotes values from the file: it must stay one printable line of
        # `path:line:col: error: message`, and never carry more of the file than a value.
        object.__setattr__(self, "message", one_line(self.message))

    def render(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: error: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "column": self.column, "message": self.message}


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """'; did you mean "x"?' for the closest choice, or nothing: the hint of every "unknown
    this" message, so they all read alike."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f'; did you mean "{close[0]}"?' if close else ""


def unknown_office(office: str, offices: Iterable[str]) -> str:
    """What a case, a staff member or a closure naming an office ppt.yaml lacks is told."""
    return f'office "{office}" is not in ppt.yaml offices{did_you_mean(office, offices)}'


_LIMIT = 300


def one_line(text: str) -> str:
    """Control characters and line breaks (\n, U+2028, NEL...) escaped; long text cut."""
    shown = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
    return shown if len(shown) <= _LIMIT else shown[: _LIMIT - 1] + "…"


def quoted(value: object, limit: int = 60) -> str:
    """A value from a file as a message quotes it: its first line only (a block of text must
    not carry the lines after it into the output), escaped, and cut short."""
    text = str(value)
    first, *rest = text.splitlines() or [""]
    more = bool(rest) or len(first) > limit
    return one_line(first[:limit]) + ("…" if more else "")


def kind_of(value: object) -> str:
    """What a value read from YAML is, as a message says it ("got a list")."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {quoted(value)}"
    if isinstance(value, str):
        return f'the text "{quoted(value)}"'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


class UserError(Exception):
    """Bad usage or input that stops a command: printed as a message, exit code 2."""


def display_path(path: Path, root: Path | None) -> str:
    """The path as users see it in reports: relative to the root when inside it."""
    if root is None:
        return path.as_posix()
    try:  # the path as given first: a link is shown where it stands, not where it leads
        return path.absolute().relative_to(root.absolute()).as_posix()
    except ValueError:
        pass
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a loop of links (Python 3.11, 3.12)
        return path.as_posix()
