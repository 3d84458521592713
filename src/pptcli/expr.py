"""The condition language of rule files: a small, safe subset of Python expressions.

Rules stay data: `when: "affects_ppt_schedule"`, `require: "worker in attendees or
supervisor in attendees"`. An expression may use names from its context, attribute access
(null-safe: `plan.concurrent_goal` is None when there is no plan), literals, lists,
comparisons, `in`, `and`/`or`/`not`, `x if c else y`, `+`, and the functions the engine
offers. Nothing else parses: no imports, no subscripts, no private attributes, no lambdas.
"""

from __future__ import annotations

import ast
import operator
import warnings
from collections.abc import Callable, Mapping
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
    run: Compiled = field(repr=False, compare=False)  # the tree, compiled (see _compile)

    @classmethod
    def parse(cls, source: str) -> Expr:
        if len(source) > MAX_LENGTH:
            raise ExprError(f"expression longer than {MAX_LENGTH} characters")
        try:
            with warnings.catch_warnings():  # Python's own warnings ("1and", an escape like "\y")
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
        return cls(source, tree, frozenset(names), _compile(tree.body))

    def __call__(self, context: Mapping[str, Any]) -> Any:
        return self.run(context)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Expr.parse, (self.source,))  # closures do not pickle; the source does


def _compile(node: ast.AST) -> Compiled:
    """The checked tree as nested closures, built once: a statewide report evaluates each
    rule expression hundreds of thousands of times, and walking the tree every time cost
    several times more."""
    match node:
        case ast.Constant(value=value):
            return lambda ctx: value
        case ast.Name(id=name):

            def lookup(ctx: Mapping[str, Any]) -> Any:
                try:
                    return ctx[name]
                except KeyError:
                    raise ExprError(f"unknown name {name!r}") from None

            return lookup
        case ast.Attribute(value=inner, attr=attr):
            of = _compile(inner)
            return lambda ctx: _attribute(of(ctx), attr)
        case ast.BoolOp(op=ast.And(), values=values):
            parts = [_compile(v) for v in values]

            def all_of(ctx: Mapping[str, Any]) -> Any:
                result: Any = True
                for part in parts:
                    result = part(ctx)
                    if not result:
                        return result
                return result

            return all_of
        case ast.BoolOp(op=ast.Or(), values=values):
            parts = [_compile(v) for v in values]

            def any_of(ctx: Mapping[str, Any]) -> Any:
                result: Any = False
                for part in parts:
                    result = part(ctx)
                    if result:
                        return result
                return result

            return any_of
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            negated = _compile(operand)
            return lambda ctx: not negated(ctx)
        case ast.UnaryOp(op=ast.USub(), operand=operand):
            minus = _compile(operand)
            return lambda ctx: -minus(ctx)
        case ast.Compare(left=left, ops=[op], comparators=[right]):
            compare, first, second = _COMPARE[type(op)], _compile(left), _compile(right)
            return lambda ctx: compare(first(ctx), second(ctx))
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            start = _compile(left)
            steps = [(_COMPARE[type(op)], _compile(c)) for op, c in zip(ops, comparators)]

            def chain(ctx: Mapping[str, Any]) -> bool:
                current = start(ctx)
                for compare, step in steps:
                    right = step(ctx)
                    if not compare(current, right):
                        return False
                    current = right
                return True

            return chain
        case ast.List(elts=elts) | ast.Tuple(elts=elts):
            items = [_compile(e) for e in elts]
            return lambda ctx: [item(ctx) for item in items]
        case ast.IfExp(test=test, body=body, orelse=orelse):
            condition, then, otherwise = _compile(test), _compile(body), _compile(orelse)
            return lambda ctx: then(ctx) if condition(ctx) else otherwise(ctx)
        case ast.BinOp(left=left, op=ast.Add(), right=right):
            a, b = _compile(left), _compile(right)
            return lambda ctx: a(ctx) + b(ctx)
        case ast.BinOp(left=left, op=ast.Sub(), right=right):
            a, b = _compile(left), _compile(right)
            return lambda ctx: a(ctx) - b(ctx)
        case ast.Call(func=ast.Name(id=name), args=args):
            arguments = [_compile(a) for a in args]

            def call(ctx: Mapping[str, Any]) -> Any:
                function = ctx.get(name)
                if not callable(function):
                    raise ExprError(f"{name!r} is not a rule function")
                return function(*(a(ctx) for a in arguments))

            return call
    raise ExprError(f"{type(node).__name__} is not allowed in rule expressions")


def _attribute(value: Any, attr: str) -> Any:
    if value is None:
        return None  # null-safe: `plan.goal` with no plan is None, not an error
    if isinstance(value, Mapping):
        return value.get(attr)
    if not hasattr(value, attr):
        raise ExprError(f"{type(value).__name__} has no field {attr!r}")
    return getattr(value, attr)
