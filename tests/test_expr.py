"""The condition language of rule files (pptcli.expr.Expr): what it may say, what it may not.

Rules stay data: an expression is checked when the rule file loads, so anything outside the
language (imports, subscripts, lambdas, comprehensions, private names, keyword or attribute
calls) is refused at parse time with ExprError, never at evaluation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pptcli.expr import MAX_LENGTH, Expr, ExprError


def ev(source: str, **names: Any) -> Any:
    return Expr.parse(source)(names)


@dataclass(frozen=True)
class Plan:
    goal: str
    concurrent_goal: str | None
    set: dt.date


PLAN = Plan("reunification", None, dt.date(2026, 2, 20))


# --- What the language has -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "names", "expected"),
    [
        ("3", {}, 3),
        ("'held'", {}, "held"),
        ("None", {}, None),
        ("True", {}, True),
        ("status", {"status": "held"}, "held"),
        ("status == 'held'", {"status": "held"}, True),
        ("status != 'cancelled'", {"status": "held"}, True),
        ("n < 5", {"n": 4}, True),
        ("n <= 4", {"n": 4}, True),
        ("n > 4", {"n": 4}, False),
        ("n >= 4", {"n": 4}, True),
        ("1 < n < 3", {"n": 2}, True),
        ("1 < n < 3", {"n": 3}, False),
        ("worker in attendees", {"worker": "c.ames", "attendees": ("s.cole", "c.ames")}, True),
        ("worker not in attendees", {"worker": "c.ames", "attendees": ("s.cole",)}, True),
        ("'barriers' in discussed", {"discussed": ("connections",)}, False),
        ("worker in attendees", {"worker": "c.ames", "attendees": None}, False),  # `in` nothing: false
        ("worker not in attendees", {"worker": "c.ames", "attendees": None}, True),
        ("permanency is None", {"permanency": None}, True),
        ("permanency is not None", {"permanency": None}, False),
        ("a and b", {"a": True, "b": False}, False),
        ("a and b", {"a": 1, "b": 2}, 2),  # Python's value semantics
        ("a or b", {"a": 0, "b": "x"}, "x"),
        ("not first", {"first": False}, True),
        ("not first and affects_ppt_schedule", {"first": False, "affects_ppt_schedule": True}, True),
        ("[a, b]", {"a": 1, "b": 2}, [1, 2]),
        ("(a, b)", {"a": 1, "b": 2}, [1, 2]),
        ("'appla' not in [plan.goal, plan.concurrent_goal]", {"plan": PLAN}, True),
        ("held if first else anchor", {"first": True, "held": 1, "anchor": 2}, 1),
        ("held if first else anchor", {"first": False, "held": 1, "anchor": 2}, 2),
        ("n + 1", {"n": 4}, 5),
        ("n - 1", {"n": 4}, 3),
        ("-n", {"n": 4}, -4),
        ("'a' + 'b'", {}, "ab"),
        ("plan.goal", {"plan": PLAN}, "reunification"),
        ("plan.set", {"plan": PLAN}, dt.date(2026, 2, 20)),
        ("team.cpsw", {"team": {"cpsw": "c.ames"}}, "c.ames"),  # mappings read like records
        ("team.jppo", {"team": {"cpsw": "c.ames"}}, None),
        ("plan.set if plan.goal and plan.concurrent_goal else None", {"plan": PLAN}, None),
        ("age_on(plan.set) >= appla_min_age", {"plan": PLAN, "age_on": lambda d: 15, "appla_min_age": 16}, False),
        ("next_ppt_after(trigger)", {"trigger": dt.date(2026, 3, 5), "next_ppt_after": lambda d: d + dt.timedelta(days=1)}, dt.date(2026, 3, 6)),
        ("  status == 'held'  ", {"status": "held"}, True),  # surrounding blanks are fine
    ],
)
def test_allowed_constructs_evaluate(source: str, names: dict[str, Any], expected: Any) -> None:
    assert ev(source, **names) == expected


def test_attribute_access_is_null_safe() -> None:
    assert ev("plan.goal", plan=None) is None
    assert ev("plan.goal.value", plan=None) is None  # the whole chain
    assert ev("plan.concurrent_goal", plan=PLAN) is None
    assert ev("'appla' in [plan.goal, plan.concurrent_goal]", plan=None) is False
    assert ev("not (in_placement(date) and plan.concurrent_goal)", plan=None, date=dt.date(2026, 1, 1), in_placement=lambda d: True) is True


def test_and_or_short_circuit() -> None:
    def boom() -> None:
        raise AssertionError("evaluated")

    assert ev("ok or boom()", ok=True, boom=boom) is True
    assert ev("ok and boom()", ok=False, boom=boom) is False
    assert ev("ok if ok else boom()", ok=1, boom=boom) == 1


def test_evaluation_errors_are_expr_errors() -> None:
    with pytest.raises(ExprError, match="unknown name"):
        ev("nobody")
    with pytest.raises(ExprError, match="no field"):
        ev("plan.colour", plan=PLAN)
    with pytest.raises(ExprError, match="not a rule function"):
        ev("status()", status="held")
    # Python's builtins are not rule functions: only what the context offers can be called.
    with pytest.raises(ExprError, match="not a rule function"):
        ev("getattr(plan, 'goal')", plan=PLAN)
    with pytest.raises(ExprError, match="not a rule function"):
        ev("open('x')")


def test_a_parsed_expression_keeps_its_source_and_is_reusable() -> None:
    expr = Expr.parse("n > 1")
    assert expr.source == "n > 1"
    assert [expr({"n": n}) for n in (0, 1, 2)] == [False, False, True]


# --- What it has not: refused at parse time -------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "__import__('os')",  # a private name, and the way out of any sandbox
        "__import__('os').system('true')",
        "import os",  # a statement
        "x = 1",
        "x; y",
        "x[0]",  # subscripts
        "attendees[1:]",
        "team['cpsw']",
        "lambda: 1",
        "(lambda x: x)(1)",
        "[i for i in attendees]",
        "{i for i in attendees}",
        "{i: i for i in attendees}",
        "(i for i in attendees)",
        "any(x for x in attendees)",
        "plan._private",
        "plan.__class__",
        "().__class__.__bases__",
        "_hidden",
        "_",
        "f(x=1)",  # keyword calls
        "f(*args)",
        "f(**kwargs)",
        "plan.set.replace(year=2000)",  # attribute calls
        "status.upper()",
        "age_on(plan.set).bit_length()",
        "a * b",  # operators the language does not have
        "a / b",
        "a ** b",
        "a % b",
        "a // b",
        "a @ b",
        "~a",
        "a | b",
        "a & b",
        "{'a': 1}",
        "{1, 2}",
        "f'{x}'",
        "(x := 1)",
        "await x",
        "yield x",
        "*a",
        "",
        "   ",
        "status ==",
        "'unterminated",
        "x" * (MAX_LENGTH + 1),
    ],
)
def test_forbidden_constructs_are_refused_at_parse_time(source: str) -> None:
    with pytest.raises(ExprError):
        Expr.parse(source)


def test_the_refusal_says_what_is_wrong() -> None:
    with pytest.raises(ExprError, match="Subscript"):
        Expr.parse("x[0]")
    with pytest.raises(ExprError, match="private"):
        Expr.parse("plan._secret")
    with pytest.raises(ExprError, match="private"):
        Expr.parse("__import__('os')")
    with pytest.raises(ExprError, match="Lambda"):
        Expr.parse("lambda: 1")
    with pytest.raises(ExprError, match="plain calls"):
        Expr.parse("f(x=1)")
    with pytest.raises(ExprError, match="plain calls"):
        Expr.parse("status.upper()")
    with pytest.raises(ExprError, match=str(MAX_LENGTH)):
        Expr.parse("x" * (MAX_LENGTH + 1))


def test_a_lone_surrogate_is_an_expr_error() -> None:
    """Text that is not valid Unicode cannot parse either; it must not escape as another error."""
    with pytest.raises(ExprError):
        Expr.parse("first or \udcff")


# --- Names are collected for the load-time check ---------------------------------------------------


@pytest.mark.parametrize(
    ("source", "names"),
    [
        ("worker in attendees or supervisor in attendees", {"worker", "attendees", "supervisor"}),
        ("plan.concurrent_goal", {"plan"}),  # attribute names are not names
        ("age_on(plan.set) >= appla_min_age", {"age_on", "plan", "appla_min_age"}),
        ("'barriers' in discussed", {"discussed"}),
        ("held if first else None", {"held", "first"}),
        ("3 + 4", set()),
        ("not first and affects_ppt_schedule", {"first", "affects_ppt_schedule"}),
    ],
)
def test_names_are_collected(source: str, names: set[str]) -> None:
    assert Expr.parse(source).names == frozenset(names)


# --- No text makes the parser fail in any other way ------------------------------------------------

EXPRESSION_ALPHABET = st.sampled_from(
    list("abcxyz_019 .,:;()[]{}'\"+-*/%<>=!&|^~@\\\n\t\x00#")
    + ["and ", "or ", "not ", "in ", "is ", "if ", "else ", "lambda ", "for ", "None", "__", "import ", "yield ", "await ", "f'"]
)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80))
@example("\x00")
@example("(" * 300)
@example("-" * (MAX_LENGTH - 1) + "1")
@example("[" * 100 + "]" * 100)
@example("1" * 5000)
def test_random_text_raises_nothing_but_expr_error(source: str) -> None:
    try:
        expr = Expr.parse(source)
    except ExprError:
        return
    assert isinstance(expr.names, frozenset)


@settings(max_examples=600, deadline=None)
@given(st.lists(EXPRESSION_ALPHABET, max_size=40).map("".join))
def test_expression_like_text_raises_nothing_but_expr_error(source: str) -> None:
    try:
        expr = Expr.parse(source)
    except ExprError:
        return
    assert all(not name.startswith("_") for name in expr.names)
