"""Nodes of a parsed expression.

Nodes are frozen dataclasses compared by structure: ``pos`` (the 0-based offset of the
token the node is about: a name's first letter, an operator, an attribute's name, an
index's ``[``) and ``type`` (set by the checker) take no part in equality.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from frontdesk.routing.expr.types import Type

#: Binary operators, lowest precedence first within the table of the reference.
BINARY_OPS = ("||", "&&", "==", "!=", "<", "<=", ">", ">=", "in", "+", "-", "*", "/", "%")
UNARY_OPS = ("!", "-")

LiteralValue = bool | int | float | str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    """Base of every node. ``type`` is filled in by :func:`check`."""

    pos: int = field(default=0, compare=False)
    type: Type | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, eq=False)
class Literal(Node):
    """``1``, ``2.5``, ``"text"``, ``true``, ``null``. Equal only to the same Python type."""

    value: LiteralValue

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Literal):
            return NotImplemented
        return type(self.value) is type(other.value) and self.value == other.value

    def __hash__(self) -> int:
        return hash((type(self.value), self.value))


@dataclass(frozen=True, slots=True)
class ListLiteral(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Name(Node):
    """A root of the schema: ``contact``, ``customer``, ``agent``."""

    root: str


@dataclass(frozen=True, slots=True)
class Attribute(Node):
    """``obj.name``: a record's field, or a map's value under the key ``name``."""

    obj: Node
    name: str


@dataclass(frozen=True, slots=True)
class Index(Node):
    """``obj[key]``: a list element (int key) or a map value (string key)."""

    obj: Node
    key: Node


@dataclass(frozen=True, slots=True)
class Call(Node):
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Has(Node):
    """``has(target)``: the optional field, map key or list element is present, not null."""

    target: Node


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: str
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Conditional(Node):
    """``cond ? then : otherwise``."""

    cond: Node
    then: Node
    otherwise: Node


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of ``node``, left to right."""
    match node:
        case ListLiteral(items=items):
            return items
        case Attribute(obj=obj):
            return (obj,)
        case Index(obj=obj, key=key):
            return (obj, key)
        case Call(args=args):
            return args
        case Has(target=target):
            return (target,)
        case Unary(operand=operand):
            return (operand,)
        case Binary(left=left, right=right):
            return (left, right)
        case Conditional(cond=cond, then=then, otherwise=otherwise):
            return (cond, then, otherwise)
        case _:
            return ()


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children, left to right."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def start(node: Node) -> int:
    """Offset of the first character of ``node``'s text (its leftmost token)."""
    while True:
        match node:
            case Attribute(obj=inner) | Index(obj=inner):
                node = inner
            case Binary(left=inner):
                node = inner
            case Conditional(cond=inner):
                node = inner
            case _:
                return node.pos


def conjuncts(node: Node) -> list[Node]:
    """The operands of a top-level chain of ``&&``, left to right (``[node]`` if none)."""
    out: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Binary) and current.op == "&&":
            stack.append(current.right)
            stack.append(current.left)
        else:
            out.append(current)
    return out


def roots_of(node: Node) -> frozenset[str]:
    """Names of the roots ``node`` reads, anywhere in it (function arguments included)."""
    return frozenset(n.root for n in walk(node) if isinstance(n, Name))
