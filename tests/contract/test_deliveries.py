"""Webhook deliveries: queued per subscription, picked up when due, retried until done."""

from __future__ import annotations

from dataclasses import replace

from frontdesk.domain.events import StoredEvent
from frontdesk.domain.repositories import Delivery, Store
from tests.contract.samples import A, B, arrived, at, queued


async def _events(store: Store) -> tuple[StoredEvent, StoredEvent, StoredEvent]:
    async with store.transaction() as tx:
        tx.events.append(arrived("call-1"))
        tx.events.append(queued("call-1"))
        tx.events.append(arrived("chat-1", B))
    first, second, third = tx.events.committed
    return first, second, third


async def test_an_added_delivery_is_pending_with_its_event(store: Store) -> None:
    event, _, _ = await _events(store)
    async with store.transaction() as tx:
        await tx.deliveries.add(A, "crm-hook", event, at(1))
    async with store.transaction() as tx:
        (stored,) = await tx.deliveries.all(A, "crm-hook")
    assert stored == Delivery(
        id=stored.id,
        tenant=A,
        subscription="crm-hook",
        event=event,
        attempts=0,
        next_at=at(1),
        state="pending",
    )


async def test_due_lists_pending_deliveries_of_every_tenant_oldest_first(store: Store) -> None:
    first, second, third = await _events(store)
    async with store.transaction() as tx:
        await tx.deliveries.add(A, "crm-hook", second, at(5))
        await tx.deliveries.add(B, "b-hook", third, at(2))
        await tx.deliveries.add(A, "crm-hook", first, at(1))
        await tx.deliveries.add(A, "later", first, at(60))
    async with store.transaction() as tx:
        due = await tx.deliveries.due(at(10))
        assert [(d.tenant, d.event.seq) for d in due] == [
            (A, first.seq),
            (B, third.seq),
            (A, second.seq),
        ]
        assert [d.event for d in await tx.deliveries.due(at(10), limit=1)] == [first]
        assert await tx.deliveries.due(at(0)) == []


async def test_an_updated_delivery_waits_for_its_retry_or_is_done(store: Store) -> None:
    first, second, _ = await _events(store)
    async with store.transaction() as tx:
        await tx.deliveries.add(A, "crm-hook", first, at(1))
        await tx.deliveries.add(A, "crm-hook", second, at(1))
    async with store.transaction() as tx:
        failing, succeeding = await tx.deliveries.due(at(1))
        retry = replace(failing, attempts=1, next_at=at(31), last_error="HTTP 503")
        await tx.deliveries.update(retry)
        await tx.deliveries.update(replace(succeeding, attempts=1, state="delivered"))
    async with store.transaction() as tx:
        assert await tx.deliveries.due(at(30)) == []
        assert await tx.deliveries.due(at(31)) == [retry]
        await tx.deliveries.update(replace(retry, attempts=9, state="failed"))
    async with store.transaction() as tx:
        assert await tx.deliveries.due(at(1000)) == []
        stored = {d.id: d for d in await tx.deliveries.all(A, "crm-hook")}
    assert stored[retry.id].state == "failed"
    assert stored[retry.id].attempts == 9
    assert stored[retry.id].last_error == "HTTP 503"
    assert stored[succeeding.id].state == "delivered"


async def test_all_lists_one_subscription_of_one_tenant_newest_first(store: Store) -> None:
    first, second, third = await _events(store)
    async with store.transaction() as tx:
        await tx.deliveries.add(A, "crm-hook", first, at(1))
        await tx.deliveries.add(A, "crm-hook", second, at(2))
        await tx.deliveries.add(A, "other", first, at(1))
        await tx.deliveries.add(B, "crm-hook", third, at(1))
    async with store.transaction() as tx:
        hook = await tx.deliveries.all(A, "crm-hook")
        assert [d.event for d in hook] == [second, first]
        assert [d.event for d in await tx.deliveries.all(A, "crm-hook", limit=1)] == [second]
        assert [d.event for d in await tx.deliveries.all(B, "crm-hook")] == [third]
        assert await tx.deliveries.all(B, "other") == []
