"""Compile a checked AST into nested Python closures.

Each node kind and operator has its own closure factory, chosen once at compile time;
evaluation does no dispatch on operator strings. Sub-expressions made only of literals
are evaluated once, at compile time. Evaluation never raises on data that matches the
schema: null operands, missing keys, out-of-range indices, division by zero and float
overflow all give the results the null semantics define.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
    roots_of,
)
from frontdesk.routing.expr.checker import check
from frontdesk.routing.expr.errors import ExpressionError
from frontdesk.routing.expr.parser import parse
from frontdesk.routing.expr.types import (
    BOOL,
    FLOAT,
    INT,
    NULL,
    STRING,
    ListType,
    MapType,
    RecordType,
    Schema,
    Type,
)

Fn = Callable[[Any], Any]
_SCALARS = (BOOL, INT, FLOAT, STRING, NULL)


class _Const:
    """A value known at compile time."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


_Compiled = Fn | _Const


@dataclass(frozen=True, slots=True)
class Compiled:
    """A checked, compiled expression. Call it (or its ``evaluate``) with the env."""

    source: str
    node: Node
    type: Type
    evaluate: Fn
    roots: frozenset[str]

    def __call__(self, env: Any) -> Any:
        return self.evaluate(env)


def compile_expression(
    source: str,
    schema: Schema,
    expected: Type | None = None,
    *,
    origin: tuple[int, int] | None = None,
) -> Compiled:
    """Parse, check and compile ``source``.

    ``origin`` is the (line, column) where ``source`` starts in a larger document;
    errors are then placed in that document (see :meth:`ExpressionError.shifted`).
    """
    try:
        node = parse(source)
        found = check(node, schema, expected, source=source)
    except ExpressionError as error:
        if origin is None:
            raise
        raise error.shifted(origin) from None
    return Compiled(source, node, found, compile_node(node, schema), roots_of(node))


def compile_node(node: Node, schema: Schema) -> Fn:
    """A function ``env -> value`` for a node already checked against ``schema``."""
    compiled = _Compiler(schema).compile(node)
    return _fn(compiled)


def _fn(compiled: _Compiled) -> Fn:
    if isinstance(compiled, _Const):
        value = compiled.value

        def constant(env: Any) -> Any:
            return value

        return constant
    return compiled


def _type(node: Node) -> Type:
    if node.type is None:
        raise ValueError(f"compile_node needs a checked node; {node!r} has no type")
    return node.type


class _Compiler:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema

    def compile(self, node: Node) -> _Compiled:
        match node:
            case Literal(value=value):
                return _Const(value)
            case Name(root=root):
                return self.schema.roots[root].getter
            case ListLiteral(items=items):
                return self.list_literal(tuple(self.compile(i) for i in items))
            case Attribute(obj=obj, name=name):
                return self.attribute(obj, name)
            case Index(obj=obj, key=key):
                return _index(_type(obj), self.compile(obj), self.compile(key))
            case Call(name=name, args=args):
                function = self.schema.functions[name]
                compiled = tuple(self.compile(a) for a in args)
                return _call(function.impl, function.uses_env, compiled)
            case Has(target=target):
                return _has(self.compile(target))
            case Unary(op=op, operand=operand):
                return _unary(op, self.compile(operand))
            case Binary(op=op, left=left, right=right):
                return self.binary(op, left, right)
            case Conditional(cond=cond, then=then, otherwise=otherwise):
                return _conditional(self.compile(cond), self.compile(then), self.compile(otherwise))
            case _:
                raise TypeError(f"not an expression node: {node!r}")

    def list_literal(self, items: tuple[_Compiled, ...]) -> _Compiled:
        if all(isinstance(i, _Const) for i in items):
            return _Const(tuple(i.value for i in items if isinstance(i, _Const)))
        fns = tuple(_fn(i) for i in items)

        def make_list(env: Any) -> Any:
            return tuple([f(env) for f in fns])

        return make_list

    def attribute(self, obj: Node, name: str) -> _Compiled:
        owner = _type(obj)
        get_obj = _fn(self.compile(obj))
        if isinstance(owner, RecordType):
            get_field = owner.fields[name].getter

            def field(env: Any) -> Any:
                o = get_obj(env)
                return None if o is None else get_field(o)

            return field

        def map_value(env: Any) -> Any:
            o = get_obj(env)
            return None if o is None else o.get(name)

        return map_value

    def binary(self, op: str, left: Node, right: Node) -> _Compiled:
        lc, rc = self.compile(left), self.compile(right)
        if op == "&&":
            return _and(lc, rc)
        if op == "||":
            return _or(lc, rc)
        if op in ("==", "!="):
            seq = isinstance(_type(left), ListType) or isinstance(_type(right), ListType)
            equal = _seq_equal(lc, rc) if seq else _equal(lc, rc)
            return equal if op == "==" else _unary("!", equal)
        if op in _ORDER_OPS:
            return _ordering(op, lc, rc)
        if op == "in":
            container = _type(right)
            hashable = isinstance(container, ListType) and container.elem in _SCALARS
            return _contains(lc, rc, hashable)
        return _arithmetic(_ARITHMETIC[op], lc, rc)


# --- folding -------------------------------------------------------------------------
# Every factory below returns a _Const when all of its inputs are constants, by
# building the closure and running it once with no environment.


def _constant_or(fn: Fn, *inputs: _Compiled) -> _Compiled:
    if all(isinstance(i, _Const) for i in inputs):
        return _Const(fn(None))
    return fn


# --- index ---------------------------------------------------------------------------


def _index(owner: Type, obj: _Compiled, key: _Compiled) -> _Compiled:
    get_obj = _fn(obj)
    if isinstance(owner, MapType):
        if isinstance(key, _Const):
            k = key.value

            def map_const_key(env: Any) -> Any:
                o = get_obj(env)
                return None if o is None else o.get(k)

            return _constant_or(map_const_key, obj, key)
        get_key = key

        def map_key(env: Any) -> Any:
            o = get_obj(env)
            if o is None:
                return None
            k = get_key(env)
            return None if k is None else o.get(k)

        return _constant_or(map_key, obj, key)
    get_index = _fn(key)

    def list_item(env: Any) -> Any:
        o = get_obj(env)
        if o is None:
            return None
        i = get_index(env)
        if i is None or i < 0 or i >= len(o):
            return None
        return o[i]

    return _constant_or(list_item, obj, key)


# --- calls ---------------------------------------------------------------------------


def _call(impl: Callable[..., Any], uses_env: bool, args: tuple[_Compiled, ...]) -> Fn:
    if all(isinstance(a, _Const) for a in args):
        values = tuple(a.value for a in args if isinstance(a, _Const))
        return _call_constants(impl, uses_env, values)
    fns = tuple(_fn(a) for a in args)
    if len(fns) == 1:
        (a0,) = fns
        if uses_env:
            return lambda env: impl(env, a0(env))
        return lambda env: impl(a0(env))
    if len(fns) == 2:
        a0, a1 = fns
        if uses_env:
            return lambda env: impl(env, a0(env), a1(env))
        return lambda env: impl(a0(env), a1(env))
    if uses_env:
        return lambda env: impl(env, *[f(env) for f in fns])
    return lambda env: impl(*[f(env) for f in fns])


def _call_constants(impl: Callable[..., Any], uses_env: bool, values: tuple[Any, ...]) -> Fn:
    """Constant arguments are bound once; the call itself is never folded."""
    if uses_env:
        if not values:
            return impl
        if len(values) == 1:
            (c0,) = values
            return lambda env: impl(env, c0)
        return lambda env: impl(env, *values)
    if not values:
        return lambda env: impl()
    if len(values) == 1:
        (c0,) = values
        return lambda env: impl(c0)
    return lambda env: impl(*values)


# --- has, unary, conditional ---------------------------------------------------------


def _has(target: _Compiled) -> _Compiled:
    get = _fn(target)
    return _constant_or(lambda env: get(env) is not None, target)


def _unary(op: str, operand: _Compiled) -> _Compiled:
    get = _fn(operand)
    if op == "!":
        return _constant_or(lambda env: not get(env), operand)

    def negate(env: Any) -> Any:
        v = get(env)
        return None if v is None else -v

    return _constant_or(negate, operand)


def _conditional(cond: _Compiled, then: _Compiled, otherwise: _Compiled) -> _Compiled:
    if isinstance(cond, _Const):
        return then if cond.value else otherwise
    if isinstance(then, _Const) and isinstance(otherwise, _Const):
        a, b = then.value, otherwise.value
        return lambda env: a if cond(env) else b
    get_then, get_otherwise = _fn(then), _fn(otherwise)
    return lambda env: get_then(env) if cond(env) else get_otherwise(env)


# --- logic ---------------------------------------------------------------------------


def _truth(compiled: _Compiled) -> _Compiled:
    """``compiled`` as a strict bool (null is false)."""
    if isinstance(compiled, _Const):
        return _Const(bool(compiled.value))
    return lambda env: True if compiled(env) else False  # noqa: SIM210  (cheaper than bool())


def _and(left: _Compiled, right: _Compiled) -> _Compiled:
    # Operands have no side effects, so a constant false on either side decides.
    for side, other in ((left, right), (right, left)):
        if isinstance(side, _Const):
            return _truth(other) if side.value else _Const(False)
    assert not isinstance(left, _Const)
    assert not isinstance(right, _Const)
    lf, rf = left, right
    return lambda env: True if lf(env) and rf(env) else False  # noqa: SIM210


def _or(left: _Compiled, right: _Compiled) -> _Compiled:
    for side, other in ((left, right), (right, left)):
        if isinstance(side, _Const):
            return _Const(True) if side.value else _truth(other)
    assert not isinstance(left, _Const)
    assert not isinstance(right, _Const)
    lf, rf = left, right
    return lambda env: True if lf(env) or rf(env) else False  # noqa: SIM210


# --- equality ------------------------------------------------------------------------


def _equal(left: _Compiled, right: _Compiled) -> _Compiled:
    if isinstance(right, _Const):
        c, lf = right.value, _fn(left)
        return _constant_or(lambda env: lf(env) == c, left, right)
    if isinstance(left, _Const):
        c, rf = left.value, right
        return lambda env: c == rf(env)
    lf, rf = left, right
    return lambda env: lf(env) == rf(env)


def _same_items(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    return tuple(a) == tuple(b)


def _seq_equal(left: _Compiled, right: _Compiled) -> _Compiled:
    """List equality that does not care whether a list is a Python list or tuple."""
    lf, rf = _fn(left), _fn(right)
    return _constant_or(lambda env: _same_items(lf(env), rf(env)), left, right)


# --- ordering ------------------------------------------------------------------------

_ORDER_OPS = frozenset({"<", "<=", ">", ">="})


def _ordering(op: str, left: _Compiled, right: _Compiled) -> _Compiled:
    if isinstance(right, _Const) and right.value is not None:
        return _constant_or(_ORDER_CONST_RIGHT[op](_fn(left), right.value), left, right)
    if isinstance(left, _Const) or isinstance(right, _Const):
        compare = _ORDER_FUNCS[op]
        lf, rf = _fn(left), _fn(right)

        def ordered(env: Any) -> bool:
            a = lf(env)
            if a is None:
                return False
            b = rf(env)
            return b is not None and compare(a, b)

        return _constant_or(ordered, left, right)
    return _ORDER_VARS[op](left, right)


def _lt_c(lf: Fn, c: Any) -> Fn:
    def f(env: Any) -> bool:
        a = lf(env)
        return a is not None and a < c

    return f


def _le_c(lf: Fn, c: Any) -> Fn:
    def f(env: Any) -> bool:
        a = lf(env)
        return a is not None and a <= c

    return f


def _gt_c(lf: Fn, c: Any) -> Fn:
    def f(env: Any) -> bool:
        a = lf(env)
        return a is not None and a > c

    return f


def _ge_c(lf: Fn, c: Any) -> Fn:
    def f(env: Any) -> bool:
        a = lf(env)
        return a is not None and a >= c

    return f


def _lt(lf: Fn, rf: Fn) -> Fn:
    def f(env: Any) -> bool:
        a = lf(env)
        if a is None:
            return False
        b = rf(env)
        return b is not None and a < b

    return f


def _le(lf: Fn, rf: Fn) -> Fn:
    def f(env: Any) -> bool:
        a = lf(env)
        if a is None:
            return False
        b = rf(env)
        return b is not None and a <= b

    return f


def _gt(lf: Fn, rf: Fn) -> Fn:
    def f(env: Any) -> bool:
        a = lf(env)
        if a is None:
            return False
        b = rf(env)
        return b is not None and a > b

    return f


def _ge(lf: Fn, rf: Fn) -> Fn:
    def f(env: Any) -> bool:
        a = lf(env)
        if a is None:
            return False
        b = rf(env)
        return b is not None and a >= b

    return f


_ORDER_CONST_RIGHT: dict[str, Callable[[Fn, Any], Fn]] = {
    "<": _lt_c,
    "<=": _le_c,
    ">": _gt_c,
    ">=": _ge_c,
}
_ORDER_VARS: dict[str, Callable[[Fn, Fn], Fn]] = {"<": _lt, "<=": _le, ">": _gt, ">=": _ge}
_ORDER_FUNCS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


# --- membership ----------------------------------------------------------------------


def _contains(item: _Compiled, container: _Compiled, hashable: bool) -> _Compiled:
    get_item = _fn(item)
    if isinstance(container, _Const) and container.value is not None:
        values = container.value
        if hashable:
            members = frozenset(values)

            def in_set(env: Any) -> bool:
                a = get_item(env)
                return a is not None and a in members

            return _constant_or(in_set, item, container)

        def in_const(env: Any) -> bool:
            a = get_item(env)
            return a is not None and a in values

        return _constant_or(in_const, item, container)
    get_container = _fn(container)

    def contains(env: Any) -> bool:
        a = get_item(env)
        if a is None:
            return False
        b = get_container(env)
        return b is not None and a in b

    return _constant_or(contains, item, container)


# --- arithmetic ----------------------------------------------------------------------

_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "%": operator.mod,
}


def _arithmetic(compute: Callable[[Any, Any], Any], left: _Compiled, right: _Compiled) -> _Compiled:
    """Null in, null out; division by zero and float overflow give null."""
    if isinstance(right, _Const):
        c, lf = right.value, _fn(left)
        if c is None:
            return _Const(None)

        def with_constant(env: Any) -> Any:
            a = lf(env)
            if a is None:
                return None
            try:
                return compute(a, c)
            except ArithmeticError:
                return None

        return _constant_or(with_constant, left, right)
    lf, rf = _fn(left), right

    def arithmetic(env: Any) -> Any:
        a = lf(env)
        if a is None:
            return None
        b = rf(env)
        if b is None:
            return None
        try:
            return compute(a, b)
        except ArithmeticError:
            return None

    return _constant_or(arithmetic, left, right)
