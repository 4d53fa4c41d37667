"""Domain events: past-tense facts, published only after they are committed.

Each carries its tenant, the time it happened (from the ``Clock`` port) and the
permission a subscriber needs to see it. The event log stores them as
:class:`StoredEvent` — a type name, the contact and agent they concern, and a JSON-ready
payload — and that stored form is what the bus, the realtime streams and the webhooks
carry, so every consumer sees the same ordered, numbered facts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, ClassVar

from frontdesk.domain.agents import AgentState
from frontdesk.domain.channels import Channel
from frontdesk.domain.contacts import ContactState
from frontdesk.domain.ids import AgentId, ContactId, CustomerId, QueueId, TenantId


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    permission: ClassVar[str] = "contacts.read"
    tenant: TenantId
    at: datetime

    @property
    def type(self) -> str:
        """The stable wire name: ``ContactOffered`` -> ``contact.offered``."""
        return _wire_name(type(self).__name__)

    def payload(self) -> dict[str, Any]:
        """The event's own fields as JSON-ready values (tenant and time excluded)."""
        return {
            f.name: _plain(getattr(self, f.name))
            for f in dataclasses.fields(self)
            if f.name not in ("tenant", "at")
        }


def _wire_name(name: str) -> str:
    for index, char in enumerate(name[1:], start=1):
        if char.isupper():
            return f"{name[:index].lower()}.{_snake(name[index:])}"
    return name.lower()


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactArrived(Event):
    contact: ContactId
    channel: Channel
    ani: str
    access_point: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactEnriched(Event):
    """The CRM look-up is done: ``crm`` is found, not_found or unavailable."""

    contact: ContactId
    customer: CustomerId | None
    crm: str


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
    priority: int | None = None  # the priority it waits with in line; None: not queued


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactOffered(Event):
    """An offer rings. It repeats what the agent's desktop shows of the contact, so that
    a view of one agent's work need not follow every contact of the tenant."""

    contact: ContactId
    agent: AgentId
    queue: QueueId | None
    step: int
    explanation: tuple[str, ...]
    timeout: float = 0.0  # seconds the agent has to accept
    channel: str = ""
    ani: str = ""
    customer: CustomerId | None = None
    arrived_at: datetime | None = None
    queued_at: datetime | None = None  # when the contact entered the line it waits in
    consult: bool = False  # the agent is asked to join a contact another agent serves
    priority: int | None = None  # the contact's priority in line


@dataclass(frozen=True, slots=True, kw_only=True)
class OfferDeclined(Event):
    """The agent rejected the offer or let it time out; the contact keeps its place."""

    contact: ContactId
    agent: AgentId
    reason: str  # "rejected" or "no_answer"


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactAccepted(Event):
    contact: ContactId
    agent: AgentId
    waited: float  # seconds from queueing to acceptance


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactWrappedUp(Event):
    contact: ContactId
    agent: AgentId
    disposition: str | None
    note: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactTransferred(Event):
    """A new segment of the same contact: a transfer or a consult to a queue or agent."""

    contact: ContactId
    agent: AgentId | None  # who transferred
    kind: str  # "transfer" or "consult"
    to_queue: QueueId | None
    to_agent: AgentId | None
    segment: int
    priority: int | None = None  # a transfer's priority in its new line; None: a consult


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactCustomerLinked(Event):
    """The contact was found to be ``customer``'s (an agent created or picked the record
    while serving it): it goes into their history when closed."""

    contact: ContactId
    customer: CustomerId
    previous: CustomerId | None  # the customer the contact was linked to before
    agent: AgentId | None  # the agent serving the contact
    by: str  # who linked it: a user name


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactMessage(Event):
    """A message of a text conversation: ``in`` from the customer (delivered by a
    channel or an integration), ``out`` from the agent (for the channel to deliver)."""

    contact: ContactId
    direction: str  # "in" or "out"
    text: str
    author: str  # the agent's user name, or the integration that delivered it
    agent: AgentId | None  # the agent serving the contact, if any


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactPlaceKept(Event):
    """The caller hung up asking to be called back: the contact keeps its place in line,
    and the agent it reaches calls ``number`` back."""

    contact: ContactId
    number: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactRecorded(Event):
    """The call's recording is ready to be listened to (``seconds`` long)."""

    contact: ContactId
    seconds: float


@dataclass(frozen=True, slots=True, kw_only=True)
class CallbackScheduled(Event):
    callback: str
    contact: ContactId | None
    number: str
    due_at: datetime
    agent: AgentId | None
    queue: QueueId | None


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


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerChanged(Event):
    """A customer was created, updated or merged (``merged_into`` set) in the CRM."""

    permission: ClassVar[str] = "customers.read"
    customer: CustomerId
    change: str  # "created", "updated", "merged"
    merged_into: CustomerId | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigurationChanged(Event):
    """A queue, access point, calendar, agent profile ... was created, updated or deleted:
    views built from the configuration should be read again."""

    permission: ClassVar[str] = "queues.read"
    kind: str  # "queues", "agents", ...
    key: str
    change: str  # "created", "updated", "deleted"


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as the log keeps it. ``seq`` grows with every event of the store."""

    seq: int
    tenant: TenantId
    type: str
    at: datetime
    permission: str
    contact: ContactId | None
    agent: AgentId | None
    data: Mapping[str, Any]

    @staticmethod
    def of(event: Event, seq: int = 0) -> StoredEvent:
        data = event.payload()
        return StoredEvent(
            seq=seq,
            tenant=event.tenant,
            type=event.type,
            at=event.at,
            permission=event.permission,
            contact=data.get("contact"),
            agent=data.get("agent"),
            data=data,
        )
