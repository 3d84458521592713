"""The condition language of rule files: a small, safe subset of Python expressions.

Rules stay data: `when: "affects_ppt_schedule"`, `require: "worker in attendees or
supervisor in attendees"`. An expression may use names from its context, attribute access
(null-safe: `plan.concurrent_goal` is None when there is no plan), literals, lists,
comparisons, `in`, `and`/`or`/`not`, `x if c else y`, `+`, and the functions the engine
offers. Nothing else parses: no imports, no subscripts, no private attributes, no lambdas.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.In: lambda a, b: b is not None and a in b,
    ast.NotIn: lambda a, b: b is None or a not in b,
    ast.Is: lambda a, b: a is b,
    ast.IsNot: lambda a, b: a is not b,
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


@dataclass(frozen=True)
class Expr:
    source: str
    tree: ast.Expression
    names: frozenset[str]  # every free name, checked against the context when rules load

    @classmethod
    def parse(cls, source: str) -> Expr:
        if len(source) > MAX_LENGTH:
            raise ExprError(f"expression longer than {MAX_LENGTH} characters")
        try:
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
        return cls(source, tree, frozenset(names))

    def __call__(self, context: Mapping[str, Any]) -> Any:
        return _eval(self.tree.body, context)


def _eval(node: ast.AST, ctx: Mapping[str, Any]) -> Any:
    match node:
        case ast.Constant(value=value):
            return value
        case ast.Name(id=name):
            if name not in ctx:
                raise ExprError(f"unknown name {name!r}")
            return ctx[name]
        case ast.Attribute(value=inner, attr=attr):
            return _attribute(_eval(inner, ctx), attr)
        case ast.BoolOp(op=ast.And(), values=values):
            result: Any = True
            for value in values:
                result = _eval(value, ctx)
                if not result:
                    return result
            return result
        case ast.BoolOp(op=ast.Or(), values=values):
            result = False
            for value in values:
                result = _eval(value, ctx)
                if result:
                    return result
            return result
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            return not _eval(operand, ctx)
        case ast.UnaryOp(op=ast.USub(), operand=operand):
            return -_eval(operand, ctx)
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            current = _eval(left, ctx)
            for op, right_node in zip(ops, comparators):
                right = _eval(right_node, ctx)
                if not _COMPARE[type(op)](current, right):
                    return False
                current = right
            return True
        case ast.List(elts=elts) | ast.Tuple(elts=elts):
            return [_eval(e, ctx) for e in elts]
        case ast.IfExp(test=test, body=body, orelse=orelse):
            return _eval(body, ctx) if _eval(test, ctx) else _eval(orelse, ctx)
        case ast.BinOp(left=left, op=ast.Add(), right=right):
            return _eval(left, ctx) + _eval(right, ctx)
        case ast.BinOp(left=left, op=ast.Sub(), right=right):
            return _eval(left, ctx) - _eval(right, ctx)
        case ast.Call(func=ast.Name(id=name), args=args):
            function = ctx.get(name)
            if not callable(function):
                raise ExprError(f"{name!r} is not a rule function")
            return function(*(_eval(a, ctx) for a in args))
    raise ExprError(f"{type(node).__name__} is not allowed in rule expressions")


def _attribute(value: Any, attr: str) -> Any:
    if value is None:
        return None  # null-safe: `plan.goal` with no plan is None, not an error
    if isinstance(value, Mapping):
        return value.get(attr)
    if not hasattr(value, attr):
        raise ExprError(f"{type(value).__name__} has no field {attr!r}")
    return getattr(value, attr)
