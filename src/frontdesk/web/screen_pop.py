"""The screen pop: what an agent sees of a contact that rings or that they serve.

The agent stream sends it with each offer (:func:`offer_card`); ``GET
/api/v1/contacts/{id}/card`` reads it again (:func:`screen_pop`) for a desktop that was
reloaded, or whose contact changed customer. A broken CRM never withholds the ring:
the card then says the CRM is unavailable.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from frontdesk.crm.builtin.card import CustomerCard
from frontdesk.domain.callbacks import Callback
from frontdesk.domain.contacts import SegmentKind
from frontdesk.domain.customers import Activity, Purchase
from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.events import StoredEvent
from frontdesk.domain.handling import CrmStatus, LiveContact
from frontdesk.domain.ids import ContactId
from frontdesk.web.container import Frontdesk

log = logging.getLogger(__name__)
CRM_UNAVAILABLE = "CRM unavailable"


async def offer_card(frontdesk: Frontdesk, event: StoredEvent) -> dict[str, Any]:
    """The screen pop of the offer ``event`` (``contact.offered``)."""
    contact_id = ContactId(str(event.contact))
    async with frontdesk.store.transaction() as tx:
        live = await tx.contacts.get(event.tenant, contact_id)
    if live is None:
        return {"contact": contact_id, "crm": CrmStatus.UNAVAILABLE.value,
                "notice": CRM_UNAVAILABLE, "customer": None}  # fmt: skip
    return await screen_pop(frontdesk, live, offered_at=event.at, queue=event.data.get("queue"))


async def screen_pop(
    frontdesk: Frontdesk,
    live: LiveContact,
    *,
    offered_at: datetime | None = None,
    queue: str | None = None,
) -> dict[str, Any]:
    """The contact, how it came (and the first words of a written one), what the scenario
    chose to show, and the customer's card when one is known. ``offered_at`` (default: its
    last offer) measures how long it waited; ``queue`` is the queue it was offered from
    (default: its decided queue)."""
    contact, handling = live.contact, live.handling
    entries = [s for s in contact.segments if s.kind is not SegmentKind.CONSULT]
    entered = entries[-1].started_at if entries else contact.arrived_at
    offered = offered_at or handling.offered_at or handling.connected_at or frontdesk.clock.now()
    status = handling.crm
    customer = None
    if contact.customer is not None:
        try:
            card = await frontdesk.crm.card(contact.tenant, contact.customer)
            customer = _customer_json(frontdesk, card)
        except NotFoundError:
            status = CrmStatus.NOT_FOUND
        except Exception:  # a broken CRM leaves the offer without the card, never without the ring
            log.exception("the card of customer %s could not be read", contact.customer)
            status = CrmStatus.UNAVAILABLE
    return {
        "contact": contact.id,
        "channel": contact.channel.value,
        "ani": contact.ani,
        "access_point": contact.access_point,
        "line": contact.line,
        "waited": max(0.0, round((offered - entered).total_seconds(), 1)),
        "queue": queue or handling.queue,
        "ivr_path": [
            {"menu": step.menu, "input": step.input, "outcome": step.outcome}
            for step in contact.ivr_path
        ],
        "digits": dict(contact.digits),
        "subject": contact.channel_data.get("subject", ""),  # what a written contact says
        "text": contact.channel_data.get("text", ""),
        "greeting": handling.greeting,
        "card": handling.card,
        "script": handling.script,
        "crm": status.value,
        "notice": CRM_UNAVAILABLE if status is CrmStatus.UNAVAILABLE else None,
        "customer": customer,
    }


def _customer_json(frontdesk: Frontdesk, card: CustomerCard) -> dict[str, Any]:
    customer = card.customer
    manager = None
    if customer.manager is not None:
        desk = frontdesk.dispatcher.desks.get(customer.tenant)
        profile = desk.agents.get(customer.manager) if desk is not None else None
        manager = profile.name if profile is not None and profile.name else customer.manager
    return {
        "id": customer.id,
        "name": customer.name,
        "company": customer.company,
        "category": customer.category,
        "vip": customer.profile().vip,
        "manager": customer.manager,
        "manager_name": manager,
        "status": customer.status,
        "purchases": [_purchase_json(purchase) for purchase in card.purchases],
        "callbacks": [_callback_json(callback) for callback in card.callbacks],
        "contacts": [_activity_json(activity) for activity in card.activities],
    }


def _purchase_json(purchase: Purchase) -> dict[str, Any]:
    return {
        "id": purchase.id,
        "at": purchase.at.isoformat(),
        "amount": str(purchase.amount),
        "currency": purchase.currency,
        "description": purchase.description,
        "order_no": purchase.order_no,
    }


def _callback_json(callback: Callback) -> dict[str, Any]:
    return {
        "id": callback.id,
        "due_at": callback.due_at.isoformat(),
        "number": callback.number,
        "note": callback.note,
        "agent": callback.agent,
        "queue": callback.queue,
    }


def _activity_json(activity: Activity) -> dict[str, Any]:
    return {
        "at": activity.at.isoformat(),
        "channel": activity.channel,
        "direction": activity.direction,
        "summary": activity.summary,
        "agent": activity.agent,
        "disposition": activity.disposition,
        "contact": activity.contact,
    }
