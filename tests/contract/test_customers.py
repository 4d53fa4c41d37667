"""Customers: records, identities that name one customer only, merges and history."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from frontdesk.domain.customers import Customer, Identity, IdentityKind
from frontdesk.domain.errors import ConflictError
from frontdesk.domain.ids import CustomerId
from frontdesk.domain.repositories import Store
from tests.contract.samples import (
    A,
    B,
    activity,
    customer,
    full_customer,
    note,
    purchase,
)

PHONE = Identity(IdentityKind.PHONE, "+79161234567")
EMAIL = Identity(IdentityKind.EMAIL, "ivan@romashka.ru")
TELEGRAM = Identity(IdentityKind.MESSENGER, "telegram:12345")
C1 = CustomerId("cust-1")


async def test_a_customer_comes_back_with_every_field(store: Store) -> None:
    original = full_customer()
    async with store.transaction() as tx:
        await tx.customers.put(original)
    async with store.transaction() as tx:
        assert await tx.customers.get(A, C1) == original
        assert await tx.customers.get(A, CustomerId("nobody")) is None


async def test_a_customer_is_found_by_phone_email_or_messenger(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.customers.put(full_customer())
        await tx.customers.put(customer("other", phones=("+74950000001",)))
    async with store.transaction() as tx:
        for identity in (PHONE, EMAIL, TELEGRAM, Identity(IdentityKind.PHONE, "+74957654321")):
            found = await tx.customers.find(A, identity)
            assert found is not None, identity
            assert found.id == C1
        assert await tx.customers.find(A, Identity(IdentityKind.PHONE, "+70000000000")) is None
        assert await tx.customers.find(A, Identity(IdentityKind.MESSENGER, "viber:12345")) is None


@pytest.mark.parametrize(
    "rival",
    [
        customer("rival", phones=("+79161234567",)),
        customer("rival", emails=("ivan@romashka.ru",)),
        customer("rival", messengers={"telegram": "12345"}),
    ],
    ids=["phone", "email", "messenger"],
)
async def test_an_identity_of_another_customer_is_a_conflict(store: Store, rival: Customer) -> None:
    async with store.transaction() as tx:
        await tx.customers.put(full_customer())
    with pytest.raises(ConflictError) as raised:
        async with store.transaction() as tx:
            await tx.customers.put(rival)
    assert raised.value.code == "customer.identity_taken"
    async with store.transaction() as tx:
        assert await tx.customers.get(A, CustomerId("rival")) is None
        assert [c.id for c in await tx.customers.all(A)] == [C1]


async def test_a_refused_put_leaves_the_transaction_usable(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.customers.put(full_customer())
        with pytest.raises(ConflictError):
            await tx.customers.put(customer("rival", phones=("+70000000001", "+79161234567")))
        await tx.customers.put(customer("third", phones=("+70000000001",)))
    async with store.transaction() as tx:
        assert [c.id for c in await tx.customers.all(A)] == [C1, "third"]
        found = await tx.customers.find(A, Identity(IdentityKind.PHONE, "+70000000001"))
        assert found is not None
        assert found.id == "third"


async def test_updating_a_customer_frees_the_identities_it_dropped(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.customers.put(full_customer())
    async with store.transaction() as tx:
        await tx.customers.put(replace(full_customer(), phones=("+74957654321",), name="Иван"))
    async with store.transaction() as tx:
        assert await tx.customers.find(A, PHONE) is None
        await tx.customers.put(customer("new", phones=("+79161234567",)))
    async with store.transaction() as tx:
        found = await tx.customers.find(A, PHONE)
        assert found is not None
        assert found.id == "new"
        stored = await tx.customers.get(A, C1)
        assert stored is not None
        assert stored.name == "Иван"


async def test_a_merged_customer_is_hidden_and_releases_its_identities(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.customers.put(full_customer())
        await tx.customers.put(customer("keep", "Иван Петров (основной)"))
    merged = replace(full_customer(), merged_into=CustomerId("keep"))
    async with store.transaction() as tx:
        await tx.customers.put(merged)
        await tx.customers.put(customer("keep", "Иван Петров (основной)", phones=("+79161234567",)))
    async with store.transaction() as tx:
        found = await tx.customers.find(A, PHONE)
        assert found is not None
        assert found.id == "keep"
        assert await tx.customers.find(A, EMAIL) is None
        assert [c.id for c in await tx.customers.all(A)] == ["keep"]
        assert [c.id for c in await tx.customers.search(A, "Петров")] == ["keep"]
        # Old references still resolve, to the record that says where it went.
        assert await tx.customers.get(A, C1) == merged


async def test_all_lists_unmerged_customers_by_id_a_page_at_a_time(store: Store) -> None:
    async with store.transaction() as tx:
        for id in ("c5", "c1", "c4", "c2", "c3"):
            await tx.customers.put(customer(id))
        await tx.customers.put(customer("c0", merged_into="c1"))
    async with store.transaction() as tx:
        assert [c.id for c in await tx.customers.all(A)] == ["c1", "c2", "c3", "c4", "c5"]
        assert [c.id for c in await tx.customers.all(A, limit=2)] == ["c1", "c2"]
        assert [c.id for c in await tx.customers.all(A, limit=2, offset=3)] == ["c4", "c5"]


async def test_purchases_keep_exact_amounts_newest_first(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.customers.put(full_customer())
        await tx.customers.add_purchase(A, purchase("p1", "cust-1", 1, "0.10"))
        await tx.customers.add_purchase(A, purchase("p3", "cust-1", 30, "123456789012.34"))
        await tx.customers.add_purchase(A, purchase("p2", "cust-1", 20, "19.999"))
    async with store.transaction() as tx:
        stored = await tx.customers.purchases(A, C1)
        assert stored == [
            purchase("p3", "cust-1", 30, "123456789012.34"),
            purchase("p2", "cust-1", 20, "19.999"),
            purchase("p1", "cust-1", 1, "0.10"),
        ]
        assert sum((p.amount for p in stored), Decimal(0)) == Decimal("123456789032.439")
        assert [p.id for p in await tx.customers.purchases(A, C1, limit=2)] == ["p3", "p2"]


async def test_notes_and_activities_come_back_newest_first(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.customers.put(full_customer())
        for id, minute in (("n1", 1), ("n3", 3), ("n2", 2)):
            await tx.customers.add_note(A, note(id, "cust-1", minute))
            await tx.customers.add_activity(A, activity(id.replace("n", "a"), "cust-1", minute))
    async with store.transaction() as tx:
        assert await tx.customers.notes(A, C1) == [
            note("n3", "cust-1", 3),
            note("n2", "cust-1", 2),
            note("n1", "cust-1", 1),
        ]
        assert await tx.customers.activities(A, C1) == [
            activity("a3", "cust-1", 3),
            activity("a2", "cust-1", 2),
            activity("a1", "cust-1", 1),
        ]
        assert [n.id for n in await tx.customers.notes(A, C1, limit=1)] == ["n3"]
        assert [a.id for a in await tx.customers.activities(A, C1, limit=2)] == ["a3", "a2"]


async def test_reassign_moves_the_history_to_the_surviving_customer(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.customers.put(customer("dup"))
        await tx.customers.put(customer("keep"))
        await tx.customers.add_purchase(A, purchase("p1", "dup", 1))
        await tx.customers.add_purchase(A, purchase("p2", "keep", 2))
        await tx.customers.add_note(A, note("n1", "dup", 3))
        await tx.customers.add_activity(A, activity("a1", "dup", 4))
        await tx.customers.add_activity(A, activity("a2", "keep", 5))
    async with store.transaction() as tx:
        await tx.customers.reassign(A, CustomerId("dup"), CustomerId("keep"))
    keep, dup = CustomerId("keep"), CustomerId("dup")
    async with store.transaction() as tx:
        assert [p.id for p in await tx.customers.purchases(A, keep)] == ["p2", "p1"]
        assert await tx.customers.notes(A, keep) == [replace(note("n1", "dup", 3), customer=keep)]
        assert [a.id for a in await tx.customers.activities(A, keep)] == ["a2", "a1"]
        assert await tx.customers.purchases(A, dup) == []
        assert await tx.customers.notes(A, dup) == []
        assert await tx.customers.activities(A, dup) == []


async def test_customers_of_one_tenant_are_invisible_to_another(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.customers.put(full_customer(A))
        await tx.customers.add_purchase(A, purchase("p1", "cust-1", 1))
        await tx.customers.add_note(A, note("n1", "cust-1", 1))
        await tx.customers.add_activity(A, activity("a1", "cust-1", 1))
    async with store.transaction() as tx:
        assert await tx.customers.get(B, C1) is None
        assert await tx.customers.find(B, PHONE) is None
        assert await tx.customers.all(B) == []
        assert await tx.customers.search(B, "Петров") == []
        assert await tx.customers.purchases(B, C1) == []
        assert await tx.customers.notes(B, C1) == []
        assert await tx.customers.activities(B, C1) == []
        await tx.customers.reassign(B, C1, CustomerId("elsewhere"))
        # The same phone may name a customer in another tenant.
        await tx.customers.put(customer("b-1", "Other", B, phones=("+79161234567",)))
    async with store.transaction() as tx:
        assert [p.id for p in await tx.customers.purchases(A, C1)] == ["p1"]
        found_a = await tx.customers.find(A, PHONE)
        found_b = await tx.customers.find(B, PHONE)
    assert found_a is not None
    assert found_b is not None
    assert (found_a.id, found_b.id) == (C1, "b-1")


async def test_a_customer_is_found_by_one_of_their_own_fields(store: Store) -> None:
    first = replace(customer("cust-1"), fields={"contract": "123456", "city": "Kazan"})
    second = replace(customer("cust-2"), fields={"contract": "654321", "city": "Kazan"})
    merged = replace(customer("cust-3"), fields={"contract": "777"}, merged_into=C1)
    other_tenant = replace(customer("cust-4", tenant=B), fields={"contract": "999"})
    async with store.transaction() as tx:
        for record in (first, second, merged, other_tenant):
            await tx.customers.put(record)
    async with store.transaction() as tx:
        found = await tx.customers.with_field(A, "contract", "654321")
        assert found is not None
        assert found.id == "cust-2"
        shared = await tx.customers.with_field(A, "city", "Kazan")
        assert shared is not None
        assert shared.id == "cust-1"  # several: the first by id
        assert await tx.customers.with_field(A, "contract", "12345") is None
        assert await tx.customers.with_field(A, "contract", "777") is None  # merged away
        assert await tx.customers.with_field(A, "contract", "999") is None  # another tenant
        assert await tx.customers.with_field(A, "no-such-field", "123456") is None
