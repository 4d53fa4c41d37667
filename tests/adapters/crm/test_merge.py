"""Merging duplicate customers: identities, history, references, audit and events."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest

from frontdesk.crm.builtin import BuiltinCrm
from frontdesk.domain.callbacks import Callback
from frontdesk.domain.customers import Activity, Customer, Identity, IdentityKind, Purchase
from frontdesk.domain.errors import ConflictError, NotFoundError
from frontdesk.domain.ids import AgentId, CustomerId
from frontdesk.domain.repositories import Store
from tests.adapters.crm.conftest import TENANT, FixedClock

KEEP = Customer(
    id=CustomerId("c-keep"),
    tenant=TENANT,
    name="Анна Петрова",
    category="VIP",
    languages=frozenset({"ru"}),
    phones=("+79161234567",),
    emails=("anna@example.com",),
    messenger_ids={"telegram": "111"},
    fields={"city": "Москва", "contract": "A-1"},
)
DUPLICATE = Customer(
    id=CustomerId("c-dup"),
    tenant=TENANT,
    name="Петрова А.",
    company="ООО «Ромашка»",
    category="regular",
    status="в ремонте",
    manager=AgentId("olga"),
    blacklisted=True,
    languages=frozenset({"en"}),
    phones=("+74951234567", "+79161234567"),
    emails=("a.petrova@romashka.ru",),
    messenger_ids={"telegram": "222", "whatsapp": "+74951234567"},
    fields={"city": "Тверь", "inn": "7700000000"},
)


async def two_records(crm: BuiltinCrm) -> None:
    await crm.upsert(KEEP)
    # The duplicate cannot hold the kept record's number while both are live.
    await crm.upsert(dataclasses.replace(DUPLICATE, phones=("+74951234567",)))


async def test_the_kept_record_gains_what_the_duplicate_knows(
    builtin: BuiltinCrm, clock: FixedClock
) -> None:
    await two_records(builtin)
    later = clock.advance(30)
    kept = await builtin.merge(TENANT, KEEP.id, DUPLICATE.id, actor="admin")
    assert kept.phones == ("+79161234567", "+74951234567")
    assert kept.emails == ("anna@example.com", "a.petrova@romashka.ru")
    assert kept.messenger_ids == {"telegram": "111", "whatsapp": "+74951234567"}
    assert kept.languages == {"ru", "en"}
    assert kept.fields == {"city": "Москва", "contract": "A-1", "inn": "7700000000"}
    # Empty fields are filled, set ones are kept.
    assert (kept.company, kept.category, kept.status, kept.manager) == (
        "ООО «Ромашка»",
        "VIP",
        "в ремонте",
        "olga",
    )
    assert kept.blacklisted
    assert kept.name == "Анна Петрова"
    assert kept.updated_at == later
    assert await builtin.get(TENANT, KEEP.id) == kept


async def test_every_identity_of_the_duplicate_now_finds_the_kept_record(
    builtin: BuiltinCrm,
) -> None:
    await two_records(builtin)
    await builtin.merge(TENANT, KEEP.id, DUPLICATE.id, actor="admin")
    for identity in [
        Identity(IdentityKind.PHONE, "8 495 123-45-67"),
        Identity(IdentityKind.EMAIL, "a.petrova@romashka.ru"),
        Identity(IdentityKind.MESSENGER, "whatsapp:+74951234567"),
        Identity(IdentityKind.PHONE, "+79161234567"),
    ]:
        found = await builtin.find(TENANT, identity)
        assert found is not None, identity
        assert found.id == KEEP.id


async def test_the_duplicate_stays_as_a_pointer_without_identities(builtin: BuiltinCrm) -> None:
    await two_records(builtin)
    await builtin.merge(TENANT, KEEP.id, DUPLICATE.id, actor="admin")
    gone = await builtin.get(TENANT, DUPLICATE.id)
    assert gone is not None
    assert gone.merged_into == KEEP.id
    assert gone.identities() == ()
    assert gone.name == "Петрова А."
    assert [c.id for c in await builtin.search(TENANT, "Петрова")] == [KEEP.id]
    with pytest.raises(ConflictError) as caught:
        await builtin.upsert(dataclasses.replace(gone, merged_into=None))
    assert caught.value.code == "customer.merged"


async def test_history_purchases_notes_and_callbacks_move(
    builtin: BuiltinCrm, store: Store, clock: FixedClock
) -> None:
    await two_records(builtin)
    for ident, owner in [("a1", KEEP.id), ("a2", DUPLICATE.id), ("a3", KEEP.id)]:
        await builtin.log_activity(
            TENANT, Activity(id=ident, customer=owner, at=clock.now(), channel="voice")
        )
        clock.advance(1)
    await builtin.add_purchase(
        TENANT, Purchase(id="p1", customer=DUPLICATE.id, at=clock.now(), amount=Decimal(990))
    )
    await builtin.add_note(TENANT, DUPLICATE.id, "старый клиент")
    async with store.transaction() as tx:
        await tx.callbacks.put(
            Callback(
                id="cb1",
                tenant=TENANT,
                number="+74951234567",
                due_at=clock.now() + timedelta(hours=2),
                created_at=clock.now(),
                customer=DUPLICATE.id,
            )
        )
    await builtin.merge(TENANT, KEEP.id, DUPLICATE.id, actor="admin")
    history = await builtin.history(TENANT, KEEP.id)
    assert [a.id for a in history] == ["a3", "a2", "a1"]
    assert {a.customer for a in history} == {KEEP.id}
    card = await builtin.card(TENANT, KEEP.id)
    assert [p.id for p in card.purchases] == ["p1"]
    assert [n.text for n in card.notes] == ["старый клиент"]
    assert [c.id for c in card.callbacks] == ["cb1"]
    # Old references to the duplicate resolve to the kept record.
    assert await builtin.history(TENANT, DUPLICATE.id) == history
    assert (await builtin.card(TENANT, DUPLICATE.id)).customer.id == KEEP.id
    await builtin.log_activity(
        TENANT, Activity(id="a4", customer=DUPLICATE.id, at=clock.now(), channel="chat")
    )
    assert (await builtin.history(TENANT, KEEP.id, limit=1))[0].id == "a4"


async def test_a_merge_is_audited_and_announced(
    builtin: BuiltinCrm, store: Store, clock: FixedClock
) -> None:
    await two_records(builtin)
    await builtin.merge(TENANT, KEEP.id, DUPLICATE.id, actor="olga")
    async with store.transaction() as tx:
        audit = await tx.audit.all(TENANT)
        events = await tx.events.since(TENANT, 0)
    assert len(audit) == 1
    entry = audit[0]
    assert (entry.actor, entry.action, entry.kind, entry.key, entry.at) == (
        "olga",
        "merge",
        "customer",
        "c-keep",
        clock.now(),
    )
    assert entry.before is not None
    assert entry.after is not None
    assert entry.before["duplicate"]["messenger_ids"] == {
        "telegram": "222",
        "whatsapp": "+74951234567",
    }
    assert entry.after["duplicate"]["merged_into"] == "c-keep"
    assert entry.after["kept"]["phones"] == ["+79161234567", "+74951234567"]
    merged = [e for e in events if e.data["change"] == "merged"]
    assert [(e.type, e.data["customer"], e.data["merged_into"]) for e in merged] == [
        ("customer.changed", "c-dup", "c-keep")
    ]


@pytest.mark.parametrize(
    ("keep", "duplicate", "error", "code"),
    [
        ("c-keep", "c-keep", ConflictError, "customer.merge_self"),
        ("c-keep", "c-third", ConflictError, "customer.merged"),  # into a merged record
        ("c-third", "c-keep", ConflictError, "customer.merged"),  # a merged one again
        ("c-dup", "c-keep", ConflictError, "customer.merged"),
        ("c-third", "ghost", NotFoundError, "customer.not_found"),
        ("ghost", "c-third", NotFoundError, "customer.not_found"),
    ],
)
async def test_merges_that_cannot_be(
    builtin: BuiltinCrm,
    store: Store,
    keep: str,
    duplicate: str,
    error: type[Exception],
    code: str,
) -> None:
    await two_records(builtin)
    await builtin.upsert(Customer(id=CustomerId("c-third"), tenant=TENANT, name="Третий"))
    await builtin.merge(TENANT, DUPLICATE.id, KEEP.id, actor="admin")  # c-keep is merged now
    before = [await builtin.get(TENANT, CustomerId(i)) for i in ("c-keep", "c-dup", "c-third")]
    with pytest.raises(error) as caught:
        await builtin.merge(TENANT, CustomerId(keep), CustomerId(duplicate), actor="admin")
    assert getattr(caught.value, "code", None) == code
    after = [await builtin.get(TENANT, CustomerId(i)) for i in ("c-keep", "c-dup", "c-third")]
    assert after == before
    async with store.transaction() as tx:
        assert len(await tx.audit.all(TENANT)) == 1


async def test_a_chain_of_merges_resolves_to_the_last_record(builtin: BuiltinCrm) -> None:
    await two_records(builtin)
    await builtin.upsert(Customer(id=CustomerId("c-third"), tenant=TENANT, name="Третий"))
    await builtin.merge(TENANT, KEEP.id, DUPLICATE.id, actor="admin")
    await builtin.merge(TENANT, CustomerId("c-third"), KEEP.id, actor="admin")
    card = await builtin.card(TENANT, DUPLICATE.id)
    assert card.customer.id == "c-third"
    assert card.customer.phones == ("+79161234567", "+74951234567")
