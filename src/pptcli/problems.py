"""Problems: bad input as a value, carried with its file, line and column.

Every stage (parse, validate, cross-check, evaluate) collects problems instead of raising,
so one run reports everything at once (the beancount habit).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    file: str  # relative to the repository root where there is one
    line: int  # 1-based; 0 when the problem concerns the whole file
    column: int  # 1-based; 0 when unknown
    message: str

    def render(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: error: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "column": self.column, "message": self.message}


class UserError(Exception):
    """Bad usage or input that stops a command: printed as a message, exit code 2."""


def display_path(path: Path, root: Path | None) -> str:
    """The path as users see it in reports: relative to the root when inside it."""
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()
