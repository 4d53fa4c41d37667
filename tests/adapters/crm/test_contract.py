"""The CRM contract: what enrichment and the agent desktop rely on, from every CRM adapter."""

from __future__ import annotations

import dataclasses

import pytest

from frontdesk.domain.customers import Activity, Customer, Identity, IdentityKind
from frontdesk.domain.errors import ConflictError, NotFoundError, ValidationError
from frontdesk.domain.ids import CustomerId
from frontdesk.domain.ports import Crm
from tests.adapters.crm.conftest import OTHER_TENANT, TENANT, FixedClock

ANNA = Customer(
    id=CustomerId("c-anna"),
    tenant=TENANT,
    name="Анна Петрова",
    category="VIP",
    phones=("+79161234567",),
    emails=("anna@example.com",),
    messenger_ids={"telegram": "5550001"},
)


def phone(value: str) -> Identity:
    return Identity(IdentityKind.PHONE, value)


def visit(ident: str, customer: CustomerId, clock: FixedClock, summary: str) -> Activity:
    return Activity(id=ident, customer=customer, at=clock.now(), channel="voice", summary=summary)


@pytest.mark.parametrize(
    "written", ["8 (916) 123-45-67", "+7 916 123 45 67", "89161234567", "9161234567"]
)
async def test_find_by_a_phone_however_written(crm: Crm, written: str) -> None:
    await crm.upsert(ANNA)
    found = await crm.find(TENANT, phone(written))
    assert found is not None
    assert found.id == ANNA.id
    assert found.name == "Анна Петрова"
    assert found.vip
    assert [p.e164 for p in found.phones] == ["+79161234567"]


async def test_find_by_e_mail_and_messenger_id(crm: Crm) -> None:
    await crm.upsert(ANNA)
    by_mail = await crm.find(TENANT, Identity(IdentityKind.EMAIL, " <anna@EXAMPLE.com> "))
    by_telegram = await crm.find(TENANT, Identity(IdentityKind.MESSENGER, "telegram:5550001"))
    assert by_mail is not None
    assert by_mail.id == ANNA.id
    assert by_telegram is not None
    assert by_telegram.id == ANNA.id


@pytest.mark.parametrize(
    "identity",
    [
        phone("+79160000000"),
        phone("not a number"),
        phone(""),
        Identity(IdentityKind.EMAIL, "nobody@example.com"),
        Identity(IdentityKind.EMAIL, "not an address"),
        Identity(IdentityKind.MESSENGER, "telegram:999"),
    ],
)
async def test_an_unknown_identity_finds_nobody(crm: Crm, identity: Identity) -> None:
    await crm.upsert(ANNA)
    assert await crm.find(TENANT, identity) is None


async def test_upsert_stores_phones_in_e164_and_normalised_e_mails(crm: Crm) -> None:
    written = dataclasses.replace(
        ANNA,
        phones=("8 (916) 123-45-67", "+7 916 123-45-67", "8 495 123 45 67"),
        emails=("mailto:Anna@Example.COM",),
    )
    stored = await crm.upsert(written)
    assert stored.phones == ("+79161234567", "+74951234567")
    assert stored.emails == ("Anna@example.com",)
    assert await crm.get(TENANT, ANNA.id) == stored


async def test_upsert_is_idempotent(crm: Crm, clock: FixedClock) -> None:
    first = await crm.upsert(ANNA)
    clock.advance(5)
    again = await crm.upsert(ANNA)
    assert again == first
    assert await crm.get(TENANT, ANNA.id) == first
    found = await crm.find(TENANT, phone("+79161234567"))
    assert found == first.profile()


async def test_upsert_takes_time_from_the_clock(crm: Crm, clock: FixedClock) -> None:
    created = await crm.upsert(ANNA)
    assert created.created_at == clock.now()
    assert created.updated_at == clock.now()
    later = clock.advance(60)
    updated = await crm.upsert(dataclasses.replace(ANNA, status="в ремонте"))
    assert updated.created_at == created.created_at
    assert updated.updated_at == later
    assert updated.status == "в ремонте"
    assert await crm.get(TENANT, ANNA.id) == updated


async def test_an_update_replaces_identities(crm: Crm) -> None:
    await crm.upsert(ANNA)
    await crm.upsert(dataclasses.replace(ANNA, phones=("+74951234567",)))
    assert await crm.find(TENANT, phone("+79161234567")) is None
    moved = await crm.find(TENANT, phone("8 495 123-45-67"))
    assert moved is not None
    assert moved.id == ANNA.id


@pytest.mark.parametrize(
    ("phones", "emails", "code", "named"),
    [
        (("12345",), (), "customer.invalid_phone", "12345"),
        (("+79161234567", "call me"), (), "customer.invalid_phone", "call me"),
        ((), ("anna@@example.com",), "customer.invalid_email", "anna@@example.com"),
        ((), ("anna",), "customer.invalid_email", "anna"),
    ],
)
async def test_upsert_refuses_an_invalid_phone_or_e_mail(
    crm: Crm, phones: tuple[str, ...], emails: tuple[str, ...], code: str, named: str
) -> None:
    bad = dataclasses.replace(ANNA, phones=phones, emails=emails)
    with pytest.raises(ValidationError) as caught:
        await crm.upsert(bad)
    assert caught.value.code == code
    assert named in caught.value.message
    assert await crm.get(TENANT, ANNA.id) is None


async def test_an_identity_belongs_to_one_customer(crm: Crm) -> None:
    await crm.upsert(ANNA)
    boris = Customer(id=CustomerId("c-boris"), tenant=TENANT, name="Борис", phones=("89161234567",))
    with pytest.raises(ConflictError) as caught:
        await crm.upsert(boris)
    assert caught.value.code == "customer.identity_taken"
    assert await crm.get(TENANT, boris.id) is None


async def test_history_is_newest_first_and_limited(crm: Crm, clock: FixedClock) -> None:
    await crm.upsert(ANNA)
    for n in range(4):
        await crm.log_activity(TENANT, visit(f"a{n}", ANNA.id, clock, f"call {n}"))
        clock.advance(10)
    history = await crm.history(TENANT, ANNA.id)
    assert [a.summary for a in history] == ["call 3", "call 2", "call 1", "call 0"]
    assert [a.summary for a in await crm.history(TENANT, ANNA.id, limit=2)] == [
        "call 3",
        "call 2",
    ]


async def test_activity_of_an_unknown_customer_is_refused(crm: Crm, clock: FixedClock) -> None:
    with pytest.raises(NotFoundError) as caught:
        await crm.log_activity(TENANT, visit("a1", CustomerId("ghost"), clock, "call"))
    assert caught.value.code == "customer.not_found"
    with pytest.raises(NotFoundError):
        await crm.history(TENANT, CustomerId("ghost"))


async def test_tenants_do_not_see_each_other(crm: Crm, clock: FixedClock) -> None:
    await crm.upsert(ANNA)
    await crm.log_activity(TENANT, visit("a1", ANNA.id, clock, "call"))
    assert await crm.find(OTHER_TENANT, phone("+79161234567")) is None
    assert await crm.get(OTHER_TENANT, ANNA.id) is None
    with pytest.raises(NotFoundError):
        await crm.history(OTHER_TENANT, ANNA.id)
    # The same number may belong to a customer of each tenant.
    theirs = dataclasses.replace(ANNA, id=CustomerId("c-theirs"), tenant=OTHER_TENANT)
    await crm.upsert(theirs)
    found = await crm.find(OTHER_TENANT, phone("+79161234567"))
    assert found is not None
    assert found.id == theirs.id
    mine = await crm.find(TENANT, phone("+79161234567"))
    assert mine is not None
    assert mine.id == ANNA.id
