"""What the live service knows of a contact beyond routing's view: its treatment and work."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from frontdesk.domain.contacts import Contact
from frontdesk.domain.ids import AgentId, QueueId


class CrmStatus(StrEnum):
    FOUND = "found"
    NOT_FOUND = "not_found"
    UNAVAILABLE = "unavailable"  # the CRM did not answer in time: routed without its data
    PENDING = "pending"


@dataclass(frozen=True, slots=True)
class Handling:
    """The service record of one contact, stored with it.

    ``enqueued_at`` and ``seq`` fix the contact's place in line: after a restart the
    queue is rebuilt in that order. ``decided_at`` is the time the scenario was evaluated,
    so a restart can evaluate it again to the same treatment.
    """

    crm: CrmStatus = CrmStatus.PENDING
    target: str | None = None  # "queue:<id>" or "agent:<id>": routed there, not by scenario
    scenario_version: int | None = None
    rule: str | None = None
    decided_at: datetime | None = None
    queue: QueueId | None = None
    agent: AgentId | None = None  # offered to, or serving
    enqueued_at: float | None = None  # epoch seconds
    seq: int = 0
    priority: int | None = None  # in line: the treatment's priority plus the contact's own
    offered_at: datetime | None = None
    connected_at: datetime | None = None
    wrap_up_at: datetime | None = None
    closed_at: datetime | None = None
    greeting: str | None = None
    card: str | None = None
    script: str | None = None
    record: bool = False
    explanation: tuple[str, ...] = ()
    disposition: str | None = None
    note: str = ""
    idempotency_key: str | None = None
    consult: str | None = None  # an open consult: "queue:<id>" or "agent:<id>"
    consult_agent: AgentId | None = None  # who answered the consult
    recording: str | None = None  # the call's recording: a file of the voice channel
    errors: tuple[str, ...] = field(default_factory=tuple)  # problems met on the way


@dataclass(frozen=True, slots=True)
class LiveContact:
    contact: Contact
    handling: Handling
