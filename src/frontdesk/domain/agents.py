"""Agents: who can serve what, how much at once, and in which state they are."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from frontdesk.domain.channels import Media
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.ids import DEFAULT_TENANT, AgentId, QueueId, TenantId

MIN_PROFICIENCY = 1
MAX_PROFICIENCY = 5


class AgentState(StrEnum):
    LOGGED_OUT = "logged_out"
    READY = "ready"
    NOT_READY = "not_ready"  # with a reason code
    RESERVED = "reserved"  # an offer is ringing
    BUSY = "busy"
    WRAP_UP = "wrap_up"


#: States in which an agent may be offered more work, capacity permitting.
ROUTABLE_STATES = frozenset({AgentState.READY, AgentState.BUSY, AgentState.RESERVED})


@dataclass(frozen=True, slots=True)
class Capacity:
    """How many contacts of each media an agent takes at once, and what excludes what.

    ``blocks`` holds pairs ``(busy, blocked)``: while the agent has any ``busy`` work, no
    ``blocked`` work is offered ("a call blocks chats" is ``(CALL, CHAT)``).
    """

    limits: Mapping[Media, int] = field(default_factory=lambda: {Media.CALL: 1})
    blocks: frozenset[tuple[Media, Media]] = frozenset()

    def __post_init__(self) -> None:
        for media, limit in self.limits.items():
            if limit < 0:
                raise ValidationError(
                    f"capacity for {media} must not be negative, got {limit}",
                    code="agent.invalid_capacity",
                )

    def accepts(self, load: Mapping[Media, int], media: Media) -> bool:
        if load.get(media, 0) >= self.limits.get(media, 0):
            return False
        return not any(blocked == media and load.get(busy, 0) > 0 for busy, blocked in self.blocks)


CALL_ONLY = Capacity()


@dataclass(frozen=True, slots=True)
class Agent:
    """An agent's profile and live state, as routing sees it."""

    id: AgentId
    name: str = ""
    tenant: TenantId = DEFAULT_TENANT
    skills: Mapping[str, int] = field(default_factory=dict)  # skill -> proficiency 1..5
    languages: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    queues: frozenset[QueueId] = frozenset()
    capacity: Capacity = CALL_ONLY
    state: AgentState = AgentState.LOGGED_OUT
    reason: str | None = None  # the not-ready reason code
    state_since: datetime | None = None
    idle_since: datetime | None = None  # when the agent last had no work at all
    load: Mapping[Media, int] = field(default_factory=dict)
    occupancy: float = 0.0  # share of logged-in time spent on contacts, today

    def __post_init__(self) -> None:
        for skill, level in self.skills.items():
            if not MIN_PROFICIENCY <= level <= MAX_PROFICIENCY:
                raise ValidationError(
                    f"agent {self.id}: proficiency of skill {skill!r} must be "
                    f"{MIN_PROFICIENCY}..{MAX_PROFICIENCY}, got {level}",
                    code="agent.invalid_proficiency",
                )

    def can_take(self, media: Media) -> bool:
        return self.state in ROUTABLE_STATES and self.capacity.accepts(self.load, media)
