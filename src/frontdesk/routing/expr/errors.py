"""The one error of the expression language, with its codes and its place in the text."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any, ClassVar

from frontdesk.domain.errors import FrontdeskError, Location

SYNTAX = "expression.syntax"
UNKNOWN_FIELD = "expression.unknown_field"
UNKNOWN_FUNCTION = "expression.unknown_function"
TYPE = "expression.type"
TOO_COMPLEX = "expression.too_complex"

CODES = (SYNTAX, UNKNOWN_FIELD, UNKNOWN_FUNCTION, TYPE, TOO_COMPLEX)


class ExpressionError(FrontdeskError):
    """An expression that cannot be parsed, type-checked or compiled.

    ``line`` and ``column`` are 1-based; ``problem`` is the message without the place,
    ``message`` (and ``str()``) is ``"line L, column C: problem"``.
    """

    code: ClassVar[str] = SYNTAX

    def __init__(self, problem: str, *, code: str, line: int, column: int) -> None:
        super().__init__(
            f"line {line}, column {column}: {problem}",
            code=code,
            line=line,
            column=column,
            problem=problem,
        )
        self.problem = problem
        self.line = line
        self.column = column

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.problem, self.code, self.line, self.column))

    @property
    def location(self) -> Location:
        return Location(self.line, self.column)

    def shifted(self, origin: tuple[int, int]) -> ExpressionError:
        """The same error, placed in a document where the expression starts at ``origin``.

        On the expression's first line the column is offset by the origin's column; on
        later lines only the line moves (the column is the one within that line).
        """
        line0, column0 = origin
        if self.line == 1:
            line, column = line0, column0 + self.column - 1
        else:
            line, column = line0 + self.line - 1, self.column
        shifted = ExpressionError(self.problem, code=self.code, line=line, column=column)
        shifted.__cause__ = self.__cause__
        return shifted


def _rebuild(problem: str, code: str, line: int, column: int) -> ExpressionError:
    return ExpressionError(problem, code=code, line=line, column=column)


def position(source: str | None, pos: int) -> tuple[int, int]:
    """1-based (line, column) of the 0-based offset ``pos`` in ``source``."""
    if source is None:
        return 1, pos + 1
    pos = max(0, min(pos, len(source)))
    line = source.count("\n", 0, pos) + 1
    column = pos - (source.rfind("\n", 0, pos) + 1) + 1
    return line, column


def error_at(source: str | None, pos: int, code: str, problem: str) -> ExpressionError:
    line, column = position(source, pos)
    return ExpressionError(problem, code=code, line=line, column=column)


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or an empty string."""
    close = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
