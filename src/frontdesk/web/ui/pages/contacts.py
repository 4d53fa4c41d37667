"""The contacts section: the supervisors' contact search, and one contact with its legs,
its handling and its timeline told with the routing explanation.

The search is a form of the page's own address (``GET /contacts?state=queued&...``): a
search can be bookmarked and sent. Dates are days in the tenant's time zone. A contact
page is open to whoever may read the contact through the API (``visible``): supervisors
every contact, an agent the contacts offered to them or served by them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import QueryParams

from frontdesk.domain.channels import Channel
from frontdesk.domain.contacts import ContactState
from frontdesk.domain.handling import LiveContact
from frontdesk.domain.ids import AgentId, CustomerId, QueueId, TenantId
from frontdesk.domain.repositories import ContactFilter, Transaction
from frontdesk.services.intake import sender_address
from frontdesk.web.api.contacts import visible
from frontdesk.web.auth import frontdesk_of
from frontdesk.web.ui.access import page, signed_in_viewer
from frontdesk.web.ui.contact_views import (
    ORDERS,
    Span,
    Teller,
    action_text,
    handling_time,
    legs,
    waiting,
)
from frontdesk.web.ui.directory import directory, phone
from frontdesk.web.ui.templating import N_, Viewer, render
from frontdesk.web.ui.vocabulary import CHANNELS, CONTACT_STATES, local_name, translated

router = APIRouter(include_in_schema=False)
Supervisor = Annotated[Viewer, Depends(page("contacts.read"))]
Worker = Annotated[Viewer, Depends(page("contacts.own"))]

PAGE_SIZE = 50
SEGMENT_KINDS = {"initial": N_("First"), "transfer": N_("Transfer"), "consult": N_("Consult")}
IVR_OUTCOMES = {
    "chosen": N_("chosen"),
    "collected": N_("entered"),
    "self_service_ok": N_("served by self-service"),
    "self_service_failed": N_("self-service failed"),
    "timeout": N_("no answer"),
    "invalid": N_("no valid key"),
}


# --- the search ------------------------------------------------------------------------------


@dataclass
class Search:
    """The search as the form holds it, what it asks the store, and what was wrong."""

    states: list[str] = field(default_factory=list)
    channel: str = ""
    agent: str = ""
    queue: str = ""
    number: str = ""
    customer: str = ""
    day_from: str = ""
    day_to: str = ""
    page: int = 1
    problems: list[str] = field(default_factory=list)

    def address(self, page: int) -> str:
        """This search's address, at ``page``."""
        pairs = [("state", state) for state in self.states]
        pairs += [
            (name, value)
            for name, value in (
                ("channel", self.channel), ("agent", self.agent), ("queue", self.queue),
                ("number", self.number), ("customer", self.customer),
                ("from", self.day_from), ("to", self.day_to),
            )
            if value
        ]  # fmt: skip
        if page > 1:
            pairs.append(("page", str(page)))
        return "/contacts" + ("?" + urlencode(pairs) if pairs else "")

    @property
    def filtered(self) -> bool:
        return bool(
            self.states or self.channel or self.agent or self.queue or self.number
            or self.customer or self.day_from or self.day_to
        )  # fmt: skip


def read_search(params: QueryParams, viewer: Viewer) -> tuple[Search, ContactFilter]:
    """The search in ``params``; a value that cannot be used is left out and said why."""
    _ = viewer.gettext
    search = Search(
        channel=params.get("channel", ""),
        agent=params.get("agent", ""),
        queue=params.get("queue", ""),
        number=params.get("number", "").strip()[:256],
        customer=params.get("customer", "")[:128],
    )
    states = set(ContactState)
    search.states = [s for s in params.getlist("state") if s in states]
    if len(search.states) != len(params.getlist("state")):
        search.problems.append(_("Some of the states asked for do not exist."))
    if search.channel and search.channel not in set(Channel):
        search.problems.append(_("There is no channel {channel}.").format(channel=search.channel))
        search.channel = ""
    zone = viewer.fmt.zone
    since = _day(params.get("from", ""), search, _("The first day is not a date."))
    until = _day(params.get("to", ""), search, _("The last day is not a date."))
    search.day_from = since.isoformat() if since else ""
    search.day_to = until.isoformat() if until else ""
    if since and until and since > until:
        search.problems.append(_("The first day is after the last day."))
    page_text = params.get("page", "1")
    search.page = int(page_text) if page_text.isdigit() and int(page_text) > 0 else 1
    where = ContactFilter(
        states=frozenset(ContactState(s) for s in search.states),
        customer=CustomerId(search.customer) if search.customer else None,
        agent=AgentId(search.agent) if search.agent else None,
        queue=QueueId(search.queue) if search.queue else None,
        channel=search.channel or None,
        # a number however written, an e-mail address or a chat sender: as intake stores it
        ani=sender_address(Channel.CHAT, search.number)[0] if search.number else None,
        since=datetime.combine(since, time(), zone) if since else None,
        until=datetime.combine(until + timedelta(days=1), time(), zone) if until else None,
        limit=PAGE_SIZE,
        offset=(search.page - 1) * PAGE_SIZE,
    )
    return search, where


def _day(text: str, search: Search, problem: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        search.problems.append(problem)
        return None


@dataclass(frozen=True, slots=True)
class Row:
    live: LiveContact
    customer: str
    waiting: Span
    handling: Span


@router.get("/contacts", response_class=HTMLResponse)
async def search_page(request: Request, viewer: Supervisor) -> Response:
    """Contacts by state, channel, agent, queue, number, customer and day, newest first,
    a page at a time."""
    frontdesk = frontdesk_of(request.app)
    tenant = signed_in_viewer(viewer).tenant
    search, where = read_search(request.query_params, viewer)
    async with frontdesk.store.transaction() as tx:
        found = await tx.contacts.search(tenant, where)
        total = await tx.contacts.count(tenant, where)
        customers = await _customer_names(
            tx, tenant, [search.customer, *(live.contact.customer or "" for live in found)]
        )
    names = await directory(frontdesk, tenant, viewer.locale)
    rows = [
        Row(live, customers.get(live.contact.customer or "", ""), waiting(live),
            handling_time(live))
        for live in found
    ]  # fmt: skip
    pages = max(1, -(-total // PAGE_SIZE))
    return render(
        request, viewer, "contacts/search.html",
        search=search, rows=rows, total=total, pages=pages, names=names, phone=phone,
        customer_name=customers.get(search.customer, search.customer),
        contact_states=translated(CONTACT_STATES, viewer.gettext),
        channels=translated(CHANNELS, viewer.gettext), now=frontdesk.clock.now(),
    )  # fmt: skip


async def _customer_names(tx: Transaction, tenant: TenantId, ids: Sequence[str]) -> dict[str, str]:
    names = {}
    for key in dict.fromkeys(i for i in ids if i):
        customer = await tx.customers.get(tenant, CustomerId(key))
        if customer is not None:
            names[key] = customer.name
    return names


# --- one contact ------------------------------------------------------------------------------


@router.get("/contacts/{contact_id}", response_class=HTMLResponse)
async def contact_page(request: Request, contact_id: str, viewer: Worker) -> Response:
    """The contact: where it came from, who it is, how it was handled, and its timeline
    with why it went where it went."""
    frontdesk = frontdesk_of(request.app)
    principal = signed_in_viewer(viewer)
    live, events = await visible(frontdesk, principal, contact_id)
    contact = live.contact
    tenant = principal.tenant
    customer = await frontdesk.crm.get(tenant, contact.customer) if contact.customer else None
    names = await directory(frontdesk, tenant, viewer.locale)
    scripts = await frontdesk.configuration.all(tenant, "scripts")
    known: dict[str, str] = {customer.id: customer.name} if customer else {}
    teller = Teller(viewer.gettext, viewer.fmt, names, known)
    return render(
        request, viewer, "contacts/contact.html",
        live=live, contact=contact, handling=live.handling, customer=customer,
        entries=teller.entries(events), legs=legs(live, events, names), names=names,
        phone=phone, now=frontdesk.clock.now(),
        script_name=_script_name(scripts, live.handling.script, viewer.locale),
        contact_states=translated(CONTACT_STATES, viewer.gettext),
        channels=translated(CHANNELS, viewer.gettext),
        segment_kinds={k: viewer.gettext(v) for k, v in SEGMENT_KINDS.items()},
        ivr_outcomes={k: viewer.gettext(v) for k, v in IVR_OUTCOMES.items()},
        orders={k: viewer.gettext(v) for k, v in ORDERS.items()},
        action_text=lambda action, queue: action_text(viewer.gettext, action, queue),
        can_search=principal.can("contacts.read"),
        can_listen=principal.can("recordings.listen") and live.handling.recording is not None,
        live_view=not contact.is_final,
    )  # fmt: skip


def _script_name(scripts: Mapping[str, Mapping[str, object]], key: str | None, locale: str) -> str:
    if not key:
        return ""
    return local_name(scripts.get(key), key, locale)
