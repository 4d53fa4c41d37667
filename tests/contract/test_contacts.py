"""Live contacts: stored whole, found by key, state, customer, agent, channel and time."""

from __future__ import annotations

from dataclasses import replace

import pytest

from frontdesk.domain.channels import Channel
from frontdesk.domain.contacts import ContactState
from frontdesk.domain.errors import ConflictError, NotFoundError
from frontdesk.domain.handling import CrmStatus
from frontdesk.domain.ids import AgentId, ContactId, CustomerId, QueueId
from frontdesk.domain.repositories import ContactFilter, Store
from tests.contract.samples import A, B, at, full_live_contact, live

S = ContactState


async def test_a_contact_comes_back_with_every_field(store: Store) -> None:
    original = full_live_contact()
    async with store.transaction() as tx:
        await tx.contacts.add(original)
    async with store.transaction() as tx:
        stored = await tx.contacts.get(A, ContactId("call-1"))
    assert stored == original
    assert stored is not None
    assert stored.contact.segments[0].ended_at == at(5)
    assert stored.handling.explanation == original.handling.explanation
    assert stored.contact.arrived_at.utcoffset() is not None


async def test_adding_a_contact_twice_is_a_conflict_and_keeps_the_first(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.contacts.add(live("c1", ani="+74951111111"))
    with pytest.raises(ConflictError) as raised:
        async with store.transaction() as tx:
            await tx.contacts.add(live("c1", ani="+74952222222"))
    assert raised.value.code == "contact.exists"
    async with store.transaction() as tx:
        stored = await tx.contacts.get(A, ContactId("c1"))
    assert stored is not None
    assert stored.contact.ani == "+74951111111"


async def test_put_replaces_a_contact_and_refuses_an_unknown_one(store: Store) -> None:
    first = live("c1")
    async with store.transaction() as tx:
        await tx.contacts.add(first)
    moved = replace(
        first,
        contact=first.contact.moved_to(S.ENRICHED, at(1)),
        handling=replace(first.handling, crm=CrmStatus.UNAVAILABLE, errors=("crm timeout",)),
    )
    async with store.transaction() as tx:
        await tx.contacts.put(moved)
    async with store.transaction() as tx:
        assert await tx.contacts.get(A, ContactId("c1")) == moved
    with pytest.raises(NotFoundError) as raised:
        async with store.transaction() as tx:
            await tx.contacts.put(live("ghost"))
    assert raised.value.code == "contact.not_found"
    async with store.transaction() as tx:
        assert await tx.contacts.get(A, ContactId("ghost")) is None


async def test_a_contact_is_found_by_its_idempotency_key(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.contacts.add(live("c1", key="pbx:1"))
        await tx.contacts.add(live("c2", key="pbx:2"))
        await tx.contacts.add(live("c3"))
    async with store.transaction() as tx:
        found = await tx.contacts.by_idempotency_key(A, "pbx:2")
        assert found is not None
        assert found.contact.id == "c2"
        assert await tx.contacts.by_idempotency_key(A, "pbx:9") is None
        assert await tx.contacts.by_idempotency_key(B, "pbx:2") is None


async def test_an_idempotency_key_belongs_to_one_contact(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.contacts.add(live("c1", key="pbx:1"))
        await tx.contacts.add(live("c2"))
    with pytest.raises(ConflictError) as on_add:
        async with store.transaction() as tx:
            await tx.contacts.add(live("c3", key="pbx:1"))
    with pytest.raises(ConflictError) as on_put:
        async with store.transaction() as tx:
            await tx.contacts.put(live("c2", key="pbx:1"))
    assert on_add.value.code == on_put.value.code == "contact.idempotency_key_taken"
    async with store.transaction() as tx:
        # A contact may keep its own key, or give it up for another one to take.
        await tx.contacts.put(live("c1", key="pbx:1", state=S.ABANDONED))
        await tx.contacts.put(live("c1", key="pbx:1b"))
        await tx.contacts.put(live("c2", key="pbx:1"))
        # The same key is free in another tenant.
        await tx.contacts.add(live("b1", B, key="pbx:1b"))
    async with store.transaction() as tx:
        holder = await tx.contacts.by_idempotency_key(A, "pbx:1")
        assert holder is not None
        assert holder.contact.id == "c2"
        assert await tx.contacts.get(A, ContactId("c3")) is None


async def test_in_states_lists_contacts_in_arrival_order(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.contacts.add(live("late", minute=30, state=S.QUEUED))
        await tx.contacts.add(live("done", minute=5, state=S.CLOSED))
        await tx.contacts.add(live("early", minute=1, state=S.OFFERED))
        await tx.contacts.add(live("middle", minute=10, state=S.QUEUED))
        await tx.contacts.add(live("same-time-b", minute=20, state=S.QUEUED))
        await tx.contacts.add(live("same-time-a", minute=20, state=S.QUEUED))
        await tx.contacts.add(live("other-tenant", B, minute=0, state=S.QUEUED))
    async with store.transaction() as tx:
        waiting = await tx.contacts.in_states(A, frozenset({S.QUEUED, S.OFFERED}))
        assert [c.contact.id for c in waiting] == [
            "early",
            "middle",
            "same-time-a",  # the same arrival time: ordered by id
            "same-time-b",
            "late",
        ]
        assert await tx.contacts.in_states(A, frozenset({S.CONNECTED})) == []


async def _seed_for_search(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.contacts.add(live("c1", minute=1, customer="cu1", agent="ann", queue="sales"))
        await tx.contacts.add(
            live("c2", minute=2, state=S.CLOSED, channel=Channel.CHAT, ani="+79990000000")
        )
        await tx.contacts.add(live("c3", minute=3, state=S.QUEUED, customer="cu1", queue="vip"))
        await tx.contacts.add(live("c4", minute=4, state=S.CLOSED, agent="ann", queue="sales"))
        await tx.contacts.add(live("b1", B, minute=2, customer="cu1", agent="ann", queue="sales"))


async def _ids(store: Store, where: ContactFilter) -> list[str]:
    async with store.transaction() as tx:
        return [c.contact.id for c in await tx.contacts.search(A, where)]


async def test_search_lists_a_tenants_contacts_newest_first(store: Store) -> None:
    await _seed_for_search(store)
    assert await _ids(store, ContactFilter()) == ["c4", "c3", "c2", "c1"]
    assert await _ids(store, ContactFilter(limit=2)) == ["c4", "c3"]
    assert await _ids(store, ContactFilter(limit=2, offset=2)) == ["c2", "c1"]


async def test_search_matches_every_field_that_is_set(store: Store) -> None:
    await _seed_for_search(store)
    closed, waiting = frozenset({S.CLOSED}), frozenset({S.QUEUED, S.ARRIVED})
    ann, cu1 = AgentId("ann"), CustomerId("cu1")
    assert await _ids(store, ContactFilter(states=closed)) == ["c4", "c2"]
    assert await _ids(store, ContactFilter(states=waiting)) == ["c3", "c1"]
    assert await _ids(store, ContactFilter(customer=CustomerId("cu1"))) == ["c3", "c1"]
    assert await _ids(store, ContactFilter(agent=ann)) == ["c4", "c1"]
    assert await _ids(store, ContactFilter(channel="chat")) == ["c2"]
    assert await _ids(store, ContactFilter(ani="+79990000000")) == ["c2"]
    assert await _ids(store, ContactFilter(since=at(1.5))) == ["c4", "c3", "c2"]
    assert await _ids(store, ContactFilter(until=at(2.5))) == ["c2", "c1"]
    assert await _ids(store, ContactFilter(since=at(1.5), until=at(3.5))) == ["c3", "c2"]
    assert await _ids(store, ContactFilter(states=closed, agent=ann)) == ["c4"]
    assert await _ids(store, ContactFilter(customer=CustomerId("nobody"))) == []
    assert await _ids(store, ContactFilter(queue=QueueId("sales"))) == ["c4", "c1"]
    assert await _ids(store, ContactFilter(queue=QueueId("vip"), customer=cu1)) == ["c3"]


async def test_count_tells_how_many_match_whatever_the_page(store: Store) -> None:
    await _seed_for_search(store)
    cu1 = CustomerId("cu1")
    async with store.transaction() as tx:
        assert await tx.contacts.count(A, ContactFilter()) == 4
        assert await tx.contacts.count(A, ContactFilter(limit=1, offset=3)) == 4
        assert await tx.contacts.count(A, ContactFilter(queue=QueueId("sales"))) == 2
        assert await tx.contacts.count(A, ContactFilter(states=frozenset({S.CLOSED}))) == 2
        assert await tx.contacts.count(A, ContactFilter(since=at(1.5), customer=cu1)) == 1
        assert await tx.contacts.count(A, ContactFilter(agent=AgentId("nobody"))) == 0
        assert await tx.contacts.count(B, ContactFilter()) == 1


async def test_contacts_of_one_tenant_are_invisible_to_another(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.contacts.add(full_live_contact(A))
    async with store.transaction() as tx:
        assert await tx.contacts.get(B, ContactId("call-1")) is None
        assert await tx.contacts.search(B, ContactFilter()) == []
        assert await tx.contacts.in_states(B, frozenset(ContactState)) == []
        assert await tx.contacts.by_idempotency_key(B, "pbx:abc") is None
    async with store.transaction() as tx:
        await tx.contacts.add(full_live_contact(B))
    async with store.transaction() as tx:
        a = await tx.contacts.get(A, ContactId("call-1"))
        b = await tx.contacts.get(B, ContactId("call-1"))
    assert a is not None
    assert b is not None
    assert (a.contact.tenant, b.contact.tenant) == (A, B)
