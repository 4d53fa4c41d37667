"""Text conversations: the messages of a chat, e-mail or messenger contact.

A conversation is part of its contact. The customer's first words come with the contact
itself (``channel_data["text"]``, and ``subject`` for an e-mail); every later message is
a ``contact.message`` event written by the desk (:meth:`TenantDesk.add_message`): ``in``
from the customer, delivered by a channel adapter or an integration, ``out`` from the
agent serving the contact, for the channel adapter to deliver. The event log is the
conversation's store, so the conversation is in order with everything else that
happened to the contact, and whoever follows the events (the agent's desktop, a channel
adapter, a webhook) sees each message once, in order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from frontdesk.domain.channels import Media
from frontdesk.domain.contacts import Contact
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.events import StoredEvent

#: The longest message, in characters (a long e-mail reply fits; a file does not).
MAX_MESSAGE = 10_000
MESSAGE_EVENT = "contact.message"


class Direction(StrEnum):
    IN = "in"  # from the customer
    OUT = "out"  # from the agent


@dataclass(frozen=True, slots=True)
class Message:
    at: datetime
    direction: Direction
    text: str
    author: str
    subject: str = ""
    seq: int = 0  # the event's; 0 for the contact's first message


def check_message(text: str) -> str:
    """The text to store: refused (``message.empty``, ``message.too_long``) when blank or
    longer than :data:`MAX_MESSAGE`; surrounding blank lines are dropped."""
    clean = text.strip("\r\n")
    if not clean.strip():
        raise ValidationError("the message is empty", code="message.empty", field="text")
    if len(clean) > MAX_MESSAGE:
        raise ValidationError(
            f"the message is longer than {MAX_MESSAGE} characters ({len(clean)})",
            code="message.too_long",
            field="text",
        )
    return clean


def is_text(contact: Contact) -> bool:
    """Whether the contact is a conversation in writing (not a call)."""
    return contact.media is not Media.CALL


def conversation(contact: Contact, events: Iterable[StoredEvent]) -> list[Message]:
    """The contact's messages, oldest first: what it arrived with, then each message
    event."""
    messages: list[Message] = []
    first = contact.channel_data.get("text", "")
    subject = contact.channel_data.get("subject", "")
    if first or subject:
        messages.append(
            Message(contact.arrived_at, Direction.IN, first, contact.ani, subject=subject)
        )
    for event in events:
        if event.type == MESSAGE_EVENT:
            data = event.data
            messages.append(
                Message(
                    event.at,
                    Direction(data["direction"]),
                    str(data["text"]),
                    str(data.get("author", "")),
                    seq=event.seq,
                )
            )
    return messages
