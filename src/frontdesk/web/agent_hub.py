"""One bus subscription per tenant for every agent stream, routing each event only to the
streams it can concern.

An agent's view changes only with events about the agent or about the contacts offered
to or served by them, or whose consult they are asked to join. The hub keeps who owns
each contact and who is consulted on it — from the store when it starts, then from the
events themselves, in their order — and hands an event to the inboxes of its agent, of
its contact's owner and of the agent consulted. A thousand agent streams then cost a
dictionary look-up per event instead of a thousand queue hand-offs and view updates.
"""

from __future__ import annotations

import asyncio
import logging

from frontdesk.bus.memory import Mailbox, Subscription
from frontdesk.domain.contacts import ContactState
from frontdesk.domain.events import StoredEvent
from frontdesk.domain.ids import AgentId, ContactId, TenantId
from frontdesk.services.desk import contact_of
from frontdesk.services.realtime import WITH_AGENT, last_seq
from frontdesk.web.container import Frontdesk

log = logging.getLogger(__name__)
INBOX_SIZE = 1000


class Inbox(Mailbox):
    """One agent stream's share of the tenant's events; ``lagged`` when it overflowed."""

    def __init__(self, hub: AgentHub, agent: AgentId) -> None:
        super().__init__(INBOX_SIZE)
        self.hub = hub
        self.agent = agent

    def detach(self) -> None:
        self.hub.detach(self)


class AgentHub:
    def __init__(self, frontdesk: Frontdesk, tenant: TenantId) -> None:
        self.frontdesk = frontdesk
        self.tenant = tenant
        self.inboxes: dict[AgentId, set[Inbox]] = {}
        self.owner: dict[ContactId, AgentId] = {}
        self.consultant: dict[ContactId, AgentId] = {}  # asked to join, or joined
        self.task: asyncio.Task[None] | None = None
        self.starting: asyncio.Future[None] | None = None

    async def start(self) -> None:
        subscription = self.frontdesk.bus.subscribe(self.tenant)
        seq = await self._load_owners()
        self.task = asyncio.create_task(self._run(subscription, seq), name="agent-hub")

    async def _load_owners(self) -> int:
        async with self.frontdesk.store.transaction() as tx:
            await tx.events.hold()
            seq = await last_seq(tx.events, self.tenant)
            open_contacts = await tx.contacts.in_states(self.tenant, WITH_AGENT)
        self.owner = {
            live.contact.id: live.handling.agent
            for live in open_contacts
            if live.handling.agent is not None
        }
        self.consultant = {
            live.contact.id: live.handling.consult_agent
            for live in open_contacts
            if live.handling.consult_agent is not None
        }
        ringing = self.frontdesk.dispatcher.desk(self.tenant).offers
        for key, (agent, _) in tuple(ringing.items()):
            if contact_of(key) != key:
                self.consultant.setdefault(contact_of(key), agent)
        return seq

    def attach(self, agent: AgentId) -> Inbox:
        inbox = Inbox(self, agent)
        self.inboxes.setdefault(agent, set()).add(inbox)
        return inbox

    def detach(self, inbox: Inbox) -> None:
        inboxes = self.inboxes.get(inbox.agent)
        if inboxes is not None:
            inboxes.discard(inbox)
            if not inboxes:
                del self.inboxes[inbox.agent]

    async def _run(self, subscription: Subscription, seq: int) -> None:
        while True:
            try:
                async for event in subscription:
                    if event.seq > seq:
                        self.route(event)
            finally:
                subscription.close()
            if not subscription.lagged:
                break
            # Fell behind the bus: every stream starts over from a fresh snapshot.
            log.warning("agent streams of tenant %s fell behind; resynchronising", self.tenant)
            self._close_all(lagged=True)
            subscription = self.frontdesk.bus.subscribe(self.tenant)
            seq = await self._load_owners()
        self._close_all(lagged=False)

    def _close_all(self, *, lagged: bool) -> None:
        for inboxes in tuple(self.inboxes.values()):
            for inbox in tuple(inboxes):
                inbox.lagged = lagged
                inbox.close()

    def route(self, event: StoredEvent) -> None:
        """Hand ``event`` to the streams of its agent, of its contact's owner and of the
        agent consulted on the contact."""
        targets: set[Inbox] = set()
        if event.agent is not None:
            targets.update(self.inboxes.get(event.agent, ()))
        if event.contact is not None:
            contact = ContactId(event.contact)
            self._follow(contact, event)
            for agent in (self.owner.get(contact), self.consultant.get(contact)):
                if agent is not None:
                    targets.update(self.inboxes.get(agent, ()))
            self._forget(contact, event)
        for inbox in targets:
            inbox.deliver(event)

    def _follow(self, contact: ContactId, event: StoredEvent) -> None:
        """Who the contact is with, once ``event`` has happened."""
        data = event.data
        if event.type == "contact.offered":
            agent = AgentId(str(event.agent))
            if data.get("consult"):
                self.consultant[contact] = agent
            else:
                self.owner[contact] = agent
        elif event.type == "contact.transferred" and data.get("kind") == "consult_handed_over":
            self.owner[contact] = AgentId(str(data["to_agent"]))

    def _forget(self, contact: ContactId, event: StoredEvent) -> None:
        """Who no longer hears of the contact after ``event`` (told of it still)."""
        data = event.data
        if event.type == "contact.state_changed" and ContactState(data["new"]) not in WITH_AGENT:
            self.owner.pop(contact, None)
            self.consultant.pop(contact, None)
        elif (
            event.type == "contact.transferred" and str(data.get("kind")).startswith("consult_")
        ) or (event.type == "offer.declined" and self.consultant.get(contact) == event.agent):
            self.consultant.pop(contact, None)


async def hub_of(
    frontdesk: Frontdesk, hubs: dict[TenantId, AgentHub], tenant: TenantId
) -> AgentHub:
    """The tenant's hub, started on first use (once, however many streams ask at once)."""
    hub = hubs.get(tenant)
    if hub is None or hub.starting is None or (hub.task is not None and hub.task.done()):
        hub = hubs[tenant] = AgentHub(frontdesk, tenant)
        hub.starting = asyncio.ensure_future(hub.start())
    await asyncio.shield(hub.starting)
    return hub
