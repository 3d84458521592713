"""ppt init: a new, empty case repository that `ppt validate` accepts."""

from __future__ import annotations

from pathlib import Path

import typer

from pptcli.cli import app
from pptcli.problems import UserError

FILES = {
    "ppt.yaml": """\
# ppt settings for this case repository.
# Office ids: every case's `office:` must be one of these.
offices: [concord]

# Overrides of rule parameters (see `ppt rules list`), for example:
#   ppt_interval_months: 6
policy: {}

# null: use the rules shipped with ppt. Or a folder of rule files, relative to this file.
rules: null
""",
    "staff.yaml": """\
# Everyone named in a case file. Roles: cpsw, jppo, supervisor, permanency_cpsw,
# permanency_jppo, reunification_specialist.
staff: []
#  - {id: c.rivera, name: Carmen Rivera, role: cpsw, office: concord, supervisor: m.okafor}
#  - {id: m.okafor, name: Marcus Okafor, role: supervisor, office: concord}
""",
    "calendar.yaml": """\
# Days the state offices were closed beyond the state-office holidays ppt knows.
closures: []
#  - {date: 2026-02-10, reason: "Blizzard: state offices closed"}    # statewide
#  - {date: 2026-03-17, office: concord, reason: "Burst pipe"}       # one office
holidays:
  add: []
  remove: []
""",
    ".gitignore": """\
# ppt's cache of validated cases
.ppt-cache/
# a writer killed mid-write leaves its temporary file; the next write removes it
.*.ppt-tmp
""",
    ".pre-commit-config.yaml": """\
# Run `pre-commit install` once: then no commit can land a case file that does not validate.
repos:
  - repo: local
    hooks:
      - id: ppt-validate
        name: ppt validate
        entry: ppt validate
        language: system
        files: \\.ya?ml$
        exclude: (^|/)\\.
""",
}


@app.command()
def init(directory: Path = typer.Argument(..., help="Folder for the new case repository.")) -> None:
    """Create a new, empty case repository: settings files, .gitignore, pre-commit hook."""
    if (directory / "ppt.yaml").exists():
        raise UserError(f"{directory}: already a case repository (ppt.yaml exists); nothing changed")
    if directory.exists() and not directory.is_dir():
        raise UserError(f"{directory}: exists and is not a folder")
    outer = next((folder for folder in directory.resolve().parents if (folder / "ppt.yaml").is_file()), None)
    if outer is not None:  # its settings files would be read as that repository's case files
        raise UserError(f"{directory}: inside the case repository at {outer}; a new one goes outside it (nothing changed)")
    existing = [name for name in FILES if (directory / name).exists()]
    if existing:
        raise UserError(f"{directory}: {', '.join(existing)} already exist; nothing changed")
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in FILES.items():
        (directory / name).write_text(text, encoding="utf-8")
    typer.echo(f"created a case repository in {directory}: add staff to staff.yaml, then case files under an office folder")
    typer.echo("to check every commit: `git init` there, then `pre-commit install` (in a folder of a git repository"
               " already, add the ppt-validate hook to the .pre-commit-config.yaml at its root instead)")
