"""Records for the store contract: two tenants, and full records with every field set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from frontdesk.domain.agents import Agent, AgentState, Capacity
from frontdesk.domain.channels import Channel, Media
from frontdesk.domain.contacts import Contact, ContactState, IvrStep, Segment, SegmentKind
from frontdesk.domain.customers import Activity, Customer, Note, Purchase
from frontdesk.domain.events import ContactArrived, ContactStateChanged
from frontdesk.domain.handling import CrmStatus, Handling, LiveContact
from frontdesk.domain.ids import AgentId, ContactId, CustomerId, QueueId, TenantId

A = TenantId("acme")
B = TenantId("globex")
T0 = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
MOSCOW = timezone(timedelta(hours=3))


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def live(
    id: str,
    tenant: TenantId = A,
    *,
    minute: float = 0,
    state: ContactState = ContactState.ARRIVED,
    channel: Channel = Channel.VOICE,
    ani: str = "+74951234567",
    customer: str | None = None,
    agent: str | None = None,
    queue: str | None = None,
    key: str | None = None,
) -> LiveContact:
    return LiveContact(
        Contact(
            id=ContactId(id),
            tenant=tenant,
            channel=channel,
            ani=ani,
            access_point="+74950000000",
            arrived_at=at(minute),
            state=state,
            customer=None if customer is None else CustomerId(customer),
        ),
        Handling(
            agent=None if agent is None else AgentId(agent),
            queue=None if queue is None else QueueId(queue),
            idempotency_key=key,
        ),
    )


def full_live_contact(tenant: TenantId = A) -> LiveContact:
    """A contact in the middle of a transfer, with every field of both parts set."""
    contact = Contact(
        id=ContactId("call-1"),
        tenant=tenant,
        channel=Channel.VOICE,
        ani="+79161234567",
        access_point="+74950000000",
        arrived_at=datetime(2025, 3, 4, 12, 0, 0, 123000, tzinfo=MOSCOW),
        state=ContactState.TRANSFERRED,
        line="support",
        channel_data={"sip_call_id": "abc@pbx", "x-campaign": "весна"},
        ivr_path=(
            IvrStep(menu="main", input="2", outcome="chosen"),
            IvrStep(menu="contract", input="123456", outcome="collected"),
            IvrStep(menu="balance", outcome="self_service_failed"),
        ),
        digits={"contract": "123456"},
        customer=CustomerId("cust-1"),
        category="VIP",
        priority=7,
        language="ru",
        segments=(
            Segment(0, SegmentKind.INITIAL, at(1), QueueId("sales"), AgentId("ann"), at(5)),
            Segment(1, SegmentKind.TRANSFER, at(5), QueueId("billing")),
        ),
        state_changed_at=at(5),
    )
    handling = Handling(
        crm=CrmStatus.FOUND,
        scenario_version=3,
        rule="vip-first",
        decided_at=at(0.5),
        queue=QueueId("billing"),
        agent=AgentId("bob"),
        enqueued_at=1741078800.25,
        seq=42,
        offered_at=at(2),
        connected_at=at(3),
        wrap_up_at=at(8),
        closed_at=at(9),
        greeting="Добрый день!",
        card="vip-card",
        script="vip-script",
        record=True,
        explanation=("rule vip-first: customer.category == 'VIP'", "queue billing, step 1"),
        disposition="resolved",
        note="перезвонить завтра",
        idempotency_key="pbx:abc",
        errors=("crm slow",),
    )
    return LiveContact(contact, handling)


def full_agent(tenant: TenantId = A) -> Agent:
    return Agent(
        id=AgentId("ann"),
        name="Анна Смирнова",
        tenant=tenant,
        skills={"billing": 5, "english": 2},
        languages=frozenset({"ru", "en"}),
        groups=frozenset({"vip-team"}),
        queues=frozenset({QueueId("sales"), QueueId("billing")}),
        capacity=Capacity(
            limits={Media.CALL: 1, Media.CHAT: 3, Media.EMAIL: 0},
            blocks=frozenset({(Media.CALL, Media.CHAT), (Media.CHAT, Media.CALL)}),
        ),
        state=AgentState.NOT_READY,
        reason="lunch",
        state_since=at(10),
        idle_since=datetime(2025, 3, 4, 12, 5, tzinfo=MOSCOW),
        load={Media.CHAT: 2},
        occupancy=0.625,
    )


def customer(
    id: str,
    name: str = "",
    tenant: TenantId = A,
    *,
    company: str = "",
    phones: tuple[str, ...] = (),
    emails: tuple[str, ...] = (),
    messengers: dict[str, str] | None = None,
    merged_into: str | None = None,
) -> Customer:
    return Customer(
        id=CustomerId(id),
        tenant=tenant,
        name=name or id,
        company=company,
        phones=phones,
        emails=emails,
        messenger_ids=messengers or {},
        merged_into=None if merged_into is None else CustomerId(merged_into),
    )


def full_customer(tenant: TenantId = A) -> Customer:
    return Customer(
        id=CustomerId("cust-1"),
        tenant=tenant,
        name="Иван Петров",
        company="ООО «Ромашка»",
        category="VIP",
        status="in-repair",
        manager=AgentId("ann"),
        vip=True,
        blacklisted=False,
        languages=frozenset({"ru", "en"}),
        phones=("+79161234567", "+74957654321"),
        emails=("ivan@romashka.ru",),
        messenger_ids={"telegram": "12345", "whatsapp": "79161234567"},
        fields={"contract": "D-2024-17", "region": "Москва"},
        created_at=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        updated_at=datetime(2025, 3, 4, 12, 0, tzinfo=MOSCOW),
    )


def purchase(id: str, customer: str, minute: float, amount: str = "1999.99") -> Purchase:
    return Purchase(
        id=id,
        customer=CustomerId(customer),
        at=at(minute),
        amount=Decimal(amount),
        currency="RUB",
        description=f"order {id}",
        order_no=f"N-{id}",
    )


def note(id: str, customer: str, minute: float) -> Note:
    return Note(
        id=id,
        customer=CustomerId(customer),
        at=at(minute),
        text=f"note {id}",
        author="ann",
        contact=ContactId("call-1"),
    )


def activity(id: str, customer: str, minute: float) -> Activity:
    return Activity(
        id=id,
        customer=CustomerId(customer),
        at=at(minute),
        channel="voice",
        summary=f"call {id}",
        contact=ContactId("call-1"),
        direction="outbound",
        agent=AgentId("ann"),
        disposition="sale",
    )


def arrived(contact: str, tenant: TenantId = A, minute: float = 0) -> ContactArrived:
    return ContactArrived(
        tenant=tenant,
        at=at(minute),
        contact=ContactId(contact),
        channel=Channel.CHAT,
        ani="+79161234567",
        access_point="widget",
    )


def queued(contact: str, tenant: TenantId = A, minute: float = 1) -> ContactStateChanged:
    return ContactStateChanged(
        tenant=tenant,
        at=at(minute),
        contact=ContactId(contact),
        old=ContactState.ENRICHED,
        new=ContactState.QUEUED,
    )
