"""Phone numbers as value objects: normalised to E.164, or kept as given and flagged.

``normalize_phone`` never raises on bad input and never drops it: a number that cannot be
parsed or is not a valid number keeps its raw text and gets a stable ``problem`` code:

* ``phone.empty`` - nothing but blanks;
* ``phone.too_long`` - longer than :data:`MAX_RAW_LENGTH` characters (the stored raw text
  is cut to that length and the number is not parsed) or too many digits to be a number;
* ``phone.unparseable`` - no phone number in the text;
* ``phone.invalid`` - parsed, but not a number that exists in the numbering plan.

Control and formatting characters (zero-width spaces pasted from web pages, NULs) are
ignored for parsing only; Unicode digits (full width, Arabic-Indic ...) are understood.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import phonenumbers

from frontdesk.domain.errors import ValidationError

__all__ = ["MAX_RAW_LENGTH", "PhoneNumber", "normalize_phone", "same_number"]

MAX_RAW_LENGTH = 256
"""Longest raw text kept (and parsed); longer input is cut and flagged ``phone.too_long``."""

_PROBLEMS = frozenset({"phone.empty", "phone.too_long", "phone.unparseable", "phone.invalid"})
_IGNORED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
_FORMATTING = frozenset(" \t-.()/\u00a0")


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    """A phone number: ``e164`` when valid, otherwise ``problem`` says what is wrong."""

    raw: str
    e164: str | None
    problem: str | None
    extension: str | None = None

    def __post_init__(self) -> None:
        if (self.e164 is None) == (self.problem is None):
            raise ValidationError(
                "a phone number has either an E.164 form or a problem, not both or neither",
                code="phone.inconsistent",
            )
        if self.problem is not None and self.problem not in _PROBLEMS:
            raise ValidationError(
                f"unknown phone problem {self.problem!r}", code="phone.inconsistent"
            )

    @property
    def valid(self) -> bool:
        return self.problem is None

    def __str__(self) -> str:
        return self.e164 if self.e164 is not None else self.raw


def _for_parsing(raw: str) -> str:
    return "".join(ch for ch in raw if unicodedata.category(ch) not in _IGNORED_CATEGORIES)


def normalize_phone(raw: str, default_region: str = "RU") -> PhoneNumber:
    """Normalise ``raw`` to E.164, reading national numbers as numbers of ``default_region``.

    "8 (495) 123-45-67", "+7 495 123 45 67" and "84951234567" all give "+74951234567".
    Bad input is flagged, never raised; an unknown ``default_region`` is a configuration
    error and raises ``ValidationError`` (``phone.invalid_region``).
    """
    region = default_region.upper() if isinstance(default_region, str) else default_region
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError(
            f"unknown phone region {default_region!r}: expected an ISO 3166 code such as 'RU'",
            code="phone.invalid_region",
            region=default_region,
        )
    if not isinstance(raw, str):
        raw = "" if raw is None else str(raw)
    if len(raw) > MAX_RAW_LENGTH:
        return PhoneNumber(raw[:MAX_RAW_LENGTH], None, "phone.too_long")
    text = _for_parsing(raw).strip()
    if not text:
        return PhoneNumber(raw, None, "phone.empty")
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        too_long = exc.error_type == phonenumbers.NumberParseException.TOO_LONG
        return PhoneNumber(raw, None, "phone.too_long" if too_long else "phone.unparseable")
    if not phonenumbers.is_valid_number(parsed):
        return PhoneNumber(raw, None, "phone.invalid")
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return PhoneNumber(raw, e164, None, parsed.extension or None)


def _loose(raw: str) -> str:
    text = unicodedata.normalize("NFKC", _for_parsing(raw)).strip().casefold()
    return "".join(ch for ch in text if ch not in _FORMATTING)


def same_number(a: PhoneNumber | str, b: PhoneNumber | str, default_region: str = "RU") -> bool:
    """Whether two numbers are the same line (extensions are ignored).

    Valid numbers compare by E.164. When either is not valid, they are the same only when
    their raw texts agree once spaces, dashes, dots, slashes and brackets are removed.
    """
    first = a if isinstance(a, PhoneNumber) else normalize_phone(a, default_region)
    second = b if isinstance(b, PhoneNumber) else normalize_phone(b, default_region)
    if first.e164 is not None and second.e164 is not None:
        return first.e164 == second.e164
    if first.valid or second.valid:
        return False
    loose = _loose(first.raw)
    return bool(loose) and loose == _loose(second.raw)
