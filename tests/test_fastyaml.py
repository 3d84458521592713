"""The fast loader (libyaml's events) against ruamel.yaml's round-trip loader: on any document
both can read, the same values at the same positions (fastyaml.py's promise). Reports read
case files with the first; writers and error messages use the second."""

from __future__ import annotations

import datetime as dt
import io
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from pptcli import fastyaml
from pptcli.locator import Locator
from pptcli.yamlio import MAX_DEPTH, ParseError, parse, parse_roundtrip, to_plain

# Scalars chosen for how YAML resolves them: text that looks like another type, and values
# of every type of the core schema (YAML 1.2), where YAML 1.1 (PyYAML's default) differs.
LOOKALIKES = ["yes", "no", "on", "off", "y", "n", "~", "null", "Null", "NULL", "true", "False", "TRUE", "1e3", "0o17",
              "0x1F", "017", "1_000", "12:30", "1:20:30", ".inf", "-.Inf", ".nan", "+12", "-0", "3.", ".5", "2024-02-30",
              "2024-2-3", "2024-02-03T10:00:00", "2024-02-03 10:00:00Z", "", " ", "a: b", "- x", "#", "é", "x\ny", "'q'"]
scalars = st.one_of(
    st.sampled_from(LOOKALIKES),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)),
)
keys = st.one_of(st.sampled_from(["id", "yes", "1", "null", "a b", "x:y"]), st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=8))
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=25,
)


def dumped(data: Any, flow: bool) -> str:
    yaml = YAML(typ="rt")
    yaml.default_flow_style = flow
    yaml.width = 4096
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):  # ruamel's TimeStamp is one
        return a == b and a.tzinfo == b.tzinfo
    if type(a) is not type(b) and not (isinstance(a, str) and isinstance(b, str)):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def assert_read_alike(text: str) -> None:
    try:
        slow = _located(parse_roundtrip(text))
    except ParseError:  # ruamel.yaml can dump what no one reads back (`{:0: null}`)
        with pytest.raises(ParseError):
            parse(text)
        return
    try:
        fast = parse(text)
    except ParseError as exc:  # libyaml cannot read it (`[:0]`, YAML 1.2 only): refused, and located
        assert exc.line >= 1 and exc.column >= 1 and exc.message, text
        return
    assert same(fast, slow), text
    if isinstance(fast, (dict, list)):
        mine, theirs = Locator.of(fast), Locator.of(slow)
        # An empty value (`key:` and nothing) stands where libyaml sees it end, after the key;
        # ruamel places it at the next token. Neither is wrong; no message points at one.
        empty = {path for path in mine.values if _at(fast, path) is None}
        assert {p: v for p, v in mine.values.items() if p not in empty} == {p: v for p, v in theirs.values.items() if p not in empty}, text
        assert mine.keys == theirs.keys, text


def _located(node: Any) -> Any:
    """A ruamel document as fastyaml's located mappings and lists, to compare with fastyaml's."""
    if isinstance(node, CommentedMap):
        data = fastyaml.LocatedDict()
        data.at = _lc(None, node.lc.line, node.lc.col)
        data.keys_at, data.values_at = {}, {}
        marks = node.lc.data or {}
        for key, value in node.items():  # merged keys (<<) have no position of their own
            data[key] = _located(value)
            data.keys_at[key] = _lc(data.at, *(marks.get(key) or (None, None))[:2])
            data.values_at[key] = _lc(data.at, *(marks.get(key) or (None, None, None, None))[2:4])
        return data
    if isinstance(node, CommentedSeq):
        items = fastyaml.LocatedList(_located(v) for v in node)
        items.at = _lc(None, node.lc.line, node.lc.col)
        marks = node.lc.data or {}
        items.items_at = [_lc(items.at, *(marks.get(i) or (None, None))[:2]) for i in range(len(node))]
        return items
    return to_plain(node)


def _lc(fallback: tuple[int, int] | None, line: int | None, col: int | None) -> tuple[int, int]:
    """ruamel's 0-based position as 1-based, or the fallback where it has none."""
    if line is None or col is None:
        return fallback or (1, 1)
    return line + 1, col + 1


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        data = data[step]
    return data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.booleans())
def test_both_loaders_read_the_same_values_at_the_same_positions(data: Any, flow: bool) -> None:
    assert_read_alike(dumped(data, flow))


PLAIN = [*LOOKALIKES, "0b101", "-0x1F", "1_000", "0x_1", "1_0.5", "1E+3", ".5e-3", ".5e3", "1.2.3", "0o8", "+0o7", "1e",
         "2024-2-3T10:00:00", "2024-02-03 1:02:03", "2024-02-03t10:00:00.5 +01:00", "12:30:00", "+.inf", "-.nan"]
# Not `+_`, `._`, `0b_`: ruamel.yaml's patterns take them for numbers and its constructor
# then fails. The fast loader reads them as text; only a document libyaml cannot read goes
# to ruamel.yaml, and such a document is then reported with libyaml's message.


@pytest.mark.parametrize("plain", [p for p in PLAIN if p.strip() and "\n" not in p and ": " not in p and not p.startswith(("-", "#", "'"))])
def test_both_loaders_resolve_a_plain_scalar_alike(plain: str) -> None:
    """Values written by hand, unquoted: what a dump of values never writes plain."""
    assert_read_alike(f"x: {plain}\nl: [{plain}]\n" if ":" not in plain else f"x: {plain}\n")


@pytest.mark.parametrize("text", [
    "a: 1\nb: [x, y, {c: d}]\n",
    "list:\n- a\n- - b\n  - c\n- k: v\n  w: 2024-01-05\n",
    "q: 'single'\nd: \"double \\u00e9\"\nl: |\n  literal\n  text\nf: >\n  folded\n  text\n",
    "y: !!int '7'\nz: !!float 1\nt: !!timestamp 2024-1-2\nb: !!bool true\nn: !!null ~\n",
    "%YAML 1.2\n---\nz: 1\n...\n",
    "just text\n",
    "- 1\n- two\n",
])
def test_both_loaders_read_these_documents_alike(text: str) -> None:
    assert_read_alike(text)


def nested(depth: int, leaf: str) -> str:
    """A document whose innermost list is `depth` levels below the root mapping."""
    return "id: x\nnotes: " + "[" * depth + leaf + "]" * depth + "\n"


def test_a_value_nested_one_level_past_the_limit_is_refused_where_it_stands() -> None:
    parse(nested(MAX_DEPTH - 1, "ok"))  # the innermost list at the limit, its item one below: no
    with pytest.raises(ParseError) as caught:
        parse(nested(MAX_DEPTH, "deep"))  # the list at the limit: its item is one level past
    assert caught.value.line == 2
    assert caught.value.column == len("notes: ") + MAX_DEPTH + 1  # at "deep", not at 1:1
    assert "nested more than 32 levels deep" in caught.value.message
    parse(nested(MAX_DEPTH, ""))  # an empty list at the limit holds nothing too deep


def test_a_key_at_the_limit_is_not_too_deep_but_its_value_is() -> None:
    body = "".join("  " * level + f"k{level}:\n" for level in range(MAX_DEPTH))
    parse(body + "  " * MAX_DEPTH + "{}\n")  # the mapping at the limit is empty
    with pytest.raises(ParseError) as caught:
        parse(body + "  " * MAX_DEPTH + "last: value\n")
    assert (caught.value.line, caught.value.column) == (MAX_DEPTH + 1, 2 * MAX_DEPTH + len("last: ") + 1)


@pytest.mark.parametrize(("text", "message"), [
    ("x: !!int abc\n", "the value is not a whole number, as its tag !!int says"),
    ("x: !!float many\n", "the value is not a number, as its tag !!float says"),
    ("x: !!bool maybe\n", "the value is not true or false, as its tag !!bool says"),
    ("x: !!null nothing\n", "the value is not null, as its tag !!null says"),
    ("x: !!timestamp soon\n", "the value is not a date, as its tag !!timestamp says"),
    ("x: !!int --5\n", "the value is not a whole number, as its tag !!int says"),
    ("x: !!int +_\n", "the value is not a whole number, as its tag !!int says"),
    ("x: !!float nan\n", "the value is not a number, as its tag !!float says"),
])
def test_a_scalar_not_of_its_tag_is_a_located_problem(text: str, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(text)
    assert (caught.value.line, caught.value.column, caught.value.message) == (1, 4, message)


def test_a_tagged_date_or_time_that_does_not_exist_stays_text_to_be_reported() -> None:
    assert parse("a: !!timestamp 2024-02-30\nb: !!timestamp 2024-01-02 25:00:00\n") == {"a": "2024-02-30", "b": "2024-01-02 25:00:00"}
    assert parse("a: !!timestamp 2024-1-2\n") == {"a": dt.date(2024, 1, 2)}  # as ruamel.yaml reads it


def test_a_scalar_tagged_str_is_text() -> None:
    assert parse("x: !!str 12\n") == {"x": "12"}  # ruamel.yaml keeps a TaggedScalar: not compared


def test_a_date_read_again_is_the_same_object_and_the_table_of_them_is_bounded() -> None:
    """Findings carry their dates between processes and to disk by pickle, which writes an
    object it has seen as a reference: the fast loader gives one object per date. A file of
    many distinct dates must not make the table grow past its bound."""
    first, again = parse("a: 2031-07-04\nb: [2031-07-04]\n"), parse("c: 2031-07-04\n")
    assert first["a"] == dt.date(2031, 7, 4)
    assert first["a"] is first["b"][0] is again["c"]

    days = [dt.date(1900, 1, 1) + dt.timedelta(days=i) for i in range(fastyaml._DAYS_HELD + 10)]
    doc = parse("".join(f"- {day}\n" for day in days))
    assert doc == days
    assert len(fastyaml._DAYS) <= fastyaml._DAYS_HELD
