"""The contact: the routable unit of every channel, and its state machine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from frontdesk.domain.channels import MEDIA_OF, Channel, Media
from frontdesk.domain.errors import ConflictError
from frontdesk.domain.ids import AgentId, ContactId, CustomerId, QueueId, TenantId


class ContactState(StrEnum):
    ARRIVED = "arrived"
    ENRICHED = "enriched"
    QUEUED = "queued"
    OFFERED = "offered"
    CONNECTED = "connected"
    WRAP_UP = "wrap_up"
    CLOSED = "closed"
    REJECTED = "rejected"
    ABANDONED = "abandoned"
    SELF_SERVED = "self_served"
    CALLBACK_SCHEDULED = "callback_scheduled"
    TRANSFERRED = "transferred"


S = ContactState

#: Every allowed move. A state missing here as a key is final.
TRANSITIONS: Mapping[ContactState, frozenset[ContactState]] = MappingProxyType(
    {
        S.ARRIVED: frozenset({S.ENRICHED, S.REJECTED, S.ABANDONED}),
        S.ENRICHED: frozenset(
            {S.QUEUED, S.REJECTED, S.SELF_SERVED, S.CALLBACK_SCHEDULED, S.ABANDONED}
        ),
        # Offer timed out or was declined: back to the queue, keeping its place.
        S.QUEUED: frozenset({S.OFFERED, S.ABANDONED, S.CALLBACK_SCHEDULED, S.REJECTED}),
        S.OFFERED: frozenset({S.CONNECTED, S.QUEUED, S.ABANDONED}),
        S.CONNECTED: frozenset({S.WRAP_UP, S.TRANSFERRED, S.CLOSED}),
        # A transfer opens a new segment: the contact waits again for the new target.
        S.TRANSFERRED: frozenset({S.QUEUED, S.OFFERED, S.ABANDONED}),
        S.WRAP_UP: frozenset({S.CLOSED}),
        S.SELF_SERVED: frozenset({S.CLOSED, S.QUEUED}),
        S.CALLBACK_SCHEDULED: frozenset({S.QUEUED, S.CLOSED}),
        S.REJECTED: frozenset({S.CLOSED}),
        S.ABANDONED: frozenset({S.CLOSED}),
    }
)

FINAL_STATES = frozenset(s for s in ContactState if s not in TRANSITIONS)


class SegmentKind(StrEnum):
    INITIAL = "initial"
    TRANSFER = "transfer"
    CONSULT = "consult"


@dataclass(frozen=True, slots=True)
class Segment:
    """One leg of a contact's service: the first, or one opened by a transfer or consult."""

    index: int
    kind: SegmentKind
    started_at: datetime
    queue: QueueId | None = None
    agent: AgentId | None = None
    ended_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class IvrStep:
    """One thing the customer did in self-service: a menu choice, digits, an attempt."""

    menu: str
    input: str = ""
    outcome: str = ""  # "chosen", "collected", "self_service_ok", "self_service_failed", "timeout"


@dataclass(frozen=True, slots=True)
class Contact:
    """A customer contact on any channel, as intake knows it and routing enriches it."""

    id: ContactId
    tenant: TenantId
    channel: Channel
    ani: str  # caller number in E.164 when it parsed, else as given; or sender address
    access_point: str  # DNIS, chat widget, mailbox ...: where the contact was sent to
    arrived_at: datetime
    state: ContactState = ContactState.ARRIVED
    line: str = ""  # the access point's line: sales, support, dealer, direct ...
    channel_data: Mapping[str, str] = field(default_factory=dict)
    ivr_path: tuple[IvrStep, ...] = ()
    digits: Mapping[str, str] = field(default_factory=dict)
    customer: CustomerId | None = None
    category: str | None = None
    priority: int = 0
    language: str | None = None
    segments: tuple[Segment, ...] = ()
    state_changed_at: datetime | None = None

    @property
    def media(self) -> Media:
        return MEDIA_OF[self.channel]

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    def can_move_to(self, target: ContactState) -> bool:
        return target in TRANSITIONS.get(self.state, frozenset())

    def moved_to(self, target: ContactState, at: datetime) -> Contact:
        """The contact in ``target`` state; ConflictError if the table forbids the move."""
        if not self.can_move_to(target):
            raise ConflictError(
                f"contact {self.id} cannot go from {self.state} to {target}",
                code="contact.invalid_transition",
                contact=self.id,
                state=str(self.state),
                target=str(target),
            )
        return replace(self, state=target, state_changed_at=at)

    def with_segment(self, kind: SegmentKind, at: datetime, queue: QueueId | None) -> Contact:
        """Close the open segment (if any) and open a new one."""
        closed = tuple(
            s if s.ended_at is not None else replace(s, ended_at=at) for s in self.segments
        )
        new = Segment(index=len(closed), kind=kind, started_at=at, queue=queue)
        return replace(self, segments=(*closed, new))
