"""Recursive-descent parser: tokens to an AST with positions. Syntax only, no schema."""

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
)
from frontdesk.routing.expr.errors import SYNTAX, TOO_COMPLEX, ExpressionError, error_at
from frontdesk.routing.expr.lexer import KEYWORDS, Token, tokenize

#: Longest accepted source text, in characters.
MAX_LENGTH = 4096
#: Deepest accepted nesting: of the syntax tree, and of brackets and unary operators.
MAX_DEPTH = 64

#: Binding power of binary operators (higher binds tighter). All are left-associative.
PRECEDENCE = {
    "||": 1,
    "&&": 2,
    "==": 3,
    "!=": 3,
    "<": 3,
    "<=": 3,
    ">": 3,
    ">=": 3,
    "in": 3,
    "+": 4,
    "-": 4,
    "*": 5,
    "/": 5,
    "%": 5,
}


def parse(source: str) -> Node:
    """Parse ``source`` into an AST; raises :class:`ExpressionError` on any problem."""
    if len(source) > MAX_LENGTH:
        raise error_at(
            source,
            MAX_LENGTH,
            TOO_COMPLEX,
            f"expression is {len(source)} characters long, the limit is {MAX_LENGTH}",
        )
    return _Parser(source, tokenize(source)).parse()


def _describe(token: Token) -> str:
    if token.kind == "EOF":
        return "the end of the expression"
    if token.kind == "STRING":
        return f"string {token.text}"
    return repr(token.text)


class _Parser:
    def __init__(self, source: str, tokens: list[Token]) -> None:
        self.source = source
        self.tokens = tokens
        self.i = 0
        self.nesting = 0
        self.depths: dict[int, int] = {}

    # --- helpers ---------------------------------------------------------------------
    @property
    def peek(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        token = self.tokens[self.i]
        if token.kind != "EOF":
            self.i += 1
        return token

    def error(self, token: Token, problem: str, code: str = SYNTAX) -> ExpressionError:
        return error_at(self.source, token.pos, code, problem)

    def expect(self, kind: str, context: str) -> Token:
        token = self.peek
        if token.kind != kind:
            raise self.error(token, f"expected '{kind}' {context}, found {_describe(token)}")
        return self.advance()

    def enter(self, token: Token) -> None:
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            raise self.error(
                token, f"expression is nested more than {MAX_DEPTH} levels deep", TOO_COMPLEX
            )

    def make(self, node: Node, *kids: Node) -> Node:
        depth = 1 + max((self.depths[id(k)] for k in kids), default=0)
        if depth > MAX_DEPTH:
            raise error_at(
                self.source,
                node.pos,
                TOO_COMPLEX,
                f"expression is nested more than {MAX_DEPTH} levels deep",
            )
        self.depths[id(node)] = depth
        return node

    # --- grammar ---------------------------------------------------------------------
    def parse(self) -> Node:
        if self.peek.kind == "EOF":
            raise self.error(self.peek, "empty expression")
        node = self.expression()
        token = self.peek
        if token.kind != "EOF":
            raise self.error(
                token, f"unexpected {_describe(token)}: expected an operator or the end"
            )
        return node

    def expression(self) -> Node:
        """``binary ('?' expression ':' expression)?``, right-associative."""
        self.enter(self.peek)
        node = self.binary(1)
        if self.peek.kind == "?":
            question = self.advance()
            then = self.expression()
            self.expect(":", "between the branches of '?'")
            otherwise = self.expression()
            node = self.make(
                Conditional(node, then, otherwise, pos=question.pos), node, then, otherwise
            )
        self.nesting -= 1
        return node

    def binary(self, min_precedence: int) -> Node:
        left = self.unary()
        while True:
            token = self.peek
            precedence = PRECEDENCE.get(token.kind)
            if precedence is None or precedence < min_precedence:
                return left
            self.advance()
            right = self.binary(precedence + 1)
            left = self.make(Binary(token.kind, left, right, pos=token.pos), left, right)

    def unary(self) -> Node:
        token = self.peek
        if token.kind not in ("!", "-"):
            return self.postfix()
        self.advance()
        self.enter(token)
        operand = self.unary()
        self.nesting -= 1
        if (
            token.kind == "-"
            and isinstance(operand, Literal)
            and type(operand.value) in (int, float)
            and not isinstance(operand.value, bool)
        ):
            value = operand.value
            assert isinstance(value, int | float)
            return self.make(Literal(-value, pos=token.pos))
        return self.make(Unary(token.kind, operand, pos=token.pos), operand)

    def postfix(self) -> Node:
        node = self.primary()
        while True:
            token = self.peek
            if token.kind == ".":
                self.advance()
                name = self.advance()
                if name.kind != "IDENT" and name.kind not in KEYWORDS:
                    raise self.error(
                        name, f"expected a field name after '.', found {_describe(name)}"
                    )
                node = self.make(Attribute(node, name.text, pos=name.pos), node)
            elif token.kind == "[":
                self.advance()
                key = self.expression()
                self.expect("]", "to close '['")
                node = self.make(Index(node, key, pos=token.pos), node, key)
            elif token.kind == "(":
                raise self.error(token, "only library functions can be called, as name(...)")
            else:
                return node

    def primary(self) -> Node:
        token = self.advance()
        kind = token.kind
        if kind in ("INT", "FLOAT", "STRING"):
            return self.make(Literal(token.value, pos=token.pos))
        if kind in ("true", "false"):
            return self.make(Literal(kind == "true", pos=token.pos))
        if kind == "null":
            return self.make(Literal(None, pos=token.pos))
        if kind == "IDENT":
            if self.peek.kind == "(":
                return self.call(token)
            if token.text == "has":
                raise self.error(token, "has needs an argument, as in has(customer.manager)")
            return self.make(Name(token.text, pos=token.pos))
        if kind == "(":
            node = self.expression()
            self.expect(")", "to close '('")
            return node
        if kind == "[":
            items = self.sequence("]", "list")
            return self.make(ListLiteral(items, pos=token.pos), *items)
        if kind == "EOF":
            raise self.error(token, "unexpected end of the expression: a value is missing")
        raise self.error(token, f"expected a value, found {_describe(token)}")

    def call(self, name: Token) -> Node:
        self.advance()  # "("
        args = self.sequence(")", "argument list")
        if name.text == "has":
            if len(args) != 1:
                raise self.error(name, f"has takes exactly one argument, got {len(args)}")
            return self.make(Has(args[0], pos=name.pos), args[0])
        return self.make(Call(name.text, args, pos=name.pos), *args)

    def sequence(self, close: str, what: str) -> tuple[Node, ...]:
        """Comma-separated expressions up to ``close``; a trailing comma is allowed."""
        items: list[Node] = []
        while self.peek.kind != close:
            items.append(self.expression())
            if self.peek.kind != ",":
                break
            self.advance()
        self.expect(close, f"to close the {what}")
        return tuple(items)
