"""Canonical text of an AST: minimal parentheses, double-quoted strings, one space
around binary operators. ``parse(unparse(node))`` is equivalent to ``node``."""

from __future__ import annotations

import math

from frontdesk.routing.expr.ast import (
    Attribute,
    Binary,
    Call,
    Conditional,
    Has,
    Index,
    ListLiteral,
    Literal,
    Name,
    Node,
    Unary,
)
from frontdesk.routing.expr.parser import PRECEDENCE

_TERNARY = 0
_UNARY = 6
_POSTFIX = 7
_ATOM = 8
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def quote(text: str) -> str:
    """``text`` as a double-quoted string literal of the language."""
    out = ['"']
    for c in text:
        if c in _ESCAPES:
            out.append(_ESCAPES[c])
        elif c < " " or c == "\x7f":
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def literal_text(value: object) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} has no literal in the expression language")
        return repr(value)
    if isinstance(value, int):
        return str(value)
    raise ValueError(f"{value!r} has no literal in the expression language")


def _precedence(node: Node) -> int:
    match node:
        case Conditional():
            return _TERNARY
        case Binary(op=op):
            return PRECEDENCE[op]
        case Unary():
            return _UNARY
        case Literal(value=value) if isinstance(value, int | float) and (
            value < 0 or math.copysign(1.0, value) < 0
        ):
            return _UNARY  # "-1" reads as a unary minus
        case Attribute() | Index():
            return _POSTFIX
        case _:
            return _ATOM


def _wrap(node: Node, parenthesize: bool) -> str:
    text = unparse(node)
    return f"({text})" if parenthesize else text


def unparse(node: Node) -> str:
    """The canonical source text of ``node``."""
    match node:
        case Literal(value=value):
            return literal_text(value)
        case ListLiteral(items=items):
            return "[" + ", ".join(unparse(i) for i in items) + "]"
        case Name(root=root):
            return root
        case Attribute(obj=obj, name=name):
            return f"{_wrap(obj, _precedence(obj) < _POSTFIX)}.{name}"
        case Index(obj=obj, key=key):
            return f"{_wrap(obj, _precedence(obj) < _POSTFIX)}[{unparse(key)}]"
        case Call(name=name, args=args):
            return f"{name}(" + ", ".join(unparse(a) for a in args) + ")"
        case Has(target=target):
            return f"has({unparse(target)})"
        case Unary(op=op, operand=operand):
            # "-(-1)" and "-(-x)" keep their parentheses: "--1" would read back as 1.
            inner = _precedence(operand) < _UNARY or (
                op == "-" and _precedence(operand) == _UNARY and isinstance(operand, Literal)
            )
            return f"{op}{_wrap(operand, inner)}"
        case Binary(op=op, left=left, right=right):
            mine = PRECEDENCE[op]
            lhs = _wrap(left, _precedence(left) < mine)
            rhs = _wrap(right, _precedence(right) <= mine)
            return f"{lhs} {op} {rhs}"
        case Conditional(cond=cond, then=then, otherwise=otherwise):
            c = _wrap(cond, _precedence(cond) == _TERNARY)
            t = _wrap(then, _precedence(then) == _TERNARY)
            return f"{c} ? {t} : {unparse(otherwise)}"
        case _:
            raise TypeError(f"not an expression node: {node!r}")
