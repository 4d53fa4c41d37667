"""What the SQL store adds to the store contract: values as the databases keep them,
and behaviour under real concurrency."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from frontdesk.domain.callbacks import Callback
from frontdesk.domain.channels import Channel
from frontdesk.domain.contacts import Contact, ContactState
from frontdesk.domain.customers import Customer, Identity, IdentityKind, Purchase
from frontdesk.domain.errors import ConflictError
from frontdesk.domain.events import StoredEvent
from frontdesk.domain.handling import Handling, LiveContact
from frontdesk.domain.ids import ContactId, CustomerId, TenantId
from frontdesk.storage.sql import SqlStore, migrate, open_store
from frontdesk.storage.sql.engine import create_engine

A = TenantId("acme")
MOSCOW = timezone(timedelta(hours=3))
NINE_UTC = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
async def store(empty_url: str) -> AsyncIterator[SqlStore]:
    await migrate(empty_url)
    opened = await open_store(empty_url)
    yield opened
    await opened.close()


def _customer(id: str, phone: str) -> Customer:
    return Customer(id=CustomerId(id), tenant=A, name=id, phones=(phone,))


def _event(minute: int) -> StoredEvent:
    at = NINE_UTC + timedelta(minutes=minute)
    return StoredEvent(0, A, "contact.arrived", at, "contacts.read", None, None, {})


async def test_times_in_any_offset_come_back_in_utc(store: SqlStore) -> None:
    noon_moscow = datetime(2025, 3, 4, 12, 0, tzinfo=MOSCOW)
    async with store.transaction() as tx:
        await tx.callbacks.put(Callback("cb1", A, "+79161234567", noon_moscow, NINE_UTC))
    async with store.transaction() as tx:
        stored = await tx.callbacks.get(A, "cb1")
    assert stored is not None
    assert stored.due_at == noon_moscow
    assert stored.due_at.tzinfo is UTC
    assert stored.created_at.tzinfo is UTC


async def test_times_compare_as_instants_whatever_their_offset(store: SqlStore) -> None:
    noon_moscow = datetime(2025, 3, 4, 12, 0, tzinfo=MOSCOW)  # 09:00 UTC
    async with store.transaction() as tx:
        await tx.deliveries.add(A, "crm", _event(0), noon_moscow)
        await tx.deliveries.add(A, "crm", _event(1), NINE_UTC + timedelta(hours=1))
    async with store.transaction() as tx:
        due = await tx.deliveries.due(NINE_UTC + timedelta(minutes=30))
    assert [d.next_at for d in due] == [noon_moscow]


async def test_an_amount_keeps_more_digits_than_a_float_has(store: SqlStore) -> None:
    amount = Decimal("1234567890123456789012345.678900")
    async with store.transaction() as tx:
        await tx.customers.add_purchase(A, Purchase("p1", CustomerId("c1"), NINE_UTC, amount))
    async with store.transaction() as tx:
        (stored,) = await tx.customers.purchases(A, CustomerId("c1"))
    assert stored.amount == amount
    assert str(stored.amount) == "1234567890123456789012345.678900"


async def test_contacts_that_arrived_together_come_back_by_id(store: SqlStore) -> None:
    async with store.transaction() as tx:
        for id in ("c-b", "c-c", "c-a"):
            contact = Contact(ContactId(id), A, Channel.CHAT, "+7916", "widget", NINE_UTC)
            await tx.contacts.add(LiveContact(contact, Handling()))
    async with store.transaction() as tx:
        found = await tx.contacts.in_states(A, frozenset({ContactState.ARRIVED}))
    assert [live.contact.id for live in found] == ["c-a", "c-b", "c-c"]


async def test_an_idempotency_key_belongs_to_one_contact(store: SqlStore) -> None:
    def live(id: str) -> LiveContact:
        contact = Contact(ContactId(id), A, Channel.VOICE, "+7916", "pbx", NINE_UTC)
        return LiveContact(contact, Handling(idempotency_key="pbx:1"))

    async with store.transaction() as tx:
        await tx.contacts.add(live("c1"))
        with pytest.raises(ConflictError) as raised:
            await tx.contacts.add(live("c2"))
        assert raised.value.code == "contact.idempotency_key_taken"
        assert await tx.contacts.get(A, ContactId("c2")) is None


async def _until_a_lock_is_awaited(engine: AsyncEngine) -> None:
    """Return once some transaction of the database waits for a lock."""
    query = sa.text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    for _ in range(3000):
        async with engine.connect() as connection:
            if await connection.scalar(query):
                return
        await asyncio.sleep(0.01)
    raise AssertionError("no transaction ever waited for the identity's lock")


async def test_a_phone_claimed_at_the_same_time_is_a_conflict_for_the_later(
    postgresql_url: str,
) -> None:
    """The second transaction checks the phone before the first commits (so sees it
    free), then its insert waits for the first and fails: that too is
    ``customer.identity_taken``, and the second transaction goes on."""
    await migrate(postgresql_url)
    store = await open_store(postgresql_url)
    watcher = create_engine(postgresql_url)
    first_wrote = asyncio.Event()

    async def first() -> None:
        async with store.transaction() as tx:
            await tx.customers.put(_customer("c1", "+79161111111"))
            first_wrote.set()
            await _until_a_lock_is_awaited(watcher)

    async def second() -> str:
        await first_wrote.wait()
        async with store.transaction() as tx:
            with pytest.raises(ConflictError) as raised:
                await tx.customers.put(_customer("c2", "+79161111111"))
            await tx.customers.put(_customer("c2", "+79162222222"))
        return raised.value.code

    try:
        _, code = await asyncio.gather(first(), second())
        assert code == "customer.identity_taken"
        async with store.transaction() as tx:
            owner = await tx.customers.find(A, Identity(IdentityKind.PHONE, "+79161111111"))
            assert owner == _customer("c1", "+79161111111")
            assert await tx.customers.get(A, CustomerId("c2")) == _customer("c2", "+79162222222")
    finally:
        await watcher.dispose()
        await store.close()
