"""The condition language of rule files (pptcli.expr.Expr): what it may say, what it may not.

Rules stay data: an expression is checked when the rule file loads, so anything outside the
language (imports, subscripts, lambdas, comprehensions, private names, keyword or attribute
calls) is refused at parse time with ExprError, never at evaluation.
"""

from __future__ import annotations

import ast
import datetime as dt
import operator
from collections.abc import Callable
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


# --- Compiled as the language says -----------------------------------------------------------------
# Expr compiles an expression to a Python function (expr._TEMPLATE); here the language is
# read from the tree, one node at a time, as its docstring says it reads, and the two must
# agree on every value and on which error each expression raises.

_ORDER = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt,
    ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
    ast.In: lambda a, b: b is not None and a in b, ast.NotIn: lambda a, b: b is None or a not in b,
}


def _read(node: ast.AST, ctx: dict[str, Any]) -> Any:
    match node:
        case ast.Constant(value=value):
            return value
        case ast.Name(id=name):
            if name not in ctx:
                raise ExprError(f"unknown name {name!r}")
            return ctx[name]
        case ast.Attribute(value=inner, attr=attr):
            value = _read(inner, ctx)
            if value is None:
                return None
            if isinstance(value, dict):
                return value.get(attr)
            if not hasattr(value, attr):
                raise ExprError(f"{type(value).__name__} has no field {attr!r}")
            return getattr(value, attr)
        case ast.BoolOp(op=op, values=values):
            result: Any = None
            for value in values:
                result = _read(value, ctx)
                if bool(result) is isinstance(op, ast.Or):
                    return result
            return result
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            return not _read(operand, ctx)
        case ast.UnaryOp(op=ast.USub(), operand=operand):
            return -_read(operand, ctx)
        case ast.Compare(left=left, ops=[op], comparators=[right]):
            return _ORDER[type(op)](_read(left, ctx), _read(right, ctx))
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            current = _read(left, ctx)
            for op, comparator in zip(ops, comparators, strict=True):
                right = _read(comparator, ctx)
                if not _ORDER[type(op)](current, right):
                    return False
                current = right
            return True
        case ast.List(elts=elts) | ast.Tuple(elts=elts):
            return [_read(e, ctx) for e in elts]
        case ast.IfExp(test=test, body=body, orelse=orelse):
            return _read(body, ctx) if _read(test, ctx) else _read(orelse, ctx)
        case ast.BinOp(left=left, op=ast.Add(), right=right):
            return _read(left, ctx) + _read(right, ctx)
        case ast.BinOp(left=left, op=ast.Sub(), right=right):
            return _read(left, ctx) - _read(right, ctx)
        case ast.Call(func=ast.Name(id=name), args=args):
            function = ctx.get(name)
            if not callable(function):
                raise ExprError(f"{name!r} is not a rule function")
            return function(*(_read(a, ctx) for a in args))
    raise AssertionError(node)


def _outcome(run: Callable[[], Any], ctx: dict[str, Any]) -> tuple[Any, ...]:
    """What an evaluation gave (its value and type, or its error and message) and the calls
    of `f` it made, in order."""
    calls: list[Any] = []
    ctx = {**ctx, "f": lambda value: calls.append(value) or value}
    try:
        value = run(ctx)
        return "value", type(value), value, calls
    except (ExprError, TypeError, KeyError) as exc:
        return "error", type(exc), str(exc), calls


_ATOMS = st.sampled_from(["a", "b", "n", "items", "rec.p", "rec.q", "rec.gone", "none.p", "ghost", "f(a)", "n(a)", "0", "1", "2", "'x'", "None", "True", "False", "[]", "[a, 1]", "(n, 'x')"])
_COMPARISONS = st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "in", "not in"])
_SINGLETONS = st.sampled_from(["is None", "is not None", "is True", "is not False"])


@st.composite
def _expressions(draw: st.DrawFn, depth: int = 3) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(_ATOMS)
    inner = _expressions(depth - 1)
    form = draw(st.sampled_from(["and", "or", "not", "neg", "compare", "chain", "is", "if", "+", "-", "list", "call"]))
    x, y = draw(inner), draw(inner)
    match form:
        case "and" | "or" | "+" | "-":
            return f"({x} {form} {y})"
        case "not":
            return f"(not {x})"
        case "neg":
            return f"(-{x})"
        case "compare":
            return f"({x} {draw(_COMPARISONS)} {y})"
        case "chain":
            return f"({x} {draw(_COMPARISONS)} {y} {draw(_COMPARISONS)} {draw(inner)})"
        case "is":
            return f"({x} {draw(_SINGLETONS)})"
        case "if":
            return f"({x} if {y} else {draw(inner)})"
        case "list":
            return f"[{x}, {y}]"
    return f"f({x})"


class _Record:
    p = 3
    q = None


_VALUES = st.one_of(st.integers(-2, 3), st.none(), st.sampled_from(["x", "y", ""]), st.lists(st.integers(0, 2), max_size=3), st.booleans())


@settings(max_examples=1500, deadline=None)
@given(_expressions(), _VALUES, _VALUES, _VALUES, st.lists(_VALUES, max_size=3), st.sampled_from([{"p": 1, "q": "x"}, _Record(), None]))
@example("1 < n < 3", 0, 0, 2, [], None)
@example("a in items in b", 1, [[1]], 0, [1], None)
@example("f(a) < f(b) < f(n)", 1, 0, 3, [], None)  # the middle operand evaluated once, the chain stopped
@example("(a in b) or (a not in b)", 1, None, 0, [], None)  # `in` nothing
@example("n == True", 1, None, 1, [], None)  # a value's type counts: 1 is not True
def test_the_compiled_expression_reads_as_the_language_says(source: str, a: Any, b: Any, n: Any, items: list[Any], rec: Any) -> None:
    ctx = {"a": a, "b": b, "n": n, "items": items, "rec": rec, "none": None}
    expr = Expr.parse(source)
    assert _outcome(expr, ctx) == _outcome(lambda c: _read(expr.tree.body, c), ctx), source


def test_a_key_error_raised_by_a_rule_function_is_not_an_unknown_name() -> None:
    def lookup(key: str) -> Any:
        return {}[key]

    with pytest.raises(KeyError):
        ev("lookup('team')", lookup=lookup)
    with pytest.raises(KeyError):  # even when its key is a name the context lacks
        ev("lookup('ghost') if a else ghost", lookup=lookup, a=True)
    with pytest.raises(ExprError, match="unknown name 'team'"):
        ev("lookup(team)", lookup=lookup)


def test_is_compares_with_none_true_or_false_only() -> None:
    assert ev("plan is None", plan=None) is True
    assert ev("None is not plan", plan=PLAN) is True
    assert ev("first is True", first=1) is False
    for source in ("status is 'held'", "n is 1000", "a is b", "a is not b", "None is a is b"):
        with pytest.raises(ExprError, match="None, True or False only"):
            Expr.parse(source)


def test_a_compiled_expression_is_freed_without_the_garbage_collector() -> None:
    import gc
    import weakref

    expr = Expr.parse("worker in attendees")
    run = weakref.ref(expr.run)
    gc.disable()
    try:
        del expr
        assert run() is None
    finally:
        gc.enable()


def test_expressions_compiled_on_threads_keep_their_own_code() -> None:
    """No state is shared while compiling: with one template tree filled in turn, about one
    parse in a thousand got another thread's expression."""
    import sys
    from concurrent.futures import ThreadPoolExecutor

    def parse(k: int) -> int:
        return int(Expr.parse(f"{k} + n")({"n": 0}))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch as often as they can
    try:
        with ThreadPoolExecutor(4) as pool:
            assert list(pool.map(parse, range(4000))) == list(range(4000))
    finally:
        sys.setswitchinterval(interval)
