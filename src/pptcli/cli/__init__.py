"""The `ppt` command line: one error boundary around every command (SPEC 8).

User errors print a message and exit 2; a bug exits 3 with one line, the traceback only
with --debug. No bad input ever shows a traceback.
"""

from __future__ import annotations

import errno
import sys
import traceback
from typing import NoReturn

import typer

from pptcli import __version__
from pptcli.problems import UserError

app = typer.Typer(
    name="ppt",
    help="Compliance checks for NH DCYF Permanency Planning Team procedures, on case files kept in git.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help and usage errors: no rich import on start-up, clean when piped
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


DEBUG = False  # --debug: also say on stderr how a report was made (cli/report_out.py)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ppt {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of an internal error, and how a report was made."),
) -> None:
    """Compliance checks for NH DCYF Permanency Planning Team procedures."""
    global DEBUG
    DEBUG = debug


def _register() -> None:
    from pptcli.cli import (  # noqa: F401
        calendar_cmd,
        check_cmd,
        due_cmd,
        explain_cmd,
        init_cmd,
        rules_cmd,
        schema_cmd,
        validate_cmd,
        write_cmd,
    )


def _print_anything() -> None:
    """Let no character end a run in UnicodeEncodeError. A file name that is not UTF-8 (Linux
    allows any bytes) reaches Python as lone surrogates, which a UTF-8 stream refuses, and a
    legacy code page cannot show every child's name. Such characters print as escapes
    (\\udcff): valid text in every format, and JSON reads them back as the same string."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    _print_anything()
    try:
        _register()
        # Standalone mode: typer reports bad usage itself (exit 2) and exits through SystemExit.
        app(args=args, prog_name="ppt")
    except SystemExit:
        raise
    except UserError as exc:  # may quote a case file's text: printed safe, as `say` prints
        from pptcli.render.textgrid import clean_lines

        print(clean_lines(f"ppt: error: {exc}"), file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    except OSError as exc:
        if exc.errno not in _NO_ROOM:
            _internal_error(exc, debug)
        # The output's disk is full (`> /dev/full`): the user's to fix, not a bug.
        print(f"ppt: error: cannot write the output: {exc.strerror}", file=sys.stderr)
        sys.exit(2)
    except Exception as exc:  # noqa: BLE001 - the boundary between bugs and users
        _internal_error(exc, debug)


_NO_ROOM = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


def _internal_error(exc: BaseException, debug: bool) -> NoReturn:
    if debug:
        traceback.print_exc()
    first = str(exc).splitlines()[0] if str(exc) else ""
    print(f"ppt: internal error (a bug, please report it): {type(exc).__name__}: {first}", file=sys.stderr)
    if not debug:
        print("ppt: run again with --debug for the traceback", file=sys.stderr)
    sys.exit(3)
