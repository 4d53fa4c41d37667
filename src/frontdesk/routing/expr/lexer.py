"""Turn expression text into tokens."""

from __future__ import annotations

import math
from typing import NamedTuple

from frontdesk.routing.expr.errors import SYNTAX, error_at

MAX_INT = 2**63 - 1

KEYWORDS = frozenset({"true", "false", "null", "in"})
_TWO_CHAR = frozenset({"==", "!=", "<=", ">=", "&&", "||"})
_ONE_CHAR = frozenset("<>!+-*/%?:()[],.")
_HINTS = {
    "=": "unexpected '=' (use '==' to compare)",
    "&": "unexpected '&' (did you mean '&&'?)",
    "|": "unexpected '|' (did you mean '||'?)",
}
_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "n": "\n", "t": "\t", "r": "\r"}
_HEX = frozenset("0123456789abcdefABCDEF")
_DIGITS = frozenset("0123456789")
_IDENT_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_IDENT_REST = _IDENT_START | _DIGITS
_SPACE = frozenset(" \t\r\n")


class Token(NamedTuple):
    """``kind`` is ``INT``, ``FLOAT``, ``STRING``, ``IDENT``, ``EOF``, or the text of a
    keyword or operator (``"in"``, ``"=="``, ``"("`` ...)."""

    kind: str
    text: str
    value: int | float | str | None
    pos: int


def tokenize(source: str) -> list[Token]:
    """The tokens of ``source``, ending with an ``EOF`` token."""
    tokens: list[Token] = []
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if c in _SPACE:
            i += 1
        elif c in _IDENT_START:
            j = i + 1
            while j < n and source[j] in _IDENT_REST:
                j += 1
            word = source[i:j]
            tokens.append(Token(word if word in KEYWORDS else "IDENT", word, word, i))
            i = j
        elif c in _DIGITS:
            token = _number(source, i)
            tokens.append(token)
            i += len(token.text)
        elif c in "\"'":
            token = _string(source, i)
            tokens.append(token)
            i += len(token.text)
        elif source[i : i + 2] in _TWO_CHAR:
            tokens.append(Token(source[i : i + 2], source[i : i + 2], None, i))
            i += 2
        elif c in _ONE_CHAR:
            tokens.append(Token(c, c, None, i))
            i += 1
        else:
            problem = _HINTS.get(c) or f"unexpected character {c!r}"
            raise error_at(source, i, SYNTAX, problem)
    tokens.append(Token("EOF", "", None, n))
    return tokens


def _number(source: str, i: int) -> Token:
    n = len(source)
    j = i
    while j < n and source[j] in _DIGITS:
        j += 1
    is_float = False
    if j + 1 < n and source[j] == "." and source[j + 1] in _DIGITS:
        is_float = True
        j += 1
        while j < n and source[j] in _DIGITS:
            j += 1
    if j < n and source[j] in "eE":
        k = j + 1
        if k < n and source[k] in "+-":
            k += 1
        if k >= n or source[k] not in _DIGITS:
            raise error_at(source, i, SYNTAX, f"malformed number {source[i : k + 1]!r}")
        while k < n and source[k] in _DIGITS:
            k += 1
        is_float, j = True, k
    if j < n and source[j] in _IDENT_START:
        raise error_at(source, i, SYNTAX, f"malformed number {source[i : j + 1]!r}")
    text = source[i:j]
    if is_float:
        value = float(text)
        if not math.isfinite(value):
            raise error_at(source, i, SYNTAX, f"number {text} is out of range")
        return Token("FLOAT", text, value, i)
    if len(text) > 19 or int(text) > MAX_INT:
        raise error_at(source, i, SYNTAX, f"integer {text} is out of range (max {MAX_INT})")
    return Token("INT", text, int(text), i)


def _string(source: str, i: int) -> Token:
    quote = source[i]
    n = len(source)
    out: list[str] = []
    j = i + 1
    while True:
        if j >= n or source[j] in "\r\n":
            raise error_at(source, i, SYNTAX, "unterminated string")
        c = source[j]
        if c == quote:
            return Token("STRING", source[i : j + 1], "".join(out), i)
        if c != "\\":
            out.append(c)
            j += 1
            continue
        e = source[j + 1] if j + 1 < n else ""
        if e in _ESCAPES:
            out.append(_ESCAPES[e])
            j += 2
        elif e == "u":
            digits = source[j + 2 : j + 6]
            if len(digits) != 4 or not set(digits) <= _HEX:
                raise error_at(source, j, SYNTAX, "\\u needs four hex digits")
            code = int(digits, 16)
            if 0xD800 <= code <= 0xDFFF:
                raise error_at(source, j, SYNTAX, f"\\u{digits} is a surrogate, not a character")
            out.append(chr(code))
            j += 6
        else:
            shown = repr(e) if e else "end of text"
            raise error_at(source, j, SYNTAX, f"unknown escape \\ followed by {shown}")
