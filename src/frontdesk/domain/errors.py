"""The one error tree of Frontdesk.

Every error carries a stable ``code`` (dotted, lower case) that clients may rely on;
the HTTP status for a code is chosen once, at the web edge. ``details`` holds
machine-readable context (a field path, a line and column ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar


class FrontdeskError(Exception):
    """Base of every domain error."""

    code: ClassVar[str] = "frontdesk.error"

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code  # type: ignore[misc]  # an instance may refine its class code
        self.details: Mapping[str, Any] = details

    def __str__(self) -> str:
        return self.message


class ValidationError(FrontdeskError):
    """Input that breaks a rule of the domain (a bad value, a missing reference)."""

    code = "validation.invalid"


class NotFoundError(FrontdeskError):
    """A reference to something that does not exist."""

    code = "not_found"


class ConflictError(FrontdeskError):
    """An operation that the current state does not allow."""

    code = "conflict"


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a source document, 1-based."""

    line: int
    column: int

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}"
