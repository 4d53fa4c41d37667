"""One bus subscription per tenant for every agent stream, routing each event only to the
streams it can concern.

An agent's view changes only with events about the agent or about the contacts offered
to or served by them. The hub keeps who owns each contact — from the store when it
starts, then from the events themselves, in their order — and hands an event to the
inboxes of its agent and of its contact's owner. A thousand agent streams then cost a
dictionary look-up per event instead of a thousand queue hand-offs and view updates.
"""

from __future__ import annotations

import asyncio
import logging

from frontdesk.bus.memory import Mailbox, Subscription
from frontdesk.domain.contacts import ContactState
from frontdesk.domain.events import StoredEvent
from frontdesk.domain.ids import AgentId, ContactId, TenantId
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
        """Hand ``event`` to the streams of its agent and of its contact's owner."""
        targets: set[Inbox] = set()
        if event.agent is not None:
            targets.update(self.inboxes.get(event.agent, ()))
        if event.contact is not None:
            contact = ContactId(event.contact)
            if event.type == "contact.offered" and not event.data.get("consult"):
                self.owner[contact] = AgentId(str(event.agent))
            owner = self.owner.get(contact)
            if owner is not None:
                targets.update(self.inboxes.get(owner, ()))
                if (
                    event.type == "contact.state_changed"
                    and ContactState(event.data["new"]) not in WITH_AGENT
                ):
                    del self.owner[contact]
        for inbox in targets:
            inbox.deliver(event)


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
