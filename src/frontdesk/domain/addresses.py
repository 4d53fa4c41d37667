"""E-mail addresses as value objects: normalised, or kept as given and flagged.

Normalisation strips surrounding blanks, a ``mailto:`` prefix and angle brackets
(``"<Anna@Example.COM>"``) and lower-cases the domain; the local part keeps its case (it
is case-sensitive by the RFC, though ``same_address`` ignores case, as mail providers do).
The check is deliberately basic - one ``@``, a plausible local part, a dotted domain of
letters, digits and hyphens (Unicode letters allowed for internationalised domains) -
and never raises on bad input. Problems:

* ``email.empty`` - nothing but blanks;
* ``email.too_long`` - over 254 characters (the stored raw text is cut to
  :data:`MAX_RAW_LENGTH`), or a local part over 64 or a domain label over 63;
* ``email.invalid`` - not shaped like an address.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from frontdesk.domain.errors import ValidationError

__all__ = ["MAX_RAW_LENGTH", "EmailAddress", "normalize_address", "same_address"]

MAX_RAW_LENGTH = 256
"""Longest raw text kept; longer input is cut and flagged ``email.too_long``."""

_MAX_ADDRESS = 254
_MAX_LOCAL = 64
_MAX_LABEL = 63
_PROBLEMS = frozenset({"email.empty", "email.too_long", "email.invalid"})
_LOCAL_SPECIALS = frozenset("!#$%&'*+-/=?^_`{|}~.")


@dataclass(frozen=True, slots=True)
class EmailAddress:
    """An e-mail address: ``normalized`` when well-formed, otherwise ``problem``."""

    raw: str
    normalized: str | None
    problem: str | None

    def __post_init__(self) -> None:
        if (self.normalized is None) == (self.problem is None):
            raise ValidationError(
                "an e-mail address has either a normalised form or a problem, not both",
                code="email.inconsistent",
            )
        if self.problem is not None and self.problem not in _PROBLEMS:
            raise ValidationError(
                f"unknown e-mail problem {self.problem!r}", code="email.inconsistent"
            )

    @property
    def valid(self) -> bool:
        return self.problem is None

    @property
    def domain(self) -> str | None:
        return None if self.normalized is None else self.normalized.rpartition("@")[2]

    def __str__(self) -> str:
        return self.normalized if self.normalized is not None else self.raw


def _local_ok(local: str) -> bool:
    if not local or local.startswith(".") or local.endswith(".") or ".." in local:
        return False
    return all(
        ch.isalnum() or ch in _LOCAL_SPECIALS or (ord(ch) > 127 and ch.isprintable())
        for ch in local
    )


def _label_ok(label: str) -> bool:
    if not label or label.startswith("-") or label.endswith("-"):
        return False
    return all(ch.isalnum() or ch == "-" for ch in label)


def normalize_address(raw: str) -> EmailAddress:
    """Normalise an e-mail address; bad input is flagged, never raised."""
    if not isinstance(raw, str):
        raw = "" if raw is None else str(raw)
    if len(raw) > MAX_RAW_LENGTH:
        return EmailAddress(raw[:MAX_RAW_LENGTH], None, "email.too_long")
    text = raw.strip()
    if text[:7].lower() == "mailto:":
        text = text[7:].strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    if not text:
        return EmailAddress(raw, None, "email.empty")
    if len(text) > _MAX_ADDRESS:
        return EmailAddress(raw, None, "email.too_long")
    if text.count("@") != 1:
        return EmailAddress(raw, None, "email.invalid")
    local, _, domain = text.partition("@")
    domain = unicodedata.normalize("NFC", domain).lower().removesuffix(".")
    labels = domain.split(".")
    if len(local) > _MAX_LOCAL or any(len(label) > _MAX_LABEL for label in labels):
        return EmailAddress(raw, None, "email.too_long")
    if not _local_ok(local) or len(labels) < 2 or not all(map(_label_ok, labels)):
        return EmailAddress(raw, None, "email.invalid")
    if labels[-1].isdigit():
        return EmailAddress(raw, None, "email.invalid")
    return EmailAddress(raw, f"{local}@{domain}", None)


def same_address(a: EmailAddress | str, b: EmailAddress | str) -> bool:
    """Whether two addresses are the same mailbox (case-insensitive); invalid ones never are."""
    first = a if isinstance(a, EmailAddress) else normalize_address(a)
    second = b if isinstance(b, EmailAddress) else normalize_address(b)
    if first.normalized is None or second.normalized is None:
        return False
    return first.normalized.casefold() == second.normalized.casefold()
