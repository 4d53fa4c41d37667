"""Domain records survive the trip to JSON and back, field for field."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from frontdesk.domain.agents import Agent, AgentState, Capacity
from frontdesk.domain.channels import Channel, Media
from frontdesk.domain.contacts import Contact, ContactState, IvrStep, Segment, SegmentKind
from frontdesk.domain.customers import Customer, Purchase
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.events import StoredEvent
from frontdesk.domain.handling import CrmStatus, Handling, LiveContact
from frontdesk.domain.ids import AgentId, ContactId, CustomerId, QueueId, TenantId
from frontdesk.storage.sql.codec import dump, load

MOSCOW = timezone(timedelta(hours=3))
NOON = datetime(2025, 3, 4, 12, 0, 0, 250000, tzinfo=MOSCOW)
A = TenantId("acme")


def _live() -> LiveContact:
    contact = Contact(
        id=ContactId("call-1"),
        tenant=A,
        channel=Channel.VOICE,
        ani="+79161234567",
        access_point="+74950000000",
        arrived_at=NOON,
        state=ContactState.TRANSFERRED,
        line="support",
        channel_data={"sip_call_id": "abc@pbx"},
        ivr_path=(IvrStep("main", "2", "chosen"), IvrStep("balance")),
        digits={"contract": "123456"},
        customer=CustomerId("cust-1"),
        category="VIP",
        priority=7,
        language="ru",
        segments=(
            Segment(0, SegmentKind.INITIAL, NOON, QueueId("sales"), AgentId("ann"), NOON),
            Segment(1, SegmentKind.TRANSFER, NOON, QueueId("billing")),
        ),
        state_changed_at=NOON,
    )
    handling = Handling(
        crm=CrmStatus.FOUND,
        scenario_version=3,
        decided_at=NOON,
        agent=AgentId("bob"),
        enqueued_at=1741078800.25,
        seq=42,
        record=True,
        explanation=("rule vip-first",),
        idempotency_key="pbx:abc",
    )
    return LiveContact(contact, handling)


def _agent() -> Agent:
    return Agent(
        id=AgentId("ann"),
        tenant=A,
        skills={"billing": 5},
        languages=frozenset({"ru", "en"}),
        queues=frozenset({QueueId("sales"), QueueId("billing")}),
        capacity=Capacity(
            limits={Media.CALL: 1, Media.CHAT: 3},
            blocks=frozenset({(Media.CALL, Media.CHAT)}),
        ),
        state=AgentState.NOT_READY,
        reason="lunch",
        state_since=NOON,
        load={Media.CHAT: 2},
        occupancy=0.5,
    )


@pytest.mark.parametrize(
    "record",
    [
        _live(),
        _agent(),
        Customer(
            id=CustomerId("c1"),
            tenant=A,
            name="Иван",
            languages=frozenset({"ru"}),
            phones=("+79161234567",),
            messenger_ids={"telegram": "1"},
            created_at=NOON,
        ),
        StoredEvent(7, A, "contact.arrived", NOON, "contacts.read", None, None, {"x": [1]}),
    ],
    ids=["live contact", "agent", "customer", "stored event"],
)
def test_a_record_comes_back_equal_through_json_text(record: object) -> None:
    text = json.dumps(dump(record))
    assert load(json.loads(text), type(record)) == record


def test_enums_sets_and_nested_records_come_back_as_their_own_types() -> None:
    back = load(json.loads(json.dumps(dump(_agent()))), Agent)
    assert back.state is AgentState.NOT_READY
    assert back.languages == frozenset({"ru", "en"})
    assert isinstance(back.languages, frozenset)
    assert back.capacity.blocks == frozenset({(Media.CALL, Media.CHAT)})
    assert all(isinstance(media, Media) for media in back.load)


def test_times_come_back_as_the_same_instant_in_utc() -> None:
    back = load(dump(_live()), LiveContact)
    assert back.contact.arrived_at == NOON
    assert back.contact.arrived_at.tzinfo is UTC
    assert back.contact.segments[0].started_at.tzinfo is UTC


def test_times_are_stored_as_utc_text() -> None:
    event = StoredEvent(1, A, "t", NOON, "p", None, None, {})
    assert dump(event)["at"] == "2025-03-04T09:00:00.250000+00:00"


def test_a_decimal_keeps_every_digit() -> None:
    purchase = Purchase("p1", CustomerId("c1"), NOON, Decimal("12345678901234567890.10"))
    back = load(dump(purchase), Purchase)
    assert str(back.amount) == "12345678901234567890.10"


def test_a_naive_time_is_refused() -> None:
    naive = Contact(
        id=ContactId("c"),
        tenant=A,
        channel=Channel.CHAT,
        ani="x",
        access_point="w",
        arrived_at=datetime(2025, 1, 1, 12, 0),
    )
    with pytest.raises(ValidationError) as raised:
        dump(naive)
    assert raised.value.code == "storage.naive_datetime"


def test_a_field_missing_from_stored_json_takes_its_default() -> None:
    stored = dump(_agent())
    del stored["occupancy"], stored["reason"]
    back = load(stored, Agent)
    assert back.occupancy == 0.0
    assert back.reason is None
    assert back.skills == {"billing": 5}
