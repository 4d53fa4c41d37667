"""Outgoing webhooks: committed events POSTed, signed, to the tenant's subscribers.

A subscription is a configuration document of kind ``webhooks``: ``{url, events,
secret, active}``, where ``events`` lists event types or patterns (``contact.*``,
``agent.state_changed``, ``*``). Every committed event that matches an active
subscription of its tenant becomes a stored :class:`Delivery`; :meth:`deliver_due`
sends the due ones and retries failures with exponential backoff, so a receiver that is
down for a while still gets every event, in the end, at least once (it deduplicates by
the ``X-Frontdesk-Delivery`` header). ``docs/webhooks.md`` is the receiver's guide.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, timedelta
from fnmatch import fnmatchcase
from typing import Any, Protocol

import httpx

from frontdesk.domain.events import StoredEvent
from frontdesk.domain.ids import TenantId
from frontdesk.domain.ports import Clock
from frontdesk.domain.repositories import Delivery, Store
from frontdesk.services.realtime import last_seq

log = logging.getLogger(__name__)

KIND = "webhooks"
EVENT_HEADER = "X-Frontdesk-Event"
DELIVERY_HEADER = "X-Frontdesk-Delivery"
TIMESTAMP_HEADER = "X-Frontdesk-Timestamp"
SIGNATURE_HEADER = "X-Frontdesk-Signature"
MAX_DELAY = timedelta(hours=1)
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
_PAGE = 1000
_ERROR_EXCERPT = 200


class EventFeed(Protocol):
    """A bus subscription: the events in order; ``lagged`` when it fell behind."""

    lagged: bool

    def close(self) -> None: ...
    def batches(self) -> AsyncIterator[list[StoredEvent]]: ...


class EventSource(Protocol):
    def subscribe(self, tenant: TenantId | None = None) -> EventFeed: ...


@dataclass(frozen=True, slots=True)
class WebhookSubscription:
    key: str
    url: str
    events: tuple[str, ...]
    secret: str
    active: bool

    @staticmethod
    def of(key: str, body: Mapping[str, Any]) -> WebhookSubscription:
        """A stored document (checked when it was written) as a subscription."""
        return WebhookSubscription(
            key=key,
            url=str(body["url"]),
            events=tuple(str(e) for e in body.get("events") or ("*",)),
            secret=str(body["secret"]),
            active=bool(body.get("active", True)),
        )

    def matches(self, event_type: str) -> bool:
        return any(fnmatchcase(event_type, pattern) for pattern in self.events)


def event_body(event: StoredEvent) -> bytes:
    """The JSON body of a delivery: the event as the log stores it."""
    document = {
        "seq": event.seq,
        "tenant": event.tenant,
        "type": event.type,
        "at": event.at.astimezone(UTC).isoformat(),
        "contact": event.contact,
        "agent": event.agent,
        "data": dict(event.data),
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` and the hex HMAC-SHA256, keyed by ``secret``, of ``<timestamp>.<body>``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def verify_signature(secret: str, timestamp: str, body: bytes | str, header: str) -> bool:
    """Whether ``header`` (``X-Frontdesk-Signature``) signs ``body`` sent at ``timestamp``
    (``X-Frontdesk-Timestamp``) with ``secret``. Pass the body exactly as received."""
    raw = body.encode() if isinstance(body, str) else body
    expected = signature(secret, timestamp, raw).encode()
    return hmac.compare_digest(expected, header.strip().encode())


class WebhookService:
    """Records deliveries for committed events and sends them, retrying with backoff.

    After a failed attempt ``n`` (1, 2 …) the next waits ``base_delay × 2^(n-1)``, at
    most an hour; after ``max_attempts`` attempts the delivery is failed, keeping the
    last error.
    """

    def __init__(
        self,
        store: Store,
        clock: Clock,
        http: httpx.AsyncClient,
        *,
        max_attempts: int = 8,
        base_delay: timedelta = timedelta(seconds=5),
        batch: int = 100,
    ) -> None:
        self._store = store
        self._clock = clock
        self._http = http
        self._max_attempts = max_attempts
        self._base_delay = base_delay
        self._batch = batch

    async def on_events(self, events: Sequence[StoredEvent]) -> int:
        """Store a pending delivery of each event for every active subscription of its
        tenant that matches it; returns how many were stored."""
        if not events:
            return 0
        now = self._clock.now()
        stored = 0
        async with self._store.transaction() as tx:
            subscriptions: dict[TenantId, list[WebhookSubscription]] = {}
            for event in events:
                if event.tenant not in subscriptions:
                    documents = await tx.documents.all(event.tenant, KIND)
                    subscriptions[event.tenant] = [
                        WebhookSubscription.of(key, body) for key, body in documents.items()
                    ]
                for subscription in subscriptions[event.tenant]:
                    if subscription.active and subscription.matches(event.type):
                        await tx.deliveries.add(event.tenant, subscription.key, event, now)
                        stored += 1
        return stored

    async def deliver_due(self) -> int:
        """Send the deliveries due now (at most ``batch``, side by side) and store what
        became of them; returns how many were attempted."""
        async with self._store.transaction() as tx:
            due = await tx.deliveries.due(self._clock.now(), self._batch)
            subscriptions: dict[tuple[TenantId, str], WebhookSubscription | None] = {}
            for delivery in due:
                key = (delivery.tenant, delivery.subscription)
                if key not in subscriptions:
                    body = await tx.documents.get(delivery.tenant, KIND, delivery.subscription)
                    subscriptions[key] = (
                        None if body is None else WebhookSubscription.of(key[1], body)
                    )
        outcomes = await asyncio.gather(
            *(self._attempt(d, subscriptions[(d.tenant, d.subscription)]) for d in due)
        )
        async with self._store.transaction() as tx:
            for outcome in outcomes:
                await tx.deliveries.update(outcome)
        return len(due)

    async def run(self, bus: EventSource, *, poll: float = 1.0) -> None:
        """Until cancelled: store deliveries for the events published on ``bus`` from now
        on, and send the due ones every ``poll`` seconds."""
        async with asyncio.TaskGroup() as group:
            group.create_task(self._record(bus))
            group.create_task(self._send(poll))

    # --- sending --------------------------------------------------------------------------

    async def _attempt(
        self, delivery: Delivery, subscription: WebhookSubscription | None
    ) -> Delivery:
        if subscription is None:
            return replace(delivery, state=FAILED, last_error="the subscription was deleted")
        if not subscription.active:
            return replace(delivery, state=FAILED, last_error="the subscription is inactive")
        body = event_body(delivery.event)
        timestamp = str(int(self._clock.now().timestamp()))
        headers = {
            "Content-Type": "application/json",
            EVENT_HEADER: delivery.event.type,
            DELIVERY_HEADER: str(delivery.id),
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(subscription.secret, timestamp, body),
        }
        try:
            response = await self._http.post(subscription.url, content=body, headers=headers)
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            detail = str(error)
            name = type(error).__name__
            return self._failed(delivery, f"{name}: {detail}" if detail else name)
        if response.is_success:
            return replace(delivery, attempts=delivery.attempts + 1, state=DELIVERED)
        excerpt = response.text[:_ERROR_EXCERPT].strip()
        return self._failed(delivery, f"HTTP {response.status_code} {excerpt}".strip())

    def _failed(self, delivery: Delivery, error: str) -> Delivery:
        attempts = delivery.attempts + 1
        if attempts >= self._max_attempts:
            return replace(delivery, attempts=attempts, state=FAILED, last_error=error)
        delay = min(self._base_delay * 2 ** (attempts - 1), MAX_DELAY)
        return replace(
            delivery, attempts=attempts, next_at=self._clock.now() + delay, last_error=error
        )

    async def _send(self, poll: float) -> None:
        while True:
            try:
                attempted = await self.deliver_due()
            except Exception:  # the store may be back at the next round
                log.exception("sending webhooks failed")
                attempted = 0
            if attempted < self._batch:
                await asyncio.sleep(poll)

    # --- recording ------------------------------------------------------------------------

    async def _record(self, bus: EventSource) -> None:
        """Store deliveries for published events. A subscription that fell behind the bus
        is replaced, and what it missed is read back from the event log."""
        start = await self._newest_seq()  # earlier events were never meant for webhooks
        newest = start
        caught_up: dict[TenantId, int] = {}
        lagged = False
        while True:
            subscription = bus.subscribe()
            try:
                if lagged:
                    caught_up = await self._catch_up(newest)
                    newest = max([newest, *caught_up.values()])
                # Under load events come faster than one transaction each: take them as
                # they are there, many to a transaction.
                async for batch in subscription.batches():
                    fresh = [e for e in batch if e.seq > caught_up.get(e.tenant, start)]
                    if fresh:
                        await self._record_safely(fresh)
                        newest = max(newest, fresh[-1].seq)
                lagged = subscription.lagged
                if not lagged:
                    return  # the bus was closed: the server is stopping
                log.warning("webhooks fell behind the bus; reading the missed events back")
            finally:
                subscription.close()

    async def _record_safely(self, events: Sequence[StoredEvent]) -> None:
        try:
            await self.on_events(events)
        except Exception:
            log.exception("could not store webhook deliveries for %d event(s)", len(events))

    async def _newest_seq(self) -> int:
        async with self._store.transaction() as tx:
            tenants = await tx.tenants.all()
            return max([await last_seq(tx.events, t.id) for t in tenants], default=0)

    async def _catch_up(self, after: int) -> dict[TenantId, int]:
        """Record every tenant's events after seq ``after``; returns the last seq read."""
        async with self._store.transaction() as tx:
            tenants = [t.id for t in await tx.tenants.all()]
        read: dict[TenantId, int] = {}
        for tenant in tenants:
            seq = after
            while True:
                async with self._store.transaction() as tx:
                    page = await tx.events.since(tenant, seq, _PAGE)
                if not page:
                    break
                await self._record_safely(page)
                seq = page[-1].seq
            read[tenant] = seq
        return read
