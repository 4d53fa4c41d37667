"""Past contacts as the live service stores them, for tests that learn from history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from frontdesk.domain.channels import Channel
from frontdesk.domain.contacts import Contact, ContactState
from frontdesk.domain.handling import CrmStatus, Handling, LiveContact
from frontdesk.domain.ids import AgentId, ContactId, CustomerId, QueueId, TenantId
from frontdesk.domain.repositories import Store


def past_contact(
    tenant: TenantId,
    number: int,
    arrived_at: datetime,
    *,
    access_point: str,
    channel: Channel = Channel.VOICE,
    ani: str = "",
    customer: CustomerId | None = None,
    waited: float = 10.0,
    talk: float | None = 180.0,
    wrap_up: float = 15.0,
    abandoned: bool = False,
    digits: Mapping[str, str] | None = None,
    target: str | None = None,
    queue: str = "main",
    agent: str = "anna",
) -> LiveContact:
    """A contact that waited ``waited`` seconds in ``queue`` and then was answered, talked
    ``talk`` seconds and wrapped up — or gave up (``abandoned``)."""
    queued = arrived_at
    left = arrived_at + timedelta(seconds=waited)
    if abandoned or talk is None:
        state = ContactState.ABANDONED
        handling = Handling(
            crm=CrmStatus.FOUND if customer else CrmStatus.NOT_FOUND,
            target=target, scenario_version=1, decided_at=arrived_at, queue=QueueId(queue),
            enqueued_at=queued.timestamp(),
        )  # fmt: skip
        changed = left
    else:
        state = ContactState.CLOSED
        wrapping = left + timedelta(seconds=talk)
        closed = wrapping + timedelta(seconds=wrap_up)
        handling = Handling(
            crm=CrmStatus.FOUND if customer else CrmStatus.NOT_FOUND,
            target=target, scenario_version=1, decided_at=arrived_at, queue=QueueId(queue),
            agent=AgentId(agent), enqueued_at=queued.timestamp(), offered_at=left,
            connected_at=left, wrap_up_at=wrapping, closed_at=closed,
        )  # fmt: skip
        changed = closed
    contact = Contact(
        id=ContactId(f"past-{number}"),
        tenant=tenant,
        channel=channel,
        ani=ani or f"+7916555{number:04d}",
        access_point=access_point,
        arrived_at=arrived_at,
        state=state,
        customer=customer,
        digits=dict(digits or {}),
        state_changed_at=changed,
    )
    return LiveContact(contact, handling)


async def store_history(store: Store, contacts: Iterable[LiveContact]) -> None:
    async with store.transaction() as tx:
        for live in contacts:
            await tx.contacts.add(live)
