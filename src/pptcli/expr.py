"""The condition language of rule files: a small, safe subset of Python expressions.

Rules stay data: `when: "affects_ppt_schedule"`, `require: "worker in attendees or
supervisor in attendees"`. An expression may use names from its context, attribute access
(null-safe: `plan.concurrent_goal` is None when there is no plan), literals, lists,
comparisons (`is` with None, True or False only), `in`, `and`/`or`/`not`, `x if c else y`,
`+`, and the functions the engine offers. Nothing else parses: no imports, no subscripts, no
private attributes, no lambdas.
"""

from __future__ import annotations

import ast
import copy
import itertools
import operator
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any


def _in(a: Any, b: Any) -> bool:
    return b is not None and a in b  # `in` nothing is false, not an error


def _not_in(a: Any, b: Any) -> bool:
    return b is None or a not in b


_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: _in,
    ast.NotIn: _not_in,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}
_ALLOWED = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.Compare,
    ast.Name, ast.Load, ast.Attribute, ast.Constant, ast.List, ast.Tuple, ast.IfExp, ast.Call,
    ast.BinOp, ast.Add, ast.Sub,
    *_COMPARE,
)
MAX_LENGTH = 500


class ExprError(ValueError):
    """An expression that does not parse, or uses something the language does not have."""


Compiled = Callable[[Mapping[str, Any]], Any]


@dataclass(frozen=True)
class Expr:
    source: str
    tree: ast.Expression
    names: frozenset[str]  # every free name, checked against the context when rules load
    run: Compiled = field(repr=False, compare=False)  # the tree, compiled (see _TEMPLATE)

    @classmethod
    def parse(cls, source: str) -> Expr:
        if len(source) > MAX_LENGTH:
            raise ExprError(f"expression longer than {MAX_LENGTH} characters")
        try:
            with _COMPILING, warnings.catch_warnings():  # Python's own warnings ("1and", an escape like "\y")
                warnings.simplefilter("ignore")  # concern Python source, not a rule's text
                tree = ast.parse(source.strip(), mode="eval")
        except SyntaxError as exc:
            raise ExprError(f"cannot parse {source!r}: {exc.msg}") from None
        except (ValueError, UnicodeError) as exc:  # null bytes, lone surrogates
            raise ExprError(f"cannot parse {source!r}: {exc}") from None
        names: set[str] = set()
        for node in ast.walk(tree):
            if not isinstance(node, _ALLOWED):
                raise ExprError(f"{source!r}: {type(node).__name__} is not allowed in rule expressions")
            if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
                raise ExprError(f"{source!r}: private attribute {node.attr!r}")
            if isinstance(node, ast.Call) and (not isinstance(node.func, ast.Name) or node.keywords):
                raise ExprError(f"{source!r}: only plain calls of the rule functions are allowed")
            if isinstance(node, ast.Name):
                if node.id.startswith("_"):
                    raise ExprError(f"{source!r}: private name {node.id!r}")
                names.add(node.id)
            if isinstance(node, ast.Compare):
                _identity_with_singletons(source, node)
        checked = frozenset(names)
        return cls(source, tree, checked, _compile(tree, checked))

    def __call__(self, context: Mapping[str, Any]) -> Any:
        return self.run(context)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Expr.parse, (self.source,))  # compiled functions do not pickle; the source does


def _identity_with_singletons(source: str, node: ast.Compare) -> None:
    """`is` and `is not` compare with None, True or False: of other values, identity is up
    to Python (`1000 is 1000` may be either), so a rule could not say what it means."""
    operands = [node.left, *node.comparators]
    for i, op in enumerate(node.ops):
        if isinstance(op, ast.Is | ast.IsNot) and not any(
            isinstance(o, ast.Constant) and (o.value is None or o.value is True or o.value is False) for o in operands[i : i + 2]
        ):
            raise ExprError(f"{source!r}: `is` compares with None, True or False only (use == for other values)")


_ABSENT = object()


def _attribute(value: Any, attr: str) -> Any:
    if value is None:
        return None  # null-safe: `plan.goal` with no plan is None, not an error
    if type(value) is dict or isinstance(value, Mapping):  # a dict without the ABC's check
        return value.get(attr)
    found = getattr(value, attr, _ABSENT)
    if found is _ABSENT:
        raise ExprError(f"{type(value).__name__} has no field {attr!r}")
    return found


def _function(ctx: Mapping[str, Any], name: str) -> Callable[..., Any]:
    function = ctx.get(name)
    if not callable(function):
        raise ExprError(f"{name!r} is not a rule function")
    return function  # type: ignore[no-any-return]


# A checked expression becomes a Python function through Python's own compiler: its tree is
# rewritten so that a name reads the context, an attribute is null-safe, `in` nothing is
# false and a call reaches only the context's rule functions, then compiled as the body of
#
#     def run(ctx):
#         try:
#             return <the rewritten expression>
#         except KeyError as exc:
#             _unknown(exc, ctx)  # ExprError for a name the context lacks
#             raise  # a rule function's own
#
# A statewide report evaluates each rule expression hundreds of thousands of times: walking
# the tree each time cost several times more, and nested closures (a Python call for each
# name, comparison and `and`) twice as much as this (0.53 against 0.25 µs an evaluation of
# six of the shipped rules' expressions). Compiling costs 50-100 µs an expression, once.
_TEMPLATE = ast.parse("def run(ctx):\n    try:\n        return _BODY\n    except KeyError as exc:\n        _unknown(exc, ctx)\n        raise\n")
# One parse or compile at a time: CPython 3.11 counts a tree's depth, turning it into objects
# and back, in a counter all threads share ("AST constructor recursion depth mismatch" when
# two compile at once), and the warnings filters are the process's.
_COMPILING = threading.Lock()
_NATIVE = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot)  # as Python compares
_HELPERS: dict[str, Any] = {
    "KeyError": KeyError,
    "_attribute": _attribute,
    "_in": _in,
    "_not_in": _not_in,
    "_function": _function,
    **{f"_{op.__name__}": compare for op, compare in _COMPARE.items()},
}


def _compile(tree: ast.Expression, names: frozenset[str]) -> Compiled:
    def unknown(exc: KeyError, ctx: Mapping[str, Any]) -> None:
        key = exc.args[0] if len(exc.args) == 1 else None
        # Raised by `run`'s own `ctx[...]` (no frame of a function it called), or by a
        # mapping's own lookup: a KeyError of a rule function is left as it is.
        own = exc.__traceback__ is not None and exc.__traceback__.tb_next is None
        if isinstance(key, str) and key in names and key not in ctx and (own or type(ctx) is not dict):
            raise ExprError(f"unknown name {key!r}") from None

    body = _python(tree.body, itertools.count(1))
    for node in ast.walk(body):  # every node on the line of `return` (ast.fix_missing_locations
        if "lineno" in node._attributes:  # walks the template too, in twice the time; operators,
            node.lineno = node.end_lineno = 3  # shared across trees, have no position)
            node.col_offset = node.end_col_offset = 0
    function, attempt = copy.copy(_TEMPLATE.body[0]), copy.copy(_TEMPLATE.body[0].body[0])  # type: ignore[attr-defined]
    function.body, attempt.body = [attempt], [ast.Return(value=body, lineno=3, col_offset=8, end_lineno=3, end_col_offset=8)]
    with _COMPILING, warnings.catch_warnings():  # Python's advice on Python source, not the rule author's
        warnings.simplefilter("ignore")
        code = compile(ast.Module(body=[function], type_ignores=[]), "<rule expression>", "exec")
    namespace: dict[str, Any] = {"__builtins__": {}, **_HELPERS, "_unknown": unknown}
    exec(code, namespace)  # noqa: S102 - a tree built from a checked one
    return namespace.pop("run")  # type: ignore[no-any-return]  # popped: run's globals would hold run


def _python(node: ast.AST, temporaries: Iterator[int]) -> ast.expr:
    """A checked expression's node as plain Python over the context `ctx` (see _TEMPLATE): new
    nodes, the checked tree left as it is."""
    match node:
        case ast.Constant(value=value):
            return ast.Constant(value)
        case ast.Name(id=name):
            return ast.Subscript(value=_load("ctx"), slice=ast.Constant(name), ctx=ast.Load())
        case ast.Attribute(value=inner, attr=attr):
            return _call("_attribute", _python(inner, temporaries), ast.Constant(attr))
        case ast.BoolOp(op=op, values=values):
            return ast.BoolOp(op=op, values=[_python(v, temporaries) for v in values])
        case ast.UnaryOp(op=ast.Not() | ast.USub() as op, operand=operand):
            return ast.UnaryOp(op=op, operand=_python(operand, temporaries))
        case ast.BinOp(left=left, op=ast.Add() | ast.Sub() as op, right=right):
            return ast.BinOp(left=_python(left, temporaries), op=op, right=_python(right, temporaries))
        case ast.IfExp(test=test, body=body, orelse=orelse):
            return ast.IfExp(test=_python(test, temporaries), body=_python(body, temporaries), orelse=_python(orelse, temporaries))
        case ast.List(elts=elts) | ast.Tuple(elts=elts):
            return ast.List(elts=[_python(e, temporaries) for e in elts], ctx=ast.Load())  # both are lists
        case ast.Call(func=ast.Name(id=name), args=args):
            function = _call("_function", _load("ctx"), ast.Constant(name))
            return ast.Call(func=function, args=[_python(a, temporaries) for a in args], keywords=[])
        case ast.Compare(left=left, ops=[op], comparators=[right]):
            if isinstance(op, _NATIVE):
                return ast.Compare(left=_python(left, temporaries), ops=[op], comparators=[_python(right, temporaries)])
            return _call(f"_{type(op).__name__}", _python(left, temporaries), _python(right, temporaries))
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            # A chain: each operand evaluated once, in order, stopping at the first comparison
            # that fails, as in Python (`in` is the language's); True or False.
            current, steps = _python(left, temporaries), []
            for i, (op, right) in enumerate(zip(ops, comparators, strict=True)):
                operand = _python(right, temporaries)
                if i < len(ops) - 1:
                    kept = f"_t{next(temporaries)}"
                    steps.append(_call(f"_{type(op).__name__}", current, ast.NamedExpr(target=ast.Name(kept, ast.Store()), value=operand)))
                    current = _load(kept)
                else:
                    steps.append(_call(f"_{type(op).__name__}", current, operand))
            return ast.UnaryOp(op=ast.Not(), operand=ast.UnaryOp(op=ast.Not(), operand=ast.BoolOp(op=ast.And(), values=steps)))
    raise ExprError(f"{type(node).__name__} is not allowed in rule expressions")


def _load(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Load())


def _call(helper: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=_load(helper), args=list(args), keywords=[])
