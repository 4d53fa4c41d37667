"""Domain events: past-tense facts, published only after they are committed.

Each carries its tenant, the time it happened (from the ``Clock`` port) and the
permission a subscriber needs to see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from frontdesk.domain.agents import AgentState
from frontdesk.domain.channels import Channel
from frontdesk.domain.contacts import ContactState
from frontdesk.domain.ids import AgentId, ContactId, QueueId, TenantId


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    permission: ClassVar[str] = "contacts.read"
    tenant: TenantId
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactArrived(Event):
    contact: ContactId
    channel: Channel
    ani: str
    access_point: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactStateChanged(Event):
    contact: ContactId
    old: ContactState
    new: ContactState


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactRouted(Event):
    """The scenario decided what to do with the contact; ``explanation`` says why."""

    contact: ContactId
    rule: str
    action: str
    queue: QueueId | None
    explanation: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactOffered(Event):
    contact: ContactId
    agent: AgentId
    queue: QueueId | None
    step: int
    explanation: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueStepAdvanced(Event):
    contact: ContactId
    queue: QueueId | None
    step: int


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentStateChanged(Event):
    permission: ClassVar[str] = "agents.read"
    agent: AgentId
    old: AgentState
    new: AgentState
    reason: str | None = None
