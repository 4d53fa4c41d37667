"""The in-process event bus: committed events fan out to subscribers in order.

Publishing never waits for a subscriber. Each subscription has a bounded buffer; a
subscriber that falls that far behind is marked ``lagged`` and closed, so it can start
over from a fresh snapshot instead of silently missing events.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

from frontdesk.domain.events import StoredEvent
from frontdesk.domain.ids import TenantId

_CLOSED = None


class Mailbox:
    """A bounded, ordered queue of events for one reader.

    A reader that falls ``size`` events behind is marked ``lagged`` and closed: it ends
    at once (no later events) and can start over from a fresh snapshot.
    """

    def __init__(self, size: int) -> None:
        self.queue: asyncio.Queue[StoredEvent | None] = asyncio.Queue(size)
        self.lagged = False
        self.closed = False

    def deliver(self, event: StoredEvent) -> None:
        if self.closed:
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.lagged = True
            self.close()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.detach()
        # Make room for the end marker: a lagged reader ends at once, no later events.
        while self.queue.full():
            self.queue.get_nowait()
        self.queue.put_nowait(_CLOSED)

    def detach(self) -> None:
        """Stop being fed: called once, when the mailbox closes."""

    async def batches(self) -> AsyncIterator[list[StoredEvent]]:
        """The events in order, as many at a time as have arrived (at least one)."""
        while True:
            first = await self.queue.get()
            if first is None:
                return
            batch = [first]
            while not self.queue.empty():
                event = self.queue.get_nowait()
                if event is None:
                    yield batch
                    return
                batch.append(event)
            yield batch

    async def __aiter__(self) -> AsyncIterator[StoredEvent]:
        while True:
            event = await self.queue.get()
            if event is None:
                return
            yield event


class Subscription(Mailbox):
    def __init__(self, bus: MemoryBus, tenant: TenantId | None, size: int) -> None:
        super().__init__(size)
        self.bus = bus
        self.tenant = tenant

    def deliver(self, event: StoredEvent) -> None:
        if self.tenant is None or event.tenant == self.tenant:
            super().deliver(event)

    def detach(self) -> None:
        self.bus.subscriptions.discard(self)


class MemoryBus:
    def __init__(self, buffer: int = 10_000) -> None:
        self.buffer = buffer
        self.subscriptions: set[Subscription] = set()

    async def publish(self, events: Sequence[StoredEvent]) -> None:
        for event in events:
            for subscription in tuple(self.subscriptions):
                subscription.deliver(event)

    def subscribe(self, tenant: TenantId | None = None, buffer: int | None = None) -> Subscription:
        """Events of ``tenant`` (every tenant when None) published from now on."""
        subscription = Subscription(self, tenant, buffer or self.buffer)
        self.subscriptions.add(subscription)
        return subscription

    def close(self) -> None:
        for subscription in tuple(self.subscriptions):
            subscription.close()
