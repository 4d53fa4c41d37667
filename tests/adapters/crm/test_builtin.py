"""The built-in CRM beyond the contract: events, search, the card, purchases and notes."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

import pytest

from frontdesk.crm.builtin import BuiltinCrm
from frontdesk.domain.callbacks import Callback, CallbackState
from frontdesk.domain.customers import Activity, Customer, Purchase
from frontdesk.domain.errors import ConflictError, NotFoundError, ValidationError
from frontdesk.domain.events import StoredEvent
from frontdesk.domain.ids import CustomerId
from frontdesk.domain.repositories import Store
from tests.adapters.crm.conftest import TENANT, FixedClock

ANNA = Customer(
    id=CustomerId("c-anna"),
    tenant=TENANT,
    name="Анна Петрова",
    company="ООО «Ромашка»",
    phones=("+79161234567",),
    emails=("anna@example.com",),
)
BORIS = Customer(
    id=CustomerId("c-boris"), tenant=TENANT, name="Борис Иванов", phones=("+74951234567",)
)


async def events_of(store: Store) -> list[StoredEvent]:
    async with store.transaction() as tx:
        return await tx.events.since(TENANT, 0)


class Recorder:
    """A publisher that keeps what it was given."""

    def __init__(self) -> None:
        self.published: list[StoredEvent] = []

    async def publish(self, events: Sequence[StoredEvent]) -> None:
        self.published.extend(events)


async def test_upsert_writes_created_then_updated_and_nothing_when_unchanged(
    builtin: BuiltinCrm, store: Store, clock: FixedClock
) -> None:
    await builtin.upsert(ANNA)
    clock.advance(1)
    await builtin.upsert(dataclasses.replace(ANNA, status="новый"))
    await builtin.upsert(dataclasses.replace(ANNA, status="новый"))
    events = await events_of(store)
    assert [(e.type, e.data["customer"], e.data["change"]) for e in events] == [
        ("customer.changed", "c-anna", "created"),
        ("customer.changed", "c-anna", "updated"),
    ]
    assert events[1].at == clock.now()


async def test_committed_events_go_to_the_publisher(store: Store, clock: FixedClock) -> None:
    recorder = Recorder()
    crm = BuiltinCrm(store, clock, publisher=recorder)
    await crm.upsert(ANNA)
    assert [e.data["change"] for e in recorder.published] == ["created"]
    assert recorder.published == await events_of(store)


async def test_a_refused_upsert_publishes_nothing(store: Store, clock: FixedClock) -> None:
    recorder = Recorder()
    crm = BuiltinCrm(store, clock, publisher=recorder)
    await crm.upsert(ANNA)
    with pytest.raises(ConflictError, match="belongs to customer"):
        await crm.upsert(dataclasses.replace(BORIS, phones=("+79161234567",)))
    assert len(recorder.published) == 1
    assert len(await events_of(store)) == 1


async def test_a_blank_name_is_refused(builtin: BuiltinCrm) -> None:
    with pytest.raises(ValidationError) as caught:
        await builtin.upsert(dataclasses.replace(ANNA, name="  "))
    assert caught.value.code == "customer.name_required"


async def test_national_numbers_follow_the_default_region(store: Store, clock: FixedClock) -> None:
    crm = BuiltinCrm(store, clock, default_region="GB")
    stored = await crm.upsert(dataclasses.replace(ANNA, phones=("020 7946 0958",)))
    assert stored.phones == ("+442079460958",)


async def test_search_by_name_and_by_a_phone_however_written(builtin: BuiltinCrm) -> None:
    await builtin.upsert(ANNA)
    await builtin.upsert(BORIS)
    assert [c.id for c in await builtin.search(TENANT, "Борис")] == [BORIS.id]
    assert [c.id for c in await builtin.search(TENANT, "8 (495) 123-45-67")][:1] == [BORIS.id]
    assert [c.id for c in await builtin.search(TENANT, "ANNA@Example.com")][:1] == [ANNA.id]
    assert await builtin.search(TENANT, "   ") == []


async def test_the_card_shows_recent_work_and_pending_callbacks(
    builtin: BuiltinCrm, store: Store, clock: FixedClock
) -> None:
    await builtin.upsert(ANNA)
    await builtin.upsert(BORIS)
    for n in range(7):
        await builtin.add_purchase(
            TENANT,
            Purchase(id=f"p{n}", customer=ANNA.id, at=clock.now(), amount=Decimal(f"{n}00.50")),
        )
        clock.advance(1)
    for n in range(12):
        await builtin.log_activity(
            TENANT, Activity(id=f"a{n}", customer=ANNA.id, at=clock.now(), channel="voice")
        )
        clock.advance(1)
    note = await builtin.add_note(TENANT, ANNA.id, "просит звонить после 18:00", author="olga")
    due = clock.now() + timedelta(hours=1)
    async with store.transaction() as tx:
        for ident, state, owner in [
            ("cb1", CallbackState.PENDING, ANNA.id),
            ("cb2", CallbackState.DONE, ANNA.id),
            ("cb3", CallbackState.PENDING, BORIS.id),
        ]:
            await tx.callbacks.put(
                Callback(
                    id=ident,
                    tenant=TENANT,
                    number="+79161234567",
                    due_at=due,
                    created_at=clock.now(),
                    customer=owner,
                    state=state,
                )
            )
    card = await builtin.card(TENANT, ANNA.id)
    assert card.customer.id == ANNA.id
    assert [p.id for p in card.purchases] == ["p6", "p5", "p4", "p3", "p2"]
    assert card.purchases[0].amount == Decimal("600.50")
    assert [a.id for a in card.activities] == [f"a{n}" for n in range(11, 1, -1)]
    assert card.notes == (note,)
    assert note.at == clock.now()
    assert note.author == "olga"
    assert [c.id for c in card.callbacks] == ["cb1"]


async def test_a_batch_of_purchases_is_stored_whole_or_not_at_all(
    builtin: BuiltinCrm, clock: FixedClock
) -> None:
    await builtin.upsert(ANNA)
    bought = [
        Purchase(id=f"p{n}", customer=ANNA.id, at=clock.now(), amount=Decimal(n)) for n in (1, 2)
    ]
    stray = Purchase(id="p3", customer=CustomerId("nobody"), at=clock.now(), amount=Decimal(3))
    with pytest.raises(NotFoundError):
        await builtin.add_purchases(TENANT, [*bought, stray])
    assert (await builtin.card(TENANT, ANNA.id)).purchases == ()
    assert await builtin.add_purchases(TENANT, bought) == bought
    assert {p.id for p in (await builtin.card(TENANT, ANNA.id)).purchases} == {"p1", "p2"}


async def test_an_empty_note_is_refused(builtin: BuiltinCrm) -> None:
    await builtin.upsert(ANNA)
    with pytest.raises(ValidationError) as caught:
        await builtin.add_note(TENANT, ANNA.id, " \n ")
    assert caught.value.code == "customer.note_empty"


async def test_the_card_of_an_unknown_customer(builtin: BuiltinCrm) -> None:
    with pytest.raises(NotFoundError) as caught:
        await builtin.card(TENANT, CustomerId("ghost"))
    assert caught.value.code == "customer.not_found"


async def test_upsert_many_writes_the_good_records_and_reports_the_others(
    builtin: BuiltinCrm,
) -> None:
    await builtin.upsert(ANNA)
    carol = Customer(
        id=CustomerId("c-carol"), tenant=TENANT, name="Карина", phones=("+79035550000",)
    )
    thief = Customer(id=CustomerId("c-thief"), tenant=TENANT, name="X", phones=("+79161234567",))
    blank = Customer(id=CustomerId("c-blank"), tenant=TENANT, name="")
    results = await builtin.upsert_many([BORIS, thief, carol, blank, ANNA])
    assert [getattr(r, "change", getattr(r, "code", None)) for r in results] == [
        "created",
        "customer.identity_taken",
        "created",
        "customer.name_required",
        "unchanged",
    ]
    assert await builtin.get(TENANT, BORIS.id) is not None
    assert await builtin.get(TENANT, carol.id) is not None
    assert await builtin.get(TENANT, thief.id) is None
