"""The typed expression language of routing conditions.

``customer.category == "VIP" && in_hours("support")`` is lexed, parsed into an AST
with positions, type-checked against a published :class:`Schema` and compiled into
nested closures. User text is never given to ``eval``. See
``docs/expression-language.md`` for the reference.
"""

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
    children,
    conjuncts,
    roots_of,
    walk,
)
from frontdesk.routing.expr.checker import check
from frontdesk.routing.expr.compiler import Compiled, compile_expression, compile_node
from frontdesk.routing.expr.errors import (
    SYNTAX,
    TOO_COMPLEX,
    TYPE,
    UNKNOWN_FIELD,
    UNKNOWN_FUNCTION,
    ExpressionError,
)
from frontdesk.routing.expr.parser import MAX_DEPTH, MAX_LENGTH, parse
from frontdesk.routing.expr.types import (
    BOOL,
    FLOAT,
    INT,
    NULL,
    STRING,
    Field,
    Function,
    ListType,
    MapType,
    PrimitiveType,
    RecordType,
    Root,
    Schema,
    Type,
    is_assignable,
)
from frontdesk.routing.expr.unparse import unparse

__all__ = [
    "BOOL",
    "FLOAT",
    "INT",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "NULL",
    "STRING",
    "SYNTAX",
    "TOO_COMPLEX",
    "TYPE",
    "UNKNOWN_FIELD",
    "UNKNOWN_FUNCTION",
    "Attribute",
    "Binary",
    "Call",
    "Compiled",
    "Conditional",
    "ExpressionError",
    "Field",
    "Function",
    "Has",
    "Index",
    "ListLiteral",
    "ListType",
    "Literal",
    "MapType",
    "Name",
    "Node",
    "PrimitiveType",
    "RecordType",
    "Root",
    "Schema",
    "Type",
    "Unary",
    "check",
    "children",
    "compile_expression",
    "compile_node",
    "conjuncts",
    "is_assignable",
    "parse",
    "roots_of",
    "unparse",
    "walk",
]
