"""Property tests of the text edits behind every write (STYLE: hypothesis for write round-trips).

Whatever the list's style (block, one flow mapping per item, one flow list), its indentation,
blank lines and comments, and whatever text a record carries: the edited text reads back as
exactly the intended data, and every line of the old text is still there, in order.
"""

from __future__ import annotations

import datetime as dt
from difflib import SequenceMatcher

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from pptcli.write_emit import scalar
from pptcli.write_text import Insert, Set, apply_data, edit, verify
from pptcli.yamlio import parse, to_plain

DATES = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))


@given(st.text(max_size=40))
@example("A\n")  # once written plain, its newline lost
def test_any_text_reads_back_as_itself(text: str) -> None:
    assert parse(f"key: {scalar(text)}  # comment\n")["key"] == text


@st.composite
def listings(draw: st.DrawFn) -> tuple[str, list[dt.date], str]:
    """A small document with a list of dated records, in one of the styles people write."""
    dates = sorted(set(draw(st.lists(DATES, max_size=5))))
    style = draw(st.sampled_from(["block", "flow items", "flow list"])) if dates else "flow list"
    dash = draw(st.sampled_from([0, 2, 4]))
    blank, comment = draw(st.booleans()), draw(st.booleans())
    lines = ["# records kept by hand", 'id: "X-1"', ""]
    if style == "flow list":
        lines.append("records: [" + ", ".join(f"{{date: {d}, note: 'n{i}'}}" for i, d in enumerate(dates)) + "]" + ("  # all" if comment else ""))
    else:
        lines.append("records:")
        for i, d in enumerate(dates):
            if i and blank:
                lines.append("")
            if comment:
                lines.append(" " * dash + f"# record {i}")
            if style == "flow items":
                lines.append(" " * dash + f"- {{date: {d}, note: 'n{i}'}}")
            else:
                lines += [" " * dash + f"- date: {d}   # when", " " * (dash + 2) + f'note: "n{i}"']
    lines += ["", "after: 1   # the next key"]
    return "\n".join(lines) + "\n", dates, style


def _check(text: str, op: Insert | Set, changed_lines_allowed: bool) -> None:
    expected = to_plain(parse(text))
    apply_data(expected, op)
    new = edit(text, [op])
    verify(new, expected)  # raises unless the new text reads back as the intended data
    opcodes = SequenceMatcher(None, text.splitlines(), new.splitlines(), autojunk=False).get_opcodes()
    kept_lines = all(tag in ("equal", "insert") for tag, *_ in opcodes)
    one_line_changed = sum(1 for tag, *_ in opcodes if tag != "equal") == 1
    assert kept_lines or (changed_lines_allowed and one_line_changed), new


@settings(max_examples=150, deadline=None)
@given(listings(), DATES, st.text(max_size=20))
def test_inserting_a_record_only_adds_lines(listing: tuple[str, list[dt.date], str], day: dt.date, note: str) -> None:
    text, dates, style = listing
    index = sum(1 for d in dates if d <= day)  # date order, as the writers keep it
    _check(text, Insert(("records",), index, {"date": day, "note": note}), changed_lines_allowed=style == "flow list")


@settings(max_examples=100, deadline=None)
@given(listings(), DATES, st.data())
def test_adding_a_key_to_a_record_only_adds_lines(listing: tuple[str, list[dt.date], str], day: dt.date, data: st.DataObject) -> None:
    text, dates, style = listing
    assume(dates)
    which = data.draw(st.integers(0, len(dates) - 1))
    op = Set(("records", which, "done"), day, order=("date", "note", "done"))
    _check(text, op, changed_lines_allowed=style != "block")


def test_the_info_sources_offered_on_the_command_line_are_the_case_files_keys() -> None:
    """write_kinds spells the sources out so start-up need not import the models."""
    from pptcli.model.case import InfoGathered
    from pptcli.write_kinds import SOURCES

    assert SOURCES == tuple(InfoGathered.model_fields)
