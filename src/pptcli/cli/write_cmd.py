"""ppt notify-placement and ppt log KIND: record what happened in a case file (SPEC 6).

Each command's options come from its row in write_kinds, so the options, their help and the
file's keys cannot drift apart; every command then makes the same one call to write.record.
"""

from __future__ import annotations

import datetime as dt
import inspect
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from pptcli.calendar import short_day
from pptcli.cli import app
from pptcli.cli.options import as_of_or_today, parse_date, say
from pptcli.model.finding import Finding, Status
from pptcli.write_kinds import LOG_KINDS, PLACEMENT, Kind, Opt, Role, Type

log_app = typer.Typer(
    help="Record an event in a case file: validated, written atomically, optionally committed.",
    no_args_is_help=True,
)
app.add_typer(log_app, name="log")

_ANNOTATION: dict[Type, Any] = {
    Type.DATE: dt.date | None,
    Type.FLAG: bool | None,
    Type.STAFF_LIST: list[str] | None,
    Type.CHOICE_LIST: list[str] | None,
}
_COMMON = (
    ("commit", bool, typer.Option(False, "--commit", help="Commit the case file to git, alone, with a message naming the record.")),
    ("repo", Path, typer.Option(Path("."), "--repo", help="The case repository, or a folder inside it.")),
    ("as_of", dt.date | None, typer.Option(None, "--as-of", parser=parse_date, metavar="DATE",
                                           help="The day taken as today: the default date recorded, and the date the statuses shown are evaluated on.")),
)


def _option(opt: Opt) -> Any:
    required = opt.required and opt.role is not Role.FIELD
    names = f"{opt.cli}/--no-{opt.cli[2:]}" if opt.type is Type.FLAG else opt.cli
    extra: dict[str, Any] = {"parser": parse_date, "metavar": "DATE"} if opt.type is Type.DATE else {}
    if opt.type is not Type.DATE and opt.type is not Type.FLAG:
        extra["metavar"] = {Type.STAFF: "ID", Type.STAFF_LIST: "ID", Type.TEXT: "TEXT"}.get(opt.type, "NAME")
    listed = not opt.choices or opt.choices[0] in opt.help
    text = opt.help if listed else f"{opt.help} One of: {', '.join(opt.choices)}."
    return typer.Option(... if required else None, names, help=text, show_default=False, **extra)


def _command(kind: Kind) -> Callable[..., None]:
    def command(**options: Any) -> None:
        _run(kind, options)

    param = inspect.Parameter
    case = param("case_id", param.POSITIONAL_OR_KEYWORD, annotation=str,
                 default=typer.Argument(..., metavar="CASE-ID", help="The case's id, e.g. CON-2026-0042."))
    own = [param(o.key, param.KEYWORD_ONLY, default=_option(o), annotation=_ANNOTATION.get(o.type, str | None)) for o in kind.opts]
    common = [param(name, param.KEYWORD_ONLY, default=default, annotation=kind_) for name, kind_, default in _COMMON]
    command.__signature__ = inspect.Signature([case, *own, *common])  # type: ignore[attr-defined]
    command.__doc__ = kind.help
    return command


def _run(kind: Kind, options: dict[str, Any]) -> None:
    case_id, commit, repo = options.pop("case_id"), options.pop("commit"), options.pop("repo")
    as_of = as_of_or_today(options.pop("as_of"))
    from pptcli import write

    try:
        outcome = write.record(repo, kind, case_id, options, as_of=as_of, commit=commit)
    except write.Refused as refused:
        for p in refused.problems:
            say(f"{os.path.relpath(refused.root / p.file)}:{p.line}:{p.column}: error: {p.message}", err=True)
        raise
    shown = os.path.relpath(outcome.root / outcome.file)
    if outcome.written:
        say(f"recorded in {shown}: {outcome.change.summary}")
    else:
        say(f"nothing new to record: {shown} already has {outcome.change.title} as given")
    if outcome.commit:
        say(f"committed {outcome.commit}: {outcome.message}")
    for finding in outcome.findings:
        say(_status(finding, kind.verb))


def _status(f: Finding, verb: str) -> str:
    """`CPSW-I.A.2 met: due Mon 2026-11-30, notified Mon 2026-11-30`."""
    head = f"{f.rule} {f.status}"
    if f.status is Status.WAIVED or f.due is None:
        return f"{head}: {f.detail}" if f.detail else head
    done = f"{verb} {short_day(f.done)}" if f.done else "nothing recorded yet"
    late = f" ({f.business_days_late} business day{'s' if f.business_days_late != 1 else ''} late)" if f.business_days_late else ""
    missed = f" ({f.detail})" if f.status is Status.MISSED and f.detail else ""
    return f"{head}: due {short_day(f.due)}, {done}{late}{missed}"


app.command("notify-placement")(_command(PLACEMENT))
for _kind in LOG_KINDS:
    log_app.command(_kind.name)(_command(_kind))
