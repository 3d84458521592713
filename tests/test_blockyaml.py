"""The line reader (blockyaml.py) against libyaml's (fastyaml.py): whatever the first reads,
it reads as the second does, values, types and positions; anything else it leaves, and
that includes every text the second refuses. Checked on the demonstration repository, a
generated one, generated documents, and case files damaged one character at a time."""

from __future__ import annotations

import datetime as dt
import math
import random
import subprocess
import sys
from typing import Any

import pytest
from conftest import PROJECT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pptcli import blockyaml, fastyaml
from pptcli.yamlio import parse

DEMO = sorted((PROJECT / "cases").rglob("*.yaml"))
RULES = sorted((PROJECT / "rules").rglob("*.yaml"))


def difference(a: Any, b: Any, path: tuple[Any, ...] = ()) -> str | None:
    """Where two read documents differ (None: nowhere): values, types, order, positions."""
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} {a!r} against {type(b).__name__} {b!r}"
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"{path}: keys {list(a)} against {list(b)}"
        if (a.at, a.keys_at, a.values_at) != (b.at, b.keys_at, b.values_at):
            return f"{path}: positions {(a.at, a.keys_at, a.values_at)} against {(b.at, b.keys_at, b.values_at)}"
        return next((d for k in a if (d := difference(a[k], b[k], (*path, k)))), None)
    if isinstance(a, list):
        if len(a) != len(b) or (a.at, a.items_at) != (b.at, b.items_at):
            return f"{path}: {len(a)} items at {(a.at, a.items_at)} against {len(b)} at {(b.at, b.items_at)}"
        return next((d for i, (x, y) in enumerate(zip(a, b)) if (d := difference(x, y, (*path, i)))), None)
    if isinstance(a, float) and math.isnan(a) and math.isnan(b):
        return None
    return None if a == b else f"{path}: {a!r} against {b!r}"


def check(text: str) -> bool:
    """blockyaml reads `text` as fastyaml does, or leaves it; True when it read it."""
    mine = blockyaml.load(text)
    if mine is None:
        return False
    try:
        theirs = fastyaml.load(text)
    except Exception as exc:  # noqa: BLE001 - any refusal: the line reader must have left it
        pytest.fail(f"blockyaml read a text fastyaml refuses ({exc!r}):\n{text}")
    assert difference(mine, theirs) is None, f"{difference(mine, theirs)}\n{text}"
    return True


def test_the_demonstration_repository_is_read_alike_and_mostly_by_lines() -> None:
    read = [path for path in DEMO + RULES if check(path.read_text(encoding="utf-8"))]
    cases = [path for path in DEMO if path.name not in ("ppt.yaml", "staff.yaml", "calendar.yaml")]
    assert len([p for p in read if p in cases]) >= len(cases) * 3 // 4  # the fast path is the common one


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    out = tmp_path_factory.mktemp("generated") / "repo"
    done = subprocess.run(
        [sys.executable, str(PROJECT / "benchmarks" / "generate.py"), str(out), "--cases", "300", "--seed", "3", "--offices", "4"],
        capture_output=True, text=True, check=False, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return [path.read_text(encoding="utf-8") for path in sorted(out.rglob("*.yaml"))]


def test_a_generated_repository_is_read_alike_and_mostly_by_lines(generated: list[str]) -> None:
    read = sum(check(text) for text in generated)
    assert read >= len(generated) * 9 // 10


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_a_case_file_damaged_anywhere_is_read_alike_or_left(generated: list[str], data: st.DataObject) -> None:
    """One to three characters YAML gives meaning to, put in, taken out or swapped anywhere."""
    text = data.draw(st.sampled_from(generated[:40]))
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text)))
        piece = data.draw(st.sampled_from([":", ": ", "#", " #", "-", "- ", " ", "  ", "\n", "'", '"', "''", "[", "]", "{", "}",
                                           ",", ", ", "&a ", "*a", "!", "|", ">", "?", "? ", "%", "@", "`", "\\", "\t", "\r",
                                           "\x01", "é", "\u00a0", "\x85", "\u2028", "\ufeff", "😀", "名", "---", "...", "x", "1",
                                           "~", "null", "true"]))
        how = data.draw(st.sampled_from(["insert", "replace", "delete"]))
        if how == "insert":
            text = text[:at] + piece + text[at:]
        elif how == "replace":
            text = text[:at] + piece + text[at + len(piece) :]
        else:
            text = text[:at] + text[at + len(piece) :]
    check(text)


names = st.sampled_from(["id", "date", "kind", "true", "False", "null", "Null", "y", "no", "a_b", "_x", "x1", "ab", "Yes"])
plains = st.sampled_from(["a", "yes", "no", "on", "true", "False", "TRUE", "null", "~", "NULL", "1", "-1", "+1", "017", "0o17",
                          "0x1F", "1_000", "1e3", "1.5", ".5", "3.", "-.inf", ".NaN", "2024-02-03", "2024-02-30", "2024-2-3",
                          "2024-02-03 10:00:00", "a b", "a  b", "a,b", "a]", "x?", "-x", "?x", "a'b", 'a"b', "a{b}", "[x", "x#y",
                          "Zoë Bérubé", "Côté", "名前", "😀 x", "a\u00a0b", "\u00a0a", "a\u00a0", "١٢٣", "٢٠٢٤-٠١-٠٢", "ǅ"])
# Any character a case file may hold, accents, other scripts, emoji and odd spaces among them.
text_chars = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
quoted = st.text(text_chars, max_size=8).map(lambda t: '"' + t.replace('"', "") + '"')
singled = st.text(text_chars, max_size=8).map(lambda t: "'" + t.replace("'", "") + "'")
scalars = st.one_of(plains, quoted, singled)
comments = st.sampled_from(["", " # c", "   #c", " #"])
spaces = st.sampled_from([" ", "  ", "   "])


@st.composite
def flows(draw: st.DrawFn, depth: int = 2) -> str:
    """A one-line flow list or mapping, holding flow collections `depth` - 1 deep."""
    values = st.one_of(scalars, flows(depth - 1)) if depth > 1 else scalars
    if draw(st.booleans()):
        items = draw(st.lists(values, max_size=4))
        return "[" + draw(st.sampled_from([", ", ",", " , "])).join(items) + "]"
    pairs = draw(st.lists(st.tuples(names, values), max_size=4, unique_by=lambda pair: pair[0]))
    return "{" + ", ".join(f"{k}:{draw(spaces)}{v}" for k, v in pairs) + "}"


@st.composite
def blocks(draw: st.DrawFn, indent: int, depth: int) -> list[str]:
    """The lines of a block mapping at `indent`, of the plain shape (mostly)."""
    lines = []
    for key in draw(st.lists(names, min_size=1, max_size=4, unique=True)):
        pad = " " * indent
        kinds = ["scalar", "scalar", "flow", "map", "list", "list-at-key"] if depth < 3 else ["scalar", "flow"]
        kind = draw(st.sampled_from([*kinds * 6, "empty"]))  # an empty value is left to libyaml: mostly not
        if kind == "scalar":
            lines.append(f"{pad}{key}:{draw(spaces)}{draw(scalars)}{draw(comments)}")
        elif kind == "flow":
            lines.append(f"{pad}{key}: {draw(flows(draw(st.integers(1, 3))))}{draw(comments)}")
        elif kind == "empty":
            lines.append(f"{pad}{key}:{draw(comments)}")
        elif kind == "map":
            lines.append(f"{pad}{key}:{draw(comments)}")
            lines += draw(blocks(indent + draw(st.integers(1, 3)), depth + 1))
        else:
            lines.append(f"{pad}{key}:")
            dash = indent if kind == "list-at-key" else indent + draw(st.integers(1, 2))
            for _ in range(draw(st.integers(1, 3))):
                if draw(st.booleans()):
                    lines.append(f"{' ' * dash}-{draw(spaces)}{draw(st.one_of(scalars, flows()))}{draw(comments)}")
                else:
                    gap = draw(spaces)
                    inner = draw(blocks(dash + 1 + len(gap), depth + 1))
                    lines.append(f"{' ' * dash}-{gap}{inner[0].lstrip(' ')}")
                    lines += inner[1:]
        if draw(st.integers(0, 5)) == 0:
            lines.append(draw(st.sampled_from(["", "# note", "   # note", "   "])))
    return lines


@settings(max_examples=600, deadline=None)
@given(lines=blocks(0, 0))
def test_documents_of_the_plain_shape_are_read_alike(lines: list[str]) -> None:
    check("\n".join(lines) + "\n")


@pytest.mark.parametrize("text", [
    "a: b\n", "a: 'x'\n", 'a: "x"  # c\n', "a:  b   # c\n", "a: [b, c]\n", "a: {b: c}\n", "a: []\n", "a: {}\n",
    "a:\n- b\n- c\nd: e\n", "a:\n  - b\n  - {c: d}\n", "a:\n  b: c\n  d:\n    - e\n", "# head\n\na: 1\n", "a: -1\n",
    "a:\n- b: c\n  d: e\n- f: g\n", "true: 1\nnull: 2\n", "a: 2024-02-03\nb: 2024-02-30\n", "a: [1, 2024-01-02, true]\n",
    "a: [b,c]\n", "a:\n  # note\n  b: c\n", "a: [[b]]\n", "a: {b: {c: d}}\n", "a: {b: {}, c: [], d: [e, 'f']}  # g\n",
    "a: [{b: c}, [d, e], {}]\n", "a:\n  - {b: {c: \"d\"}, e: 2024-01-02}\n", "a: Zoë\nb: [Côté, \"名前\"]  # é\nc: {d: 😀 x}\n", "a: b\u00a0\n",
])
def test_texts_of_the_plain_shape_are_read_by_lines(text: str) -> None:
    assert check(text)


@pytest.mark.parametrize("text", [
    "a: b\n  c\n",  # a plain scalar going on below
    "a: b\n# note\n  c\n", "a: 'it''s'\n", 'a: "x\\ty"\n', "a: |\n  x\n", "a: >\n  x\n", "a: &x b\nc: *x\n", "a: !!str 1\n",
    "a:\n", "a:\nb: c\n", "a: b: c\n", "a: b:\n", "a:b\n", "a : b\n", "a: - b\n", "- a\n", "a\n", "  a: b\n", "a: b\na: c\n",
    "a: {b: c, b: d}\n", "a: [b, ]\n", "a: [[[b]]]\n", "a: {b: {c: {d: e}}}\n", "a: {b: {c: d}]\n", "a: [{b: c}}\n",
    "a: {b: [c], }\n", "a: [[b], ]\n", "a: [[b] c]\n", "a: {b: {c: d}, b: e}\n", "a: {b: {c: d, c: e}}\n", "a: [b,\n  c]\n", '"a": b\n', "a-b: c\n",
    "---\na: b\n", "a: b\n...\n", "%YAML 1.2\n---\na: b\n", "a: b\n---\nc: d\n", "a:\n- - b\n", "a:\n-\n  b\n", "a:\n -b\n",
    "a: b\r\nc: d\r\n", "a:\tb\n", "a: \x01\n", "a: x\x85y\n", "a: \x9f\n", "\ufeffa: b\n", "a: x\ufeffy\n", "a: \ufffe\n", "? a\n: b\n", "a: [b]c\n", "a: 'b'c\n", 'a: "b" c\n',
    "a: b#c\n", "a: b #c\n  d\n", "a: 'b\n  c'\n", "a: {b: c} # d\n  e: f\n", "a:\n  b: c\n d: e\n", "a:\n  - b\n   - c\n",
])
def test_other_texts_are_left_to_libyaml(text: str) -> None:
    assert blockyaml.load(text) is None
    check(text)  # trivially: it read nothing


def test_a_hostile_line_is_left_without_backtracking_over_it() -> None:
    """Runs of spaces that a backtracking pattern would retry at every position (this test
    would not end if one did)."""
    for line in ["a:" + " " * 200_000 + ":", "a: b" + " " * 200_000 + ":", " " * 200_000 + "a: b", "- " + " " * 200_000 + ":",
                 "a: [" + " " * 200_000 + ":", "a: {b:" + " " * 200_000 + ",", "a: b" + " x" * 100_000 + ":"]:
        assert blockyaml.load(line + "\n") is None


def test_parse_reads_by_lines_and_keeps_the_source_lines() -> None:
    text = "id: X-1\nchild: {name: \"A. B.\", born: 2012-05-14}\n"
    data = parse(text)
    assert data == {"id": "X-1", "child": {"name": "A. B.", "born": dt.date(2012, 5, 14)}}
    assert data.lines == text.splitlines()
    assert data.values_at["child"] == (2, 8)
    assert data["child"].values_at["born"] == (2, 30)
    assert blockyaml.load(text) is not None


def test_the_table_of_resolved_scalars_is_bounded() -> None:
    held = blockyaml._RESOLVED_HELD
    blockyaml._RESOLVED_HELD = len(blockyaml._RESOLVED) + 3
    try:
        values = [f"v{random.random()}" for _ in range(10)]
        assert blockyaml.load("a: [" + ", ".join(values) + "]\n") == {"a": values}
        assert len(blockyaml._RESOLVED) == blockyaml._RESOLVED_HELD
    finally:
        blockyaml._RESOLVED_HELD = held
