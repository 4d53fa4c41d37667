"""The customers section: the search, and the customer card with the whole history.

Both pages only read; searching, creating, editing, notes, purchases, merging and the
CSV files go through the REST API (``static/js/pages/customers.js`` and
``customer.js``). The card's timeline is every contact of the customer on every
channel: the CRM's history and the contacts stored for the customer, each linking to
its contact page when the viewer may open it (``web/api/contacts.may_read``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from frontdesk.domain.callbacks import CallbackState
from frontdesk.domain.customers import Activity, Customer
from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.handling import LiveContact
from frontdesk.domain.ids import ContactId, CustomerId, TenantId
from frontdesk.domain.repositories import ContactFilter, Transaction
from frontdesk.services.auth import Principal
from frontdesk.web.api.contacts import may_read
from frontdesk.web.auth import frontdesk_of
from frontdesk.web.ui.access import page, signed_in_viewer
from frontdesk.web.ui.contact_views import Span, handling_time, waiting
from frontdesk.web.ui.directory import Directory, directory, phone
from frontdesk.web.ui.templating import Viewer, render
from frontdesk.web.ui.vocabulary import CHANNELS, CONTACT_STATES, translated

router = APIRouter(include_in_schema=False)
Reader = Annotated[Viewer, Depends(page("customers.read"))]

HISTORY = 50  # entries of the timeline shown at first
MAX_HISTORY = 500
PURCHASES = 100
NOTES = 100
CURRENCIES = ("RUB", "USD", "EUR", "KZT", "BYN", "CNY", "GBP")


@router.get("/customers", response_class=HTMLResponse)
async def search_page(request: Request, viewer: Reader, q: str = "") -> Response:
    """The search box (``/`` focuses it), its results, and creating customers; the CSV
    files for those who may import. ``?q=`` opens with the results of ``q``."""
    principal = signed_in_viewer(viewer)
    names = await directory(frontdesk_of(request.app), principal.tenant, viewer.locale)
    return render(
        request, viewer, "customers/search.html",
        q=q[:256], names=names, empty=_blank(), currencies=CURRENCIES,
        can_write=principal.can("customers.write"),
        can_import=principal.can("customers.import"),
    )  # fmt: skip


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
async def card_page(
    request: Request, customer_id: str, viewer: Reader, history: str = "", merged: str = ""
) -> Response:
    """The customer card. A record merged into another opens the one it went into."""
    frontdesk = frontdesk_of(request.app)
    principal = signed_in_viewer(viewer)
    tenant = principal.tenant
    shown = _count(history, HISTORY, MAX_HISTORY)
    names = await directory(frontdesk, tenant, viewer.locale)
    async with frontdesk.store.transaction() as tx:
        customer = await _customer(tx, tenant, customer_id)
        if customer.id != customer_id:
            target = f"/customers/{customer.id}?" + urlencode({"merged": customer_id})
            return RedirectResponse(target, status_code=303)
        purchases = await tx.customers.purchases(tenant, customer.id, PURCHASES)
        notes = await tx.customers.notes(tenant, customer.id, NOTES)
        callbacks = await tx.callbacks.all(
            tenant, state=CallbackState.PENDING, customer=customer.id
        )
        timeline, more = await _timeline(tx, principal, customer.id, shown, names)
    return render(
        request, viewer, "customers/card.html",
        customer=customer, purchases=purchases, notes=notes, callbacks=callbacks,
        timeline=timeline, more_history=shown * 4 if more and shown < MAX_HISTORY else None,
        names=names, merged=merged[:128], phone=phone, currencies=CURRENCIES,
        now=frontdesk.clock.now(),
        contact_states=translated(CONTACT_STATES, viewer.gettext),
        channels=translated(CHANNELS, viewer.gettext),
        can_write=principal.can("customers.write"),
        can_search_contacts=principal.can("contacts.read"),
        can_call=frontdesk.settings.click_to_call and principal.agent is not None,
        form=_form_values(customer),
        purchases_capped=len(purchases) == PURCHASES,
    )  # fmt: skip


async def _customer(tx: Transaction, tenant: TenantId, customer_id: str) -> Customer:
    """The customer, following merges to the record that holds its data now."""
    record = await tx.customers.get(tenant, CustomerId(customer_id))
    while record is not None and record.merged_into is not None:
        record = await tx.customers.get(tenant, record.merged_into)
    if record is None:
        raise NotFoundError(f"no customer {customer_id!r}", code="customer.not_found")
    return record


def _count(text: str, default: int, most: int) -> int:
    """A page size from the address: a number within 1..most, else the default."""
    return min(int(text), most) if text.isdigit() and int(text) > 0 else default


# --- the timeline ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Interaction:
    """One contact of the customer, from the CRM's history, the contact store, or both."""

    at: datetime
    channel: str
    contact: str | None  # the contact to link to, when the viewer may open it
    state: str | None
    direction: str
    agent: str
    queue: str
    disposition: str
    summary: str
    waiting: Span
    handling: Span


async def _timeline(
    tx: Transaction, principal: Principal, customer: CustomerId, limit: int, names: Directory
) -> tuple[list[Interaction], bool]:
    """The newest ``limit`` contacts of the customer, and whether there are older ones.

    Contacts still open are not in the CRM's history yet; contacts of a duplicate merged
    into this customer are, and are read by their id. Contacts the viewer may not open
    are shown only as the history knows them.
    """
    tenant = principal.tenant
    activities = await tx.customers.activities(tenant, customer, limit)
    searched = await tx.contacts.search(tenant, ContactFilter(customer=customer, limit=limit))
    stored = {live.contact.id: live for live in searched}
    for activity in activities:
        if activity.contact is not None and activity.contact not in stored:
            found = await tx.contacts.get(tenant, activity.contact)
            if found is not None:
                stored[found.contact.id] = found
    readable = {
        key
        for key, live in stored.items()
        if principal.can("contacts.read")
        or may_read(principal, live, await tx.events.for_contact(tenant, ContactId(key)))
    }
    logged = {activity.contact for activity in activities if activity.contact is not None}
    entries = [
        _interaction(activity, stored.get(activity.contact) if activity.contact else None,
                     activity.contact in readable, names)
        for activity in activities
    ]  # fmt: skip
    entries.extend(
        _interaction(None, live, True, names)
        for key, live in stored.items()
        if key not in logged and key in readable and live.contact.customer == customer
    )
    entries.sort(key=lambda entry: entry.at, reverse=True)
    more = len(activities) == limit or len(searched) == limit
    return entries[:limit], more


def _interaction(
    activity: Activity | None, live: LiveContact | None, openable: bool, names: Directory
) -> Interaction:
    if live is not None:
        contact, handling = live.contact, live.handling
        return Interaction(
            at=contact.arrived_at,
            channel=contact.channel.value,
            contact=contact.id if openable else None,
            state=contact.state.value,
            direction=activity.direction if activity else "inbound",
            agent=names.agent(activity.agent if activity and activity.agent else handling.agent),
            queue=names.queue(handling.queue),
            disposition=names.disposition(
                activity.disposition if activity else handling.disposition
            ),
            summary=activity.summary if activity else handling.note,
            waiting=waiting(live),
            handling=handling_time(live),
        )
    assert activity is not None
    return Interaction(
        at=activity.at,
        channel=activity.channel,
        contact=None,
        state=None,
        direction=activity.direction,
        agent=names.agent(activity.agent),
        queue="",
        disposition=names.disposition(activity.disposition),
        summary=activity.summary,
        waiting=Span(),
        handling=Span(),
    )


# --- the customer form -------------------------------------------------------------------------


def _blank() -> dict[str, str | bool]:
    return {
        "name": "", "company": "", "category": "", "status": "", "manager": "",
        "vip": False, "blacklisted": False, "languages": "", "phones": "", "emails": "",
        "messenger_ids": "", "fields": "",
    }  # fmt: skip


def _form_values(customer: Customer) -> dict[str, str | bool]:
    """The customer as the form's controls hold it: lists a line each, maps ``key: value``."""
    return {
        "name": customer.name,
        "company": customer.company,
        "category": customer.category or "",
        "status": customer.status or "",
        "manager": customer.manager or "",
        "vip": customer.vip,
        "blacklisted": customer.blacklisted,
        "languages": ", ".join(sorted(customer.languages)),
        "phones": "\n".join(customer.phones),
        "emails": "\n".join(customer.emails),
        "messenger_ids": "\n".join(f"{k}: {v}" for k, v in customer.messenger_ids.items()),
        "fields": "\n".join(f"{k}: {v}" for k, v in customer.fields.items()),
    }
