"""Type-check an AST against a :class:`Schema`, annotating each node's ``type``."""

from __future__ import annotations

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
    start,
)
from frontdesk.routing.expr.errors import (
    TOO_COMPLEX,
    TYPE,
    UNKNOWN_FIELD,
    UNKNOWN_FUNCTION,
    ExpressionError,
    did_you_mean,
    error_at,
)
from frontdesk.routing.expr.parser import MAX_DEPTH
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
    is_assignable,
    is_numeric,
    unify,
)
from frontdesk.routing.expr.unparse import unparse

_ORDERING = frozenset({"<", "<=", ">", ">="})
_ARITHMETIC = frozenset({"-", "*", "/", "%"})


def check(
    node: Node, schema: Schema, expected: Type | None = None, *, source: str | None = None
) -> Type:
    """The type of ``node``; sets ``type`` on every node of the tree.

    ``expected`` is the type the whole expression must have (``BOOL`` for conditions).
    ``source`` is the text ``node`` was parsed from, used to turn offsets into lines and
    columns in errors (without it errors say line 1 and column offset + 1).
    """
    checker = _Checker(schema, source)
    found, _ = checker.visit(node, 1)
    if expected is not None and (found == NULL or not is_assignable(found, expected)):
        raise checker.error(start(node), TYPE, f"expected {expected}, found {found}")
    return found


def _path(node: Node) -> str:
    """``customer.manager`` for field chains, the canonical text otherwise."""
    match node:
        case Name(root=root):
            return root
        case Attribute(obj=obj, name=name):
            return f"{_path(obj)}.{name}"
        case _:
            return unparse(node)


def _comparable(a: Type, b: Type) -> bool:
    return is_assignable(a, b) or is_assignable(b, a)


class _Checker:
    def __init__(self, schema: Schema, source: str | None) -> None:
        self.schema = schema
        self.source = source

    def error(self, pos: int, code: str, problem: str) -> ExpressionError:
        return error_at(self.source, pos, code, problem)

    def visit(self, node: Node, depth: int) -> tuple[Type, bool]:
        """(type, may be null) of ``node``."""
        if depth > MAX_DEPTH:
            raise self.error(
                node.pos, TOO_COMPLEX, f"expression is nested more than {MAX_DEPTH} levels deep"
            )
        found, nullable = self.infer(node, depth + 1)
        object.__setattr__(node, "type", found)
        return found, nullable

    def infer(self, node: Node, depth: int) -> tuple[Type, bool]:
        match node:
            case Literal(value=value):
                return self.literal(node, value)
            case ListLiteral(items=items):
                elem: Type = NULL
                for item in items:
                    t, _ = self.visit(item, depth)
                    joined = unify(elem, t)
                    if joined is None:
                        raise self.error(
                            start(item), TYPE, f"list items must share one type: {elem} and {t}"
                        )
                    elem = joined
                return ListType(elem), False
            case Name(root=root):
                return self.name(node, root)
            case Attribute(obj=obj, name=name):
                return self.attribute(node, obj, name, depth)
            case Index(obj=obj, key=key):
                return self.index(node, obj, key, depth)
            case Call(name=name, args=args):
                return self.call(node, name, args, depth)
            case Has(target=target):
                self.has(node, target, depth)
                return BOOL, False
            case Unary(op=op, operand=operand):
                return self.unary(node, op, operand, depth)
            case Binary(op=op, left=left, right=right):
                return self.binary(node, op, left, right, depth)
            case Conditional(cond=cond, then=then, otherwise=otherwise):
                t, _ = self.visit(cond, depth)
                if t not in (BOOL, NULL):
                    raise self.error(start(cond), TYPE, f"the condition of '?:' is {t}, not bool")
                a, a_null = self.visit(then, depth)
                b, b_null = self.visit(otherwise, depth)
                joined = unify(a, b)
                if joined is None:
                    raise self.error(
                        node.pos, TYPE, f"the branches of '?:' have different types: {a} and {b}"
                    )
                return joined, a_null or b_null
            case _:
                raise self.error(node.pos, TYPE, f"not an expression node: {type(node).__name__}")

    def literal(self, node: Node, value: object) -> tuple[Type, bool]:
        if value is None:
            return NULL, True
        if isinstance(value, bool):
            return BOOL, False
        if isinstance(value, int):
            return INT, False
        if isinstance(value, float):
            return FLOAT, False
        if isinstance(value, str):
            return STRING, False
        raise self.error(node.pos, TYPE, f"unsupported literal {value!r}")

    def name(self, node: Node, root: str) -> tuple[Type, bool]:
        found = self.schema.roots.get(root)
        if found is not None:
            return found.type, found.optional
        if root in self.schema.hidden:
            problem = f"'{root}' is not available here"
        elif root in self.schema.functions:
            problem = f"'{root}' is a function: call it as {root}(...)"
        else:
            problem = f"unknown name '{root}'" + did_you_mean(root, self.schema.roots)
        raise self.error(node.pos, UNKNOWN_FIELD, problem)

    def attribute(self, node: Node, obj: Node, name: str, depth: int) -> tuple[Type, bool]:
        t, nullable = self.visit(obj, depth)
        if isinstance(t, RecordType):
            field = t.fields.get(name)
            if field is None:
                hint = did_you_mean(name, t.fields)
                raise self.error(
                    node.pos, UNKNOWN_FIELD, f"unknown field '{_path(obj)}.{name}'{hint}"
                )
            return field.type, nullable or field.optional
        if isinstance(t, MapType):
            return t.value, True
        raise self.error(node.pos, TYPE, f"'{_path(obj)}' is {t}, which has no field '{name}'")

    def index(self, node: Node, obj: Node, key: Node, depth: int) -> tuple[Type, bool]:
        t, _ = self.visit(obj, depth)
        k, _ = self.visit(key, depth)
        if isinstance(t, ListType):
            if not is_assignable(k, INT):
                raise self.error(start(key), TYPE, f"a list index must be int, found {k}")
            return t.elem, True
        if isinstance(t, MapType):
            if not is_assignable(k, STRING):
                raise self.error(start(key), TYPE, f"a map key must be string, found {k}")
            return t.value, True
        raise self.error(node.pos, TYPE, f"'{_path(obj)}' is {t}, which cannot be indexed")

    def call(self, node: Node, name: str, args: tuple[Node, ...], depth: int) -> tuple[Type, bool]:
        function = self.schema.functions.get(name)
        if function is None:
            if name in self.schema.roots or name in self.schema.hidden:
                problem = f"'{name}' is not a function"
            else:
                problem = f"unknown function '{name}'" + did_you_mean(name, self.schema.functions)
            raise self.error(node.pos, UNKNOWN_FUNCTION, problem)
        if len(args) != len(function.params):
            count = len(function.params)
            plural = "argument" if count == 1 else "arguments"
            raise self.error(
                node.pos,
                TYPE,
                f"{name}() takes {count} {plural}, got {len(args)}: {function.signature()}",
            )
        for number, (arg, param) in enumerate(zip(args, function.params, strict=True), 1):
            t, _ = self.visit(arg, depth)
            if not is_assignable(t, param):
                raise self.error(
                    start(arg),
                    TYPE,
                    f"argument {number} of {name}() must be {param}, found {t}",
                )
        return function.result, True

    def has(self, node: Node, target: Node, depth: int) -> None:
        usage = "has() takes an optional field, a map entry or a list element"
        match target:
            case Attribute(obj=obj, name=name):
                self.visit(target, depth)
                owner = obj.type
                if isinstance(owner, RecordType) and not owner.fields[name].optional:
                    raise self.error(
                        target.pos,
                        TYPE,
                        f"'{_path(target)}' is not optional, so has() would always be true",
                    )
            case Index():
                self.visit(target, depth)
            case Name(root=root):
                self.visit(target, depth)
                if not self.schema.roots[root].optional:
                    raise self.error(
                        target.pos, TYPE, f"'{root}' is always present, so has() would be true"
                    )
            case _:
                raise self.error(start(target), TYPE, f"{usage}, as in has(customer.manager)")

    def unary(self, node: Node, op: str, operand: Node, depth: int) -> tuple[Type, bool]:
        t, nullable = self.visit(operand, depth)
        if op == "!":
            if t != BOOL:
                raise self.error(node.pos, TYPE, f"operator '!' needs bool, found {t}")
            return BOOL, False
        if op == "-":
            if not is_numeric(t):
                raise self.error(node.pos, TYPE, f"operator '-' needs a number, found {t}")
            return t, nullable
        raise self.error(node.pos, TYPE, f"unknown unary operator {op!r}")

    def binary(self, node: Node, op: str, left: Node, right: Node, depth: int) -> tuple[Type, bool]:
        lt, l_null = self.visit(left, depth)
        rt, r_null = self.visit(right, depth)
        pos = node.pos
        if op in ("&&", "||"):
            for side, t in (("left", lt), ("right", rt)):
                if t != BOOL:
                    raise self.error(
                        pos, TYPE, f"operator '{op}' needs bool operands, found {t} on the {side}"
                    )
            return BOOL, False
        if op in ("==", "!="):
            if NULL in (lt, rt):
                other, other_null, other_node = (
                    (rt, r_null, right) if lt == NULL else (lt, l_null, left)
                )
                if not other_null:
                    raise self.error(pos, TYPE, f"'{_path(other_node)}' ({other}) is never null")
            elif not _comparable(lt, rt):
                raise self.error(pos, TYPE, f"cannot compare {lt} with {rt} using '{op}'")
            return BOOL, False
        if op in _ORDERING:
            if not ((is_numeric(lt) and is_numeric(rt)) or (lt == STRING and rt == STRING)):
                raise self.error(
                    pos,
                    TYPE,
                    f"operator '{op}' compares two numbers or two strings, found {lt} and {rt}",
                )
            return BOOL, False
        if op == "in":
            if isinstance(rt, ListType):
                ok = _comparable(lt, rt.elem) or (is_numeric(lt) and is_numeric(rt.elem))
            elif isinstance(rt, MapType) or rt == STRING:
                ok = lt == STRING
            else:
                raise self.error(
                    pos, TYPE, f"'in' needs a list, a map or a string on the right, found {rt}"
                )
            if not ok:
                raise self.error(pos, TYPE, f"'in' cannot look for {lt} in {rt}")
            return BOOL, False
        # Arithmetic on numbers may give null (division by zero, float overflow).
        if op == "+":
            if lt == STRING and rt == STRING:
                return STRING, l_null or r_null
            if is_numeric(lt) and is_numeric(rt):
                return (INT if lt == rt == INT else FLOAT), True
            raise self.error(
                pos, TYPE, f"operator '+' adds two numbers or two strings, found {lt} and {rt}"
            )
        if op in _ARITHMETIC:
            if op == "%":
                if lt != INT or rt != INT:
                    raise self.error(pos, TYPE, f"operator '%' needs ints, found {lt} and {rt}")
                return INT, True
            if not (is_numeric(lt) and is_numeric(rt)):
                raise self.error(pos, TYPE, f"operator '{op}' needs numbers, found {lt} and {rt}")
            if op == "/" or FLOAT in (lt, rt):
                return FLOAT, True
            return INT, True
        raise self.error(pos, TYPE, f"unknown binary operator {op!r}")
