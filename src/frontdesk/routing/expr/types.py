"""Types of the expression language and the schema that publishes roots and functions.

There is no ``any`` type: every field, function parameter and result is typed, so a
condition is fully checked before it runs. ``INT`` is accepted where ``FLOAT`` is
expected; ``NULL`` is the type of the ``null`` literal (and of ``[]``'s elements).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

#: Words of the language that cannot name a root or a function.
RESERVED = frozenset({"true", "false", "null", "in", "has"})
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class Type:
    """Base of every type of the language."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class PrimitiveType(Type):
    name: str

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return self.name.upper()


BOOL = PrimitiveType("bool")
INT = PrimitiveType("int")
FLOAT = PrimitiveType("float")
STRING = PrimitiveType("string")
NULL = PrimitiveType("null")


@dataclass(frozen=True, slots=True)
class ListType(Type):
    elem: Type

    def __str__(self) -> str:
        return f"list<{self.elem}>"


@dataclass(frozen=True, slots=True)
class MapType(Type):
    """A map from strings to ``value``."""

    value: Type

    def __str__(self) -> str:
        return f"map<string, {self.value}>"


@dataclass(frozen=True, slots=True)
class Field:
    """A field of a record: its type and how to read it from the host object."""

    type: Type
    getter: Callable[[Any], Any]
    optional: bool = False
    doc: str = ""


@dataclass(frozen=True, eq=False)
class RecordType(Type):
    """A host object seen through named, typed fields. Compared by identity."""

    name: str
    fields: Mapping[str, Field]
    doc: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))
        for name in self.fields:
            if not _IDENTIFIER.match(name):
                raise ValueError(f"record {self.name!r}: field name {name!r} is not an identifier")

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"RecordType({self.name!r})"


def is_numeric(t: Type) -> bool:
    return t in (INT, FLOAT)


def is_assignable(source: Type, target: Type) -> bool:
    """A value of type ``source`` may be used where ``target`` is expected."""
    if source in (target, NULL):
        return True
    if source == INT and target == FLOAT:
        return True
    if isinstance(source, ListType) and isinstance(target, ListType):
        return is_assignable(source.elem, target.elem)
    if isinstance(source, MapType) and isinstance(target, MapType):
        return is_assignable(source.value, target.value)
    return False


def unify(a: Type, b: Type) -> Type | None:
    """The narrowest type both ``a`` and ``b`` are assignable to, if any."""
    if is_assignable(a, b):
        return b
    if is_assignable(b, a):
        return a
    if isinstance(a, ListType) and isinstance(b, ListType):
        elem = unify(a.elem, b.elem)
        return None if elem is None else ListType(elem)
    if isinstance(a, MapType) and isinstance(b, MapType):
        value = unify(a.value, b.value)
        return None if value is None else MapType(value)
    return None


@dataclass(frozen=True, slots=True)
class Root:
    """A name an expression starts from (``contact``, ``customer`` ...).

    ``getter`` takes the evaluation environment and returns the root object, which may
    be ``None`` at run time whatever ``optional`` says; ``optional`` only tells the
    checker that ``has(root)`` and ``root == null`` are meaningful.
    """

    name: str
    type: RecordType
    getter: Callable[[Any], Any]
    doc: str = ""
    optional: bool = False


@dataclass(frozen=True, slots=True)
class Function:
    """A library function. ``impl(env, *args)`` when ``uses_env`` else ``impl(*args)``.

    Arguments may be ``None`` (null semantics); the implementation must accept that.
    Functions must not have side effects; they are never folded at compile time.
    """

    name: str
    params: tuple[Type, ...]
    result: Type
    impl: Callable[..., Any]
    doc: str = ""
    uses_env: bool = False

    def signature(self) -> str:
        return f"{self.name}({', '.join(map(str, self.params))}) -> {self.result}"


@dataclass(frozen=True, eq=False)
class Schema:
    """What expressions may name: roots and functions.

    ``hidden`` lists roots removed by :meth:`without`, so that a reference to one is
    reported as "not available here" rather than as unknown.
    """

    roots: Mapping[str, Root]
    functions: Mapping[str, Function]
    hidden: frozenset[str] = field(default=frozenset())

    def __post_init__(self) -> None:
        object.__setattr__(self, "roots", MappingProxyType(dict(self.roots)))
        object.__setattr__(self, "functions", MappingProxyType(dict(self.functions)))
        for kind, items in (("root", self.roots), ("function", self.functions)):
            for key, item in items.items():
                if key != item.name:
                    raise ValueError(f"{kind} {item.name!r} is published as {key!r}")
                if not _IDENTIFIER.match(key) or key in RESERVED:
                    raise ValueError(f"{kind} name {key!r} is not a usable identifier")
        clash = set(self.roots) & set(self.functions)
        if clash:
            raise ValueError(f"names used for both a root and a function: {sorted(clash)}")

    @classmethod
    def of(cls, roots: Iterable[Root], functions: Iterable[Function] = ()) -> Schema:
        return cls({r.name: r for r in roots}, {f.name: f for f in functions})

    def without(self, *root_names: str) -> Schema:
        """This schema with some roots removed (e.g. ``agent`` outside queue steps)."""
        unknown = [n for n in root_names if n not in self.roots]
        if unknown:
            raise ValueError(f"no such roots: {unknown}")
        roots = {n: r for n, r in self.roots.items() if n not in root_names}
        return Schema(roots, self.functions, self.hidden | frozenset(root_names))

    def records(self) -> list[RecordType]:
        """Every record type reachable from the roots and functions, in first-seen order."""
        seen: dict[int, RecordType] = {}

        def visit(t: Type) -> None:
            if isinstance(t, ListType):
                visit(t.elem)
            elif isinstance(t, MapType):
                visit(t.value)
            elif isinstance(t, RecordType) and id(t) not in seen:
                seen[id(t)] = t
                for f in t.fields.values():
                    visit(f.type)

        for root in self.roots.values():
            visit(root.type)
        for function in self.functions.values():
            for t in (*function.params, function.result):
                visit(t)
        return list(seen.values())

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description: roots, record types and functions."""
        return {
            "roots": [
                {
                    "name": r.name,
                    "type": str(r.type),
                    "optional": r.optional,
                    "doc": r.doc,
                }
                for r in self.roots.values()
            ],
            "records": [
                {
                    "name": rec.name,
                    "doc": rec.doc,
                    "fields": [
                        {
                            "name": name,
                            "type": str(f.type),
                            "optional": f.optional,
                            "doc": f.doc,
                        }
                        for name, f in rec.fields.items()
                    ],
                }
                for rec in self.records()
            ],
            "functions": [
                {
                    "name": f.name,
                    "params": [str(p) for p in f.params],
                    "result": str(f.result),
                    "signature": f.signature(),
                    "doc": f.doc,
                }
                for f in self.functions.values()
            ],
        }

    def to_markdown(self) -> str:
        """The schema as a markdown reference (roots, fields of each record, functions)."""

        def cell(text: str) -> str:
            return text.replace("|", "\\|").replace("\n", " ")

        lines = ["## Roots", "", "| Name | Type | Optional | Description |", "|---|---|---|---|"]
        for r in self.roots.values():
            optional = "yes" if r.optional else "no"
            lines.append(f"| `{r.name}` | `{r.type}` | {optional} | {cell(r.doc)} |")
        for rec in self.records():
            lines += ["", f"## Record `{rec.name}`", ""]
            if rec.doc:
                lines += [cell(rec.doc), ""]
            lines += ["| Field | Type | Optional | Description |", "|---|---|---|---|"]
            for name, f in rec.fields.items():
                optional = "yes" if f.optional else "no"
                lines.append(f"| `{name}` | `{f.type}` | {optional} | {cell(f.doc)} |")
        lines += ["", "## Functions", "", "| Signature | Description |", "|---|---|"]
        for function in self.functions.values():
            lines.append(f"| `{cell(function.signature())}` | {cell(function.doc)} |")
        return "\n".join(lines) + "\n"
