"""Transactions are all or nothing; events are numbered at commit, across the store."""

from __future__ import annotations

import asyncio

import pytest

from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.callbacks import Callback
from frontdesk.domain.events import StoredEvent
from frontdesk.domain.ids import ContactId, CustomerId, TenantId
from frontdesk.domain.repositories import Store, Tenant
from frontdesk.domain.scenarios import ScenarioVersion
from frontdesk.domain.users import Role, User
from tests.contract.samples import (
    T0,
    A,
    B,
    arrived,
    at,
    customer,
    full_agent,
    full_live_contact,
    purchase,
    queued,
)


class RollbackError(Exception):
    """Raised inside a transaction to make it roll back."""


async def test_a_committed_write_is_seen_by_the_next_transaction(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.tenants.put(Tenant(A, "Acme", "Asia/Yekaterinburg", "en", T0))
        await tx.tenants.put(Tenant(B, "Globex"))
    async with store.transaction() as tx:
        assert await tx.tenants.get(A) == Tenant(A, "Acme", "Asia/Yekaterinburg", "en", T0)
        assert await tx.tenants.get(TenantId("nobody")) is None
        assert [t.id for t in await tx.tenants.all()] == [A, B]


async def test_putting_a_tenant_again_replaces_it(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.tenants.put(Tenant(A, "Acme"))
    async with store.transaction() as tx:
        await tx.tenants.put(Tenant(A, "Acme Corp", locale="en"))
    async with store.transaction() as tx:
        assert await tx.tenants.all() == [Tenant(A, "Acme Corp", locale="en")]


async def test_a_transaction_sees_its_own_writes_before_commit(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.customers.put(customer("c1", phones=("+79161234567",)))
        assert (await tx.customers.get(A, CustomerId("c1"))) is not None
        assert [c.id for c in await tx.customers.all(A)] == ["c1"]


async def test_an_exception_rolls_back_every_write_and_event(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.tenants.put(Tenant(A, "Acme"))
        await tx.customers.put(customer("c1", "Old name"))

    async def write_everything_then_fail() -> None:
        async with store.transaction() as tx:
            await tx.tenants.put(Tenant(A, "Renamed"))
            await tx.tenants.put(Tenant(B, "Globex"))
            await tx.contacts.add(full_live_contact())
            await tx.agents.put(full_agent())
            await tx.customers.put(customer("c1", "New name", phones=("+79161234567",)))
            await tx.customers.add_purchase(A, purchase("p1", "c1", 1))
            await tx.documents.put(A, "queue", "sales", {"name": "Sales"})
            await tx.scenarios.add(ScenarioVersion(A, 1, "rules: []", T0))
            await tx.users.put(User("u1", A, "ann", Role.AGENT, "hash"))
            await tx.callbacks.put(Callback("cb1", A, "+79161234567", T0, T0))
            await tx.audit.add(AuditEntry(A, T0, "cli", "create", "queue", "sales"))
            await tx.deliveries.add(A, "hook", StoredEvent.of(arrived("call-0"), seq=1), T0)
            tx.events.append(arrived("call-1"))
            raise RollbackError

    with pytest.raises(RollbackError):
        await write_everything_then_fail()
    async with store.transaction() as tx:
        assert await tx.tenants.all() == [Tenant(A, "Acme")]
        assert await tx.contacts.get(A, ContactId("call-1")) is None
        assert await tx.agents.all(A) == []
        assert [c.name for c in await tx.customers.all(A)] == ["Old name"]
        assert await tx.customers.purchases(A, CustomerId("c1")) == []
        assert await tx.documents.all(A, "queue") == {}
        assert await tx.scenarios.latest_version(A) == 0
        assert await tx.users.all(A) == []
        assert await tx.callbacks.all(A) == []
        assert await tx.audit.all(A) == []
        assert await tx.deliveries.due(at(60 * 24)) == []
        assert await tx.events.since(A, 0) == []
    # The phone the rolled-back change claimed is free for another customer.
    async with store.transaction() as tx:
        await tx.customers.put(customer("c2", phones=("+79161234567",)))


async def test_a_rolled_back_transaction_reports_no_committed_events(store: Store) -> None:
    async def fail() -> None:
        async with store.transaction() as tx:
            tx.events.append(arrived("call-1"))
            raise RollbackError(tx)

    with pytest.raises(RollbackError) as raised:
        await fail()
    (tx,) = raised.value.args
    assert tx.events.committed == []


async def test_events_are_numbered_at_commit_and_reported_only_after_it(store: Store) -> None:
    async with store.transaction() as first:
        first.events.append(arrived("call-1"))
        first.events.append(queued("call-1"))
        assert first.events.committed == []
    async with store.transaction() as second:
        second.events.append(arrived("chat-9", B))
    one, two = first.events.committed
    (three,) = second.events.committed
    assert 0 < one.seq < two.seq < three.seq
    assert one == StoredEvent.of(arrived("call-1"), seq=one.seq)
    assert two == StoredEvent.of(queued("call-1"), seq=two.seq)
    assert three == StoredEvent.of(arrived("chat-9", B), seq=three.seq)


async def test_events_are_read_back_by_contact_and_since_a_seq(store: Store) -> None:
    async with store.transaction() as tx:
        tx.events.append(arrived("call-1"))
        tx.events.append(arrived("call-2", minute=1))
        tx.events.append(arrived("call-3", B))
        tx.events.append(queued("call-1", minute=2))
    c1_arrived, c2_arrived, c3_arrived, c1_queued = tx.events.committed
    async with store.transaction() as tx:
        assert await tx.events.for_contact(A, ContactId("call-1")) == [c1_arrived, c1_queued]
        assert await tx.events.for_contact(B, ContactId("call-1")) == []
        assert await tx.events.for_contact(B, ContactId("call-3")) == [c3_arrived]
        assert await tx.events.since(A, 0) == [c1_arrived, c2_arrived, c1_queued]
        assert await tx.events.since(A, c1_arrived.seq) == [c2_arrived, c1_queued]
        assert await tx.events.since(A, 0, limit=2) == [c1_arrived, c2_arrived]
        assert await tx.events.since(A, c1_queued.seq) == []
        assert await tx.events.since(B, 0) == [c3_arrived]


async def test_twenty_concurrent_write_transactions_all_succeed(store: Store) -> None:
    async def write(n: int) -> list[StoredEvent]:
        async with store.transaction() as tx:
            await tx.customers.put(customer(f"c{n:02}", phones=(f"+7916000{n:04}",)))
            await tx.documents.put(A, "counter", f"k{n:02}", {"n": n})
            tx.events.append(arrived(f"call-{n}"))
        return tx.events.committed

    committed = await asyncio.gather(*(write(n) for n in range(20)))
    seqs = [event.seq for events in committed for event in events]
    assert len(set(seqs)) == 20
    async with store.transaction() as tx:
        assert len(await tx.customers.all(A)) == 20
        assert len(await tx.documents.all(A, "counter")) == 20
        assert sorted(e.seq for e in await tx.events.since(A, 0)) == sorted(seqs)


async def test_a_held_log_lets_no_events_commit_until_the_holder_ends(store: Store) -> None:
    """What a realtime snapshot reads must agree with the last seq it read."""
    release = asyncio.Event()
    held = asyncio.Event()

    async def snapshot() -> tuple[list[StoredEvent], list[StoredEvent]]:
        async with store.transaction() as tx:
            await tx.events.hold()
            held.set()
            first = await tx.events.since(A, 0)
            await release.wait()
            return first, await tx.events.since(A, 0)

    async def write() -> None:
        async with store.transaction() as tx:
            tx.events.append(arrived("c1"))

    reader = asyncio.create_task(snapshot())
    await held.wait()
    writer = asyncio.create_task(write())
    await asyncio.sleep(0.2)
    assert not writer.done()  # its events wait for the snapshot
    release.set()
    first, again = await reader
    await writer
    assert first == again == []
    async with store.transaction() as tx:
        assert [e.contact for e in await tx.events.since(A, 0)] == ["c1"]
