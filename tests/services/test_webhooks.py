"""Outgoing webhooks against a real HTTP server on 127.0.0.1 (uvicorn and Starlette).

Time between attempts is the injected clock's: the tests move it on instead of waiting.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from frontdesk.bus.memory import MemoryBus
from frontdesk.domain.agents import AgentState
from frontdesk.domain.channels import Channel
from frontdesk.domain.events import (
    AgentStateChanged,
    ContactArrived,
    Event,
    OfferDeclined,
    StoredEvent,
)
from frontdesk.domain.ids import AgentId, ContactId
from frontdesk.domain.repositories import Delivery, Store, Tenant
from frontdesk.services.catalog import check_document
from frontdesk.services.webhooks import WebhookService, event_body, signature, verify_signature
from tests.services.desk_support import START, ManualClock, T, open_backend

SECRET = "s3cret-s3cret-s3cret"


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """Records every POST; the first ``fail_first`` get a 500; ``/hang`` never answers."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.fail_first = 0
        self.release = asyncio.Event()
        self.changed = asyncio.Event()
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()

    def url(self, path: str = "/hook") -> str:
        host, port = self.socket.getsockname()
        return f"http://{host}:{port}{path}"

    async def handle(self, request: Request) -> Response:
        self.requests.append(
            Received(request.url.path, dict(request.headers), await request.body())
        )
        self.changed.set()
        if request.url.path == "/hang":
            await self.release.wait()
        if len(self.requests) <= self.fail_first:
            return PlainTextResponse("temporarily broken", status_code=500)
        return Response(status_code=204)

    async def wait_for(self, count: int) -> None:
        async with asyncio.timeout(10):  # a guard against hanging, not a measurement
            while len(self.requests) < count:
                self.changed.clear()
                await self.changed.wait()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    app = Starlette(routes=[Route("/{path:path}", receiver.handle, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[receiver.socket]))
    yield receiver
    receiver.release.set()
    server.should_exit = True
    await task


@pytest.fixture(params=["memory", "sqlite"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    opened = await open_backend(request.param, tmp_path)
    async with opened.transaction() as tx:
        await tx.tenants.put(Tenant(T, "Acme"))
    yield opened
    await opened.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5.0) as client:
        yield client


def dead_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        host, port = probe.getsockname()
    return f"http://{host}:{port}/hook"  # nothing listens there any more


async def subscribe(store: Store, key: str, url: str, **extra: object) -> None:
    body = {"url": url, "secret": SECRET, **extra}
    check_document("webhooks", key, body)
    async with store.transaction() as tx:
        await tx.documents.put(T, "webhooks", key, body)


def arrived(n: int = 1) -> ContactArrived:
    return ContactArrived(
        tenant=T, at=START, contact=ContactId(f"c{n}"), channel=Channel.VOICE,
        ani="+79161234567", access_point="+74950000000",
    )  # fmt: skip


def agent_ready() -> AgentStateChanged:
    return AgentStateChanged(
        tenant=T, at=START, agent=AgentId("anna"), old=AgentState.LOGGED_OUT, new=AgentState.READY
    )


async def commit(store: Store, *events: Event) -> list[StoredEvent]:
    async with store.transaction() as tx:
        for event in events:
            tx.events.append(event)
    return tx.events.committed


async def deliveries(store: Store, subscription: str) -> list[Delivery]:
    async with store.transaction() as tx:
        return await tx.deliveries.all(T, subscription)


async def test_a_matching_event_is_posted_signed_and_marked_delivered(
    store: Store, clock: ManualClock, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    await subscribe(store, "crm", receiver.url(), events=["contact.*"])
    service = WebhookService(store, clock, http)
    events = await commit(store, arrived(), agent_ready())
    assert await service.on_events(events) == 1
    assert await service.deliver_due() == 1

    [request] = receiver.requests
    [delivery] = await deliveries(store, "crm")
    headers = request.headers
    assert headers["x-frontdesk-event"] == "contact.arrived"
    assert headers["x-frontdesk-delivery"] == str(delivery.id)
    assert headers["x-frontdesk-timestamp"] == str(int(START.timestamp()))
    assert verify_signature(
        SECRET, headers["x-frontdesk-timestamp"], request.body, headers["x-frontdesk-signature"]
    )
    assert not verify_signature(
        "another-secret-entirely", headers["x-frontdesk-timestamp"], request.body,
        headers["x-frontdesk-signature"],
    )  # fmt: skip
    body = json.loads(request.body)
    assert (body["seq"], body["type"], body["contact"]) == (events[0].seq, "contact.arrived", "c1")
    assert body["data"]["ani"] == "+79161234567"
    assert (delivery.state, delivery.attempts) == ("delivered", 1)
    assert await service.deliver_due() == 0  # nothing is sent twice


async def test_a_failing_receiver_is_retried_with_growing_delays_until_it_answers(
    store: Store, clock: ManualClock, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    receiver.fail_first = 2
    await subscribe(store, "crm", receiver.url())
    service = WebhookService(store, clock, http)
    await service.on_events(await commit(store, arrived()))

    await service.deliver_due()
    [delivery] = await deliveries(store, "crm")
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert delivery.next_at == clock.now() + timedelta(seconds=5)
    assert delivery.last_error == "HTTP 500 temporarily broken"
    clock.advance(4)
    assert await service.deliver_due() == 0  # not due yet
    clock.advance(1)
    await service.deliver_due()
    [delivery] = await deliveries(store, "crm")
    assert delivery.next_at == clock.now() + timedelta(seconds=10)
    clock.advance(10)
    await service.deliver_due()

    [delivery] = await deliveries(store, "crm")
    assert (delivery.state, delivery.attempts) == ("delivered", 3)
    assert len(receiver.requests) == 3
    assert len({r.body for r in receiver.requests}) == 1  # the same event every time
    for request in receiver.requests:
        headers = request.headers
        assert headers["x-frontdesk-delivery"] == str(delivery.id)
        assert verify_signature(
            SECRET, headers["x-frontdesk-timestamp"], request.body,
            headers["x-frontdesk-signature"],
        )  # fmt: skip


async def test_a_dead_url_ends_failed_with_the_error_kept(
    store: Store, clock: ManualClock, http: httpx.AsyncClient
) -> None:
    await subscribe(store, "gone", dead_url())
    service = WebhookService(store, clock, http, max_attempts=3)
    await service.on_events(await commit(store, arrived()))
    for delay in (5, 10):
        await service.deliver_due()
        [delivery] = await deliveries(store, "gone")
        assert delivery.state == "pending"
        clock.advance(delay)
    await service.deliver_due()
    [delivery] = await deliveries(store, "gone")
    assert (delivery.state, delivery.attempts) == ("failed", 3)
    assert delivery.last_error.startswith("ConnectError")
    clock.advance(3600)
    assert await service.deliver_due() == 0


async def test_the_delay_between_attempts_is_capped_at_an_hour(
    store: Store, clock: ManualClock, http: httpx.AsyncClient
) -> None:
    await subscribe(store, "gone", dead_url())
    service = WebhookService(store, clock, http, base_delay=timedelta(minutes=20))
    await service.on_events(await commit(store, arrived()))
    delays = []
    for _ in range(4):
        await service.deliver_due()
        [delivery] = await deliveries(store, "gone")
        delays.append(delivery.next_at - clock.now())
        clock.at = delivery.next_at
    assert delays == [timedelta(minutes=m) for m in (20, 40, 60, 60)]


async def test_a_receiver_that_does_not_answer_in_time_is_retried(
    store: Store, clock: ManualClock, receiver: Receiver
) -> None:
    await subscribe(store, "slow", receiver.url("/hang"))
    async with httpx.AsyncClient(timeout=0.2) as impatient:
        service = WebhookService(store, clock, impatient)
        await service.on_events(await commit(store, arrived()))
        await service.deliver_due()
    [delivery] = await deliveries(store, "slow")
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert delivery.last_error.startswith("ReadTimeout")


async def test_only_active_subscriptions_whose_filter_matches_get_the_event(
    store: Store, clock: ManualClock, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    await subscribe(store, "agents", receiver.url("/agents"), events=["agent.state_changed"])
    await subscribe(store, "offers", receiver.url("/offers"), events=["offer.*", "callback.*"])
    await subscribe(store, "all", receiver.url("/all"))
    await subscribe(store, "paused", receiver.url("/paused"), events=["*"], active=False)
    declined = OfferDeclined(
        tenant=T, at=START, contact=ContactId("c1"), agent=AgentId("anna"), reason="rejected"
    )
    service = WebhookService(store, clock, http)
    assert await service.on_events(await commit(store, arrived(), agent_ready(), declined)) == 5
    assert await service.deliver_due() == 5
    got = sorted((r.path, r.headers["x-frontdesk-event"]) for r in receiver.requests)
    assert got == [
        ("/agents", "agent.state_changed"),
        ("/all", "agent.state_changed"),
        ("/all", "contact.arrived"),
        ("/all", "offer.declined"),
        ("/offers", "offer.declined"),
    ]


async def test_pending_deliveries_of_a_deleted_or_paused_subscription_fail(
    store: Store, clock: ManualClock, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    await subscribe(store, "deleted", receiver.url())
    await subscribe(store, "paused", receiver.url())
    service = WebhookService(store, clock, http)
    await service.on_events(await commit(store, arrived()))
    async with store.transaction() as tx:
        await tx.documents.delete(T, "webhooks", "deleted")
    await subscribe(store, "paused", receiver.url(), active=False)
    await service.deliver_due()
    [gone] = await deliveries(store, "deleted")
    [paused] = await deliveries(store, "paused")
    assert (gone.state, gone.last_error) == ("failed", "the subscription was deleted")
    assert (paused.state, paused.last_error) == ("failed", "the subscription is inactive")
    assert receiver.requests == []


def test_a_signature_verifies_only_the_body_and_time_it_was_made_for() -> None:
    body = event_body(StoredEvent.of(arrived(), seq=7))
    header = signature(SECRET, "1700000000", body)
    assert header.startswith("sha256=")
    assert verify_signature(SECRET, "1700000000", body, header)
    assert verify_signature(SECRET, "1700000000", body.decode(), header)
    assert not verify_signature("another-secret-entirely", "1700000000", body, header)
    assert not verify_signature(SECRET, "1700000001", body, header)
    assert not verify_signature(SECRET, "1700000000", body + b" ", header)
    assert not verify_signature(SECRET, "1700000000", body, "sha256=подделка")


async def test_run_delivers_published_events_and_catches_up_after_falling_behind(
    store: Store,
    clock: ManualClock,
    http: httpx.AsyncClient,
    receiver: Receiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await subscribe(store, "crm", receiver.url())
    before = await commit(store, arrived(0))  # before the service started: never sent
    bus = MemoryBus(buffer=1)
    service = WebhookService(store, clock, http)
    task = asyncio.create_task(service.run(bus, poll=0.01))
    async with asyncio.timeout(10):
        while not bus.subscriptions:
            await asyncio.sleep(0)
    published = await commit(store, *(arrived(n) for n in range(1, 5)))
    await bus.publish(published)  # four at once: more than the subscription holds
    await receiver.wait_for(4)
    task.cancel()
    with suppress(asyncio.CancelledError):
        await task
    sent = sorted(json.loads(r.body)["seq"] for r in receiver.requests)
    assert sent == [e.seq for e in published]
    assert before[0].seq not in sent
    assert "fell behind the bus" in caplog.text  # the four did not fit: read back from the log
