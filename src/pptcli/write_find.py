"""Finding a case file by its id without parsing every file of the repository.

A statewide repository holds thousands of case files; parsing them all to write one record
would take seconds. Every case file states its id on a top-level `id:` line, so one
regular-expression pass over the raw bytes finds the candidates (and every id, for "did you
mean"); the caller then loads only the file found and checks its id properly.
"""

from __future__ import annotations

import re
from pathlib import Path

from pptcli.load import case_files
from pptcli.problems import UserError, did_you_mean, display_path

_ID_LINE = re.compile(rb"""^id:[ \t]*["']?([^\s"'#]+)["']?[ \t]*(?:#.*)?\r?$""", re.MULTILINE)


def find_case(root: Path, case_id: str) -> Path:
    """The one file of the repository whose top-level id is `case_id`."""
    found: list[Path] = []
    ids: set[str] = set()
    for path in case_files(root, root):
        try:
            raw = path.read_bytes()
        except OSError:
            continue  # unreadable files are `ppt validate`'s to report
        for match in _ID_LINE.finditer(raw):
            seen = match.group(1).decode("utf-8", "replace")
            ids.add(seen)
            if seen == case_id:
                found.append(path)
    if not found:
        folded = {i.casefold(): i for i in ids}
        hint = f'; did you mean "{folded[case_id.casefold()]}"?' if case_id.casefold() in folded else did_you_mean(case_id, ids)
        raise UserError(f'no case "{case_id}" in the repository at {root}{hint}')
    if len(found) > 1:
        files = ", ".join(display_path(p, root) for p in found)
        raise UserError(f'case id "{case_id}" is used by {len(found)} files ({files}); give each case its own id first')
    return found[0]
