"""How the built-in CRM writes phones, e-mails and identities, so that look-ups match.

Phones are stored in E.164 and e-mails as :func:`normalize_address` gives them; a value
that cannot be normalised is refused with a ``ValidationError`` naming it, because a
customer record must never hold an identity that no look-up could find.
"""

from __future__ import annotations

from collections.abc import Iterable

from frontdesk.domain.addresses import normalize_address
from frontdesk.domain.customers import Identity, IdentityKind
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.phones import normalize_phone


def phone_e164(raw: str, region: str) -> str:
    """``raw`` in E.164, national numbers read as numbers of ``region``.

    ``ValidationError`` ``customer.invalid_phone`` when it is not a valid number.
    """
    phone = normalize_phone(raw, region)
    if phone.e164 is None:
        raise ValidationError(
            f"invalid phone number {raw!r} ({phone.problem})",
            code="customer.invalid_phone",
            value=raw,
            problem=phone.problem,
        )
    return phone.e164


def email_normalized(raw: str) -> str:
    """``raw`` as a normalised address; ``ValidationError`` ``customer.invalid_email`` if bad."""
    address = normalize_address(raw)
    if address.normalized is None:
        raise ValidationError(
            f"invalid e-mail address {raw!r} ({address.problem})",
            code="customer.invalid_email",
            value=raw,
            problem=address.problem,
        )
    return address.normalized


def phones_e164(raws: Iterable[str], region: str) -> tuple[str, ...]:
    """Every number in E.164, duplicates (however written) dropped, order kept."""
    return tuple(dict.fromkeys(phone_e164(raw, region) for raw in raws))


def emails_normalized(raws: Iterable[str]) -> tuple[str, ...]:
    """Every address normalised, duplicates dropped, order kept."""
    return tuple(dict.fromkeys(email_normalized(raw) for raw in raws))


def lookup_key(identity: Identity, region: str) -> Identity | None:
    """The identity as the store holds it, or None when no stored value can match.

    Phones and e-mails are normalised like stored values; messenger ("network:id") and
    external ids are compared as given.
    """
    if identity.kind is IdentityKind.PHONE:
        e164 = normalize_phone(identity.value, region).e164
        return None if e164 is None else Identity(IdentityKind.PHONE, e164)
    if identity.kind is IdentityKind.EMAIL:
        address = normalize_address(identity.value).normalized
        return None if address is None else Identity(IdentityKind.EMAIL, address)
    return identity
