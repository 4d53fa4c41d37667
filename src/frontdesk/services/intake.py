"""Stage 1, intake: what a source submits, checked and turned into a stored contact.

Nothing is routed here. A submission that breaks a limit is refused with a
ValidationError naming the field, before anything is stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from frontdesk.domain.addresses import normalize_address
from frontdesk.domain.channels import Channel
from frontdesk.domain.contacts import Contact, IvrStep
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.ids import ContactId, TenantId
from frontdesk.domain.phones import normalize_phone
from frontdesk.domain.queues import AccessPoint

MAX_SENDER = 256
MAX_DATA_ITEMS = 64
MAX_VALUE = 4096
MAX_KEY = 128
MAX_IVR_STEPS = 100
_PHONE_LIKE = re.compile(r"^\+?[\d\s().-]{5,32}$")
_PHONE_CHANNELS = frozenset({Channel.VOICE, Channel.SMS, Channel.CALLBACK})


@dataclass(frozen=True, slots=True)
class Submission:
    """A contact as a source hands it over (a web form, a webhook, a channel adapter)."""

    access_point: str
    sender: str  # caller number, e-mail address, messenger "network:id" ...
    channel_data: Mapping[str, str] = field(default_factory=dict)  # subject, text, url ...
    digits: Mapping[str, str] = field(default_factory=dict)  # collected input, by name
    ivr_path: tuple[IvrStep, ...] = ()
    priority: int = 0
    language: str | None = None
    idempotency_key: str | None = None


def _fail(where: str, message: str, code: str = "contact.invalid") -> ValidationError:
    return ValidationError(f"{where}: {message}", code=code, field=where)


def check(submission: Submission) -> None:
    """Every limit of a submission; the first broken one is reported."""
    if not submission.sender.strip():
        raise _fail("sender", "is empty")
    if len(submission.sender) > MAX_SENDER:
        raise _fail("sender", f"is longer than {MAX_SENDER} characters")
    for name, table in (("channel_data", submission.channel_data), ("digits", submission.digits)):
        if len(table) > MAX_DATA_ITEMS:
            raise _fail(name, f"has more than {MAX_DATA_ITEMS} entries")
        for key, value in table.items():
            if not isinstance(value, str) or not isinstance(key, str):
                raise _fail(f"{name}.{key}", "keys and values must be strings")
            if len(key) > MAX_KEY or len(value) > MAX_VALUE:
                raise _fail(f"{name}.{key[:MAX_KEY]}", f"longer than {MAX_VALUE} characters")
    if len(submission.ivr_path) > MAX_IVR_STEPS:
        raise _fail("ivr_path", f"has more than {MAX_IVR_STEPS} steps")
    if not -1000 <= submission.priority <= 1000:
        raise _fail("priority", "must be between -1000 and 1000")
    idempotency = submission.idempotency_key
    if idempotency is not None and not 1 <= len(idempotency) <= MAX_KEY:
        raise _fail("idempotency_key", f"must be 1..{MAX_KEY} characters")


def sender_address(channel: Channel, sender: str) -> tuple[str, str | None]:
    """The sender as stored (E.164, normalised e-mail, or as given) and its problem, if any.

    An unparseable number is kept as given and flagged, never refused: the contact is
    still served, and the card says the number could not be read.
    """
    if channel in _PHONE_CHANNELS:
        phone = normalize_phone(sender)
        return (phone.e164, None) if phone.e164 else (phone.raw, phone.problem)
    if channel is Channel.EMAIL:
        address = normalize_address(sender)
        return (address.normalized, None) if address.normalized else (sender, address.problem)
    # Forms and chats: a number or an address when it reads as one, else as given.
    text = sender.strip()
    if "@" in text:
        address = normalize_address(text)
        return (address.normalized, None) if address.normalized else (text, None)
    if _PHONE_LIKE.match(text):
        phone = normalize_phone(text)
        return (phone.e164, None) if phone.e164 else (text, None)
    return text, None


def new_contact(
    contact_id: ContactId,
    tenant: TenantId,
    point: AccessPoint,
    submission: Submission,
    now: datetime,
) -> tuple[Contact, str | None]:
    """The contact to store, and the problem with its sender address (if any)."""
    ani, problem = sender_address(point.channel, submission.sender)
    data = dict(submission.channel_data)
    if point.agent is not None:
        data.setdefault("agent", point.agent)
    return (
        Contact(
            id=contact_id,
            tenant=tenant,
            channel=point.channel,
            ani=ani,
            access_point=point.address,
            arrived_at=now,
            line=point.line,
            channel_data=data,
            ivr_path=submission.ivr_path,
            digits=dict(submission.digits),
            priority=submission.priority,
            language=submission.language,
            state_changed_at=now,
        ),
        problem,
    )
