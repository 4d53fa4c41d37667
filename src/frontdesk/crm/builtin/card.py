"""The customer card: what an agent sees of a customer when a contact is offered."""

from __future__ import annotations

from dataclasses import dataclass

from frontdesk.domain.callbacks import Callback
from frontdesk.domain.customers import Activity, Customer, Note, Purchase

CARD_PURCHASES = 5
CARD_ACTIVITIES = 10


@dataclass(frozen=True, slots=True)
class CustomerCard:
    """The customer with the last purchases and activities (newest first), the notes and
    the callbacks still pending for them."""

    customer: Customer
    purchases: tuple[Purchase, ...]
    activities: tuple[Activity, ...]
    notes: tuple[Note, ...]
    callbacks: tuple[Callback, ...]
