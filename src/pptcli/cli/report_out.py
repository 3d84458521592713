"""Making, printing and keeping a report, and choosing the exit code (SPEC 8), shared by
check and due."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from pptcli import core, memo, scan
from pptcli.cache import cache_path, reports_folder
from pptcli.calendar import BusinessCalendar
from pptcli.cli.options import run_options, use_color, width
from pptcli.core import failing
from pptcli.model.finding import Report, Status
from pptcli.ordered import worker_order
from pptcli.render import Format, RenderOptions, View, chunks, table
from pptcli.render.base import redact_report
from pptcli.render.table import Mark

# Formats whose text has no place for problems: those go to stderr instead.
_NO_PROBLEMS = {Format.CSV, Format.ICS}

Make = Callable[[core.Prepared, core.Run], tuple[Report, BusinessCalendar]]


@scan.few_collections()
def report(view: View, path: Path, day: dt.date, filters: core.Filters, make: Make, *, fmt: Format, options: tuple[Any, ...], show_all: bool, redact: bool, fail_on: set[Status], no_cache: bool) -> None:
    """Make the report with `make` and print it; with the cache, print instead the one kept
    from an earlier run made from the same files, settings and options (memo.py), or for
    the statewide check table after a few files changed, the kept one with the blocks of
    the workers those files name made again (core.check_again). `options` are the
    command's other options that change what it prints. Made with few garbage
    collections (scan.few_collections)."""
    run = run_options(no_cache)
    seen = core.glance(path, day, filters)
    color, columns = use_color(), width()
    if not run.use_cache:
        _say("made whole, without the cache (--no-cache)")
        made, calendar = make(core.prepare(path, day, filters, seen), run)
        raise typer.Exit(emit(made, fmt, RenderOptions(view, show_all, redact, color, columns, calendar), fail_on, sys.stdout.write, sys.stderr.write))
    # Keyed by the bytes of every file it is made from, before any settings file but
    # ppt.yaml is parsed: printing a kept report parses none (core.Glance).
    family = memo.key_of(
        view, fmt, options, show_all, redact, sorted(fail_on), color, columns, _cwd(), str(seen.root),
        seen.digest, seen.filters, seen.ppt[1], seen.problems,
    )
    folder = reports_folder(seen.root)
    # Every file is read and digested here, before the scan, only when that can spare work:
    # a report of this family is kept (this one may be it, or be made again in part from
    # it), or findings are cached under this setting (looked up by the digests). Otherwise
    # (a first run, a new day) the scan reads each file once, and the report is kept under
    # the digests of the files as it read them.
    kept: memo.Memo | None = None
    if memo.family_kept(folder, family) or scan.results_cached(cache_path(seen.root), seen.digest):
        inputs = seen.inputs()
        kept = memo.Memo(folder, memo.key_of(family, inputs), family)
        code = kept.replay(sys.stdout, sys.stderr)
        if code is not None:
            _say("printed as kept")
            raise typer.Exit(code)
    prepared = core.prepare(path, day, filters, seen)
    # The statewide check table is kept in parts, by worker, with its layout (memo.py).
    in_parts = view == "check" and fmt is Format.TABLE and not show_all and prepared.filters.is_empty()
    files = seen.files_digest() if in_parts else None
    base = kept.base(files) if files is not None and kept is not None else None
    try:
        again = _again_from(prepared, base) if base is not None else None
        if again is not None:
            made, calendar, named = again
        else:
            if in_parts:
                prepared.layout = core.Layout()
            made, calendar = make(prepared, run)
        if kept is None:
            inputs = prepared.seen.hexdigest()
            kept = memo.Memo(folder, memo.key_of(family, inputs), family)
        recorder = kept.recorder()
        out, err = sys.stdout.write, sys.stderr.write
        if recorder is not None:
            out, err = _both(out, recorder.out), _both(err, recorder.err)
        render = RenderOptions(view, show_all, redact, color, columns, calendar, marks=in_parts)
        try:
            if base is not None and again is not None:
                _say(f"made again for {len(named)} workers; the other blocks printed as kept")
                code = _again(made, base, named, render, fail_on, out, recorder)
            else:
                _say("made whole")
                code = emit(made, fmt, render, fail_on, out, err, recorder)
        except BaseException:
            if recorder is not None:
                recorder.drop()
            raise
    finally:
        if base is not None:
            base.close()
    if recorder is not None:
        # kept only when made from the very files of the key (check_again checks its own)
        if again is not None or prepared.seen.hexdigest() == inputs:
            layout = prepared.layout
            if layout is not None and prepared.digests is not None:
                recorder.data("digests", prepared.digests)
                recorder.data("layout", json.dumps(layout.as_json()).encode())
            recorder.keep(code, files)
        else:
            recorder.drop()
    raise typer.Exit(code)


def _again_from(prepared: core.Prepared, base: memo.Kept) -> tuple[Report, BusinessCalendar, frozenset[str]] | None:
    try:
        layout, old = core.Layout.from_json(base.layout()), base.digests()
    except (OSError, ValueError, zlib.error):  # checked whole when opened: not to be expected
        return None
    return core.check_again(prepared, layout, old) if layout is not None and old is not None else None


def _say(how: str) -> None:
    from pptcli import cli

    if cli.DEBUG:
        print(f"ppt: debug: the report was {how}", file=sys.stderr)


def _cwd() -> str:
    try:
        return os.getcwd()
    except OSError:  # the folder the run started in was removed
        return ""


def _both(first: Callable[[str], Any], second: Callable[[str], Any]) -> Callable[[str], None]:
    def write(text: str) -> None:
        first(text)
        second(text)

    return write


def _again(made: Report, base: memo.Kept, only: frozenset[str], options: RenderOptions, fail_on: set[Status], out: Callable[[str], Any], recorder: memo.Recorder | None) -> int:
    """Print the check table with the blocks of the workers in `only` made here (`made` holds
    their findings, and the counts of all), the other blocks as `base` holds them, and the
    title and what follows the blocks made here. `out` also feeds the recorder; a block
    copied goes to it as kept, compressed."""
    title: list[str] = []
    fresh: dict[str, tuple[list[str], bool]] = {}
    into: list[str] | None = title
    parts = chunks(made, Format.TABLE, options)
    for item in parts:
        if isinstance(item, Mark):
            if item.worker is None:
                break
            # a finding shared with a worker not in `only` makes a partial block of theirs
            into = None if item.worker not in only else fresh.setdefault(item.worker, ([], item.assumed))[0]
        elif into is not None:
            into.append(item)
    parts.close()
    blocks: list[tuple[str, memo.Segment | str]] = [(worker_order(w), w) for w in fresh]
    blocks += [(worker_order(s.worker), s) for s in base.segments if s.kind == "text" and s.worker is not None and s.worker not in only]
    blocks.sort(key=lambda block: block[0])
    out("".join(title))
    assumed = False
    for _order, block in blocks:
        if isinstance(block, str):
            lines, held = fresh[block]
            if recorder is not None:
                recorder.mark(block, held)
            out("".join(lines))
        else:
            held, data = block.assumed, base.raw(block)
            sys.stdout.write(memo.text_of(data))
            if recorder is not None:
                recorder.copy(data, block.worker, held)
        assumed = assumed or held
    if recorder is not None:
        recorder.mark(None)
    shown = redact_report(made) if options.redact else made
    out(table.check_tail(shown, options, assumed))
    return _code(made, fail_on)


def emit(report: Report, fmt: Format, options: RenderOptions, fail_on: set[Status], out: Callable[[str], Any], err: Callable[[str], Any], recorder: memo.Recorder | None = None) -> int:
    """Print the report with `out` (problems with `err` where the format has no place for
    them); its exit code. The check table's marks go to the recorder."""
    last = ""  # empty output still ends with a newline, as it always did
    held: list[str] = []  # a table comes a line at a time: printed some 64 KB at once
    size = 0
    for text in chunks(report, fmt, options):
        if isinstance(text, Mark):
            if recorder is not None:
                _print(held, out)
                size = 0
                recorder.mark(text.worker, text.assumed)
        elif text:
            held.append(text)
            size += len(text)
            last = text[-1]
            if size >= _PRINTED_AT_ONCE:
                _print(held, out)
                size = 0
    if last != "\n":
        held.append("\n")
    _print(held, out)
    if fmt in _NO_PROBLEMS:
        for problem in report.problems:
            err(problem.render() + "\n")
    return _code(report, fail_on)


_PRINTED_AT_ONCE = 1 << 16  # characters: a write a line was a tenth of a statewide table's printing


def _print(held: list[str], out: Callable[[str], Any]) -> None:
    if held:
        out("".join(held))
        held.clear()


def _code(report: Report, fail_on: set[Status]) -> int:
    if report.problems:
        return 2
    if failing(report, fail_on):
        return 1
    return 0


def parse_statuses(value: str) -> set[Status]:
    statuses = set()
    for word in filter(None, (w.strip() for w in value.split(","))):
        try:
            statuses.add(Status(word))
        except ValueError:
            raise typer.BadParameter(f'"{word}" is not a status ({", ".join(s.value for s in Status)})') from None
    return statuses
