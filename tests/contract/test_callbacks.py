"""Scheduled callbacks: listed by due time, filtered by state, customer and agent."""

from __future__ import annotations

from dataclasses import replace

from frontdesk.domain.callbacks import Callback, CallbackState
from frontdesk.domain.ids import AgentId, ContactId, CustomerId, QueueId
from frontdesk.domain.repositories import Store
from tests.contract.samples import MOSCOW, A, B, at


def callback(
    id: str,
    due_minute: float,
    *,
    customer: str | None = None,
    agent: str | None = None,
    state: CallbackState = CallbackState.PENDING,
) -> Callback:
    return Callback(
        id=id,
        tenant=A,
        number="+79161234567",
        due_at=at(due_minute),
        created_at=at(0),
        customer=None if customer is None else CustomerId(customer),
        agent=None if agent is None else AgentId(agent),
        state=state,
    )


FULL = Callback(
    id="cb-full",
    tenant=A,
    number="+79161234567",
    due_at=at(90).astimezone(MOSCOW),
    created_at=at(1),
    contact=ContactId("call-1"),
    customer=CustomerId("cust-1"),
    agent=AgentId("ann"),
    queue=QueueId("sales"),
    note="перезвонить после обеда",
    state=CallbackState.PENDING,
    created_by="ivr",
)


async def test_a_callback_comes_back_with_every_field(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.callbacks.put(FULL)
    async with store.transaction() as tx:
        assert await tx.callbacks.get(A, "cb-full") == FULL
        assert await tx.callbacks.get(A, "nope") is None


async def test_callbacks_are_listed_by_due_time(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.callbacks.put(callback("late", 60))
        await tx.callbacks.put(callback("soon", 5))
        await tx.callbacks.put(callback("middle", 30))
    async with store.transaction() as tx:
        assert [c.id for c in await tx.callbacks.all(A)] == ["soon", "middle", "late"]


async def test_callbacks_are_filtered_by_state_customer_and_agent(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.callbacks.put(callback("c1", 10, customer="cu1", agent="ann"))
        await tx.callbacks.put(callback("c2", 20, customer="cu1"))
        await tx.callbacks.put(callback("c3", 5, agent="ann", state=CallbackState.DONE))
        await tx.callbacks.put(callback("c4", 15, state=CallbackState.CANCELLED))

    async def ids(**where: object) -> list[str]:
        async with store.transaction() as tx:
            found = await tx.callbacks.all(A, **where)  # type: ignore[arg-type]
        return [c.id for c in found]

    assert await ids(state=CallbackState.PENDING) == ["c1", "c2"]
    assert await ids(state=CallbackState.DONE) == ["c3"]
    assert await ids(customer=CustomerId("cu1")) == ["c1", "c2"]
    assert await ids(agent=AgentId("ann")) == ["c3", "c1"]
    assert await ids(state=CallbackState.PENDING, agent=AgentId("ann")) == ["c1"]
    assert await ids(customer=CustomerId("nobody")) == []


async def test_put_replaces_a_callback(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.callbacks.put(FULL)
    done = replace(FULL, state=CallbackState.DONE, note="дозвонились")
    async with store.transaction() as tx:
        await tx.callbacks.put(done)
    async with store.transaction() as tx:
        assert await tx.callbacks.all(A) == [done]


async def test_callbacks_of_one_tenant_are_invisible_to_another(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.callbacks.put(FULL)
    async with store.transaction() as tx:
        assert await tx.callbacks.get(B, "cb-full") is None
        assert await tx.callbacks.all(B) == []
        await tx.callbacks.put(replace(FULL, tenant=B, note="B"))
    async with store.transaction() as tx:
        assert await tx.callbacks.get(A, "cb-full") == FULL
        b = await tx.callbacks.get(B, "cb-full")
    assert b is not None
    assert b.note == "B"
