"""The dispatcher: the one asyncio loop around the router, for every tenant.

It keeps a :class:`TenantDesk` per tenant, starts routing for each new contact in the
background (the submitter gets its answer as soon as the contact is stored), and sleeps
until the next deadline of any desk: an offer ringing out, a queue step expiring, a
callback falling due. On start it rebuilds every desk from the store, so contacts that
were queued before a crash are queued again in their original order.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.handling import LiveContact
from frontdesk.domain.ids import ContactId, TenantId
from frontdesk.domain.ports import Clock, Crm, Publisher
from frontdesk.domain.repositories import Store
from frontdesk.services.desk import TenantDesk
from frontdesk.services.intake import Submission

log = logging.getLogger(__name__)
#: Longest sleep between looks at the deadlines (the clock may be moved in tests).
MAX_SLEEP = 1.0
#: How often to look for scenarios published by another process, in seconds.
REFRESH_EVERY = 2.0


class Dispatcher:
    def __init__(self, store: Store, crm: Crm, publisher: Publisher, clock: Clock) -> None:
        self.store = store
        self.crm = crm
        self.publisher = publisher
        self.clock = clock
        self.desks: dict[TenantId, TenantDesk] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    async def start(self, *, run_timers: bool = True) -> None:
        """Load every tenant; route what was left undecided. ``run_timers=False`` leaves
        deadlines to explicit :meth:`tick` calls (tests with a manual clock)."""
        async with self.store.transaction() as tx:
            tenants = await tx.tenants.all()
        for tenant in tenants:
            await self.add_tenant(tenant.id)
        if run_timers:
            self._loop = asyncio.create_task(self._run(), name="frontdesk-dispatcher")

    async def add_tenant(self, tenant: TenantId) -> TenantDesk:
        desk = self.desks.get(tenant)
        if desk is not None:
            return desk
        desk = TenantDesk(tenant, self.store, self.crm, self.publisher, self.clock)
        desk.wake = self._wake.set
        self.desks[tenant] = desk
        async with desk.lock:
            undecided = await desk.load()
            await desk.dispatch()
        for contact in undecided:
            self._spawn(desk, contact)
        return desk

    async def stop(self) -> None:
        if self._loop is not None:
            self._loop.cancel()
            with suppress(asyncio.CancelledError):
                await self._loop
            self._loop = None
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def desk(self, tenant: TenantId) -> TenantDesk:
        desk = self.desks.get(tenant)
        if desk is None:
            raise NotFoundError(f"tenant {tenant!r} does not exist", code="tenant.not_found")
        return desk

    async def submit(self, tenant: TenantId, submission: Submission) -> tuple[LiveContact, bool]:
        """Store a new contact and start routing it; ``created`` is False for a retry."""
        desk = self.desk(tenant)
        live, created = await desk.submit(submission)
        if created:
            self._spawn(desk, live.contact.id)
        return live, created

    async def reload(self, tenant: TenantId) -> None:
        """Configuration or the published scenario changed: rebuild the tenant's desk.

        Contacts waiting keep their place; they are re-evaluated by the scenario now
        published at the time they were first decided.
        """
        desk = await self.add_tenant(tenant)
        async with desk.lock:
            undecided = await desk.load()
        for contact in undecided:
            self._spawn(desk, contact)
        await desk.guarded(desk.nothing)

    def _spawn(self, desk: TenantDesk, contact: ContactId) -> None:
        task = asyncio.create_task(self._route(desk, contact))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _route(desk: TenantDesk, contact: ContactId) -> None:
        try:
            await desk.route(contact)
        except Exception:  # the contact stays stored; the next start routes it again
            log.exception("routing contact %s failed", contact)

    async def settle(self) -> None:
        """Wait until every contact submitted so far has been routed (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*tuple(self._tasks), return_exceptions=True)

    async def tick(self) -> None:
        for desk in tuple(self.desks.values()):
            try:
                await desk.tick()
            except Exception:
                log.exception("tenant %s: acting on deadlines failed", desk.tenant)

    async def refresh(self) -> None:
        """Pick up tenants and scenario versions published by another process (the CLI)."""
        async with self.store.transaction() as tx:
            tenants = await tx.tenants.all()
            published = {t.id: await tx.scenarios.published(t.id) for t in tenants}
        for tenant, scenario in published.items():
            desk = self.desks.get(tenant)
            if desk is None:
                await self.add_tenant(tenant)
            elif scenario is not None and scenario.version != desk.published_version:
                await self.reload(tenant)

    async def _run(self) -> None:
        last_refresh = self.clock.now().timestamp()
        while True:
            deadlines = [d for d in (desk.next_deadline() for desk in self.desks.values()) if d]
            delay = MAX_SLEEP
            if deadlines:
                delay = min(max(min(deadlines) - self.clock.now().timestamp(), 0.0), MAX_SLEEP)
            self._wake.clear()
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for loses a cancellation
            # that comes as the event is set, and stop() then waited for ever.
            with suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._wake.wait()
            await self.tick()
            now = self.clock.now().timestamp()
            if now - last_refresh >= REFRESH_EVERY:
                last_refresh = now
                try:
                    await self.refresh()
                except Exception:  # the store is down for a moment: try again later
                    log.exception("looking for newly published scenarios failed")
