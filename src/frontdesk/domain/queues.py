"""Queues, access points and service-level targets."""

from __future__ import annotations

from dataclasses import dataclass

from frontdesk.domain.channels import Channel
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.ids import DEFAULT_TENANT, AgentId, QueueId, TenantId


@dataclass(frozen=True, slots=True)
class ServiceLevelTarget:
    """``percent`` of contacts answered within ``seconds`` (the classic 80/20)."""

    percent: float = 80.0
    seconds: float = 20.0

    def __post_init__(self) -> None:
        if not 0 < self.percent <= 100 or self.seconds <= 0:
            raise ValidationError(
                f"service level must be 0<percent<=100 within seconds>0, "
                f"got {self.percent}% in {self.seconds}s",
                code="queue.invalid_service_level",
            )


@dataclass(frozen=True, slots=True)
class Queue:
    """A waiting line with its targets. Members are named on the agents."""

    id: QueueId
    name: str = ""
    tenant: TenantId = DEFAULT_TENANT
    service_level: ServiceLevelTarget = ServiceLevelTarget()
    priority: int = 0  # added to every contact's priority in this queue
    aging_per_minute: float = 0.0  # priority points a contact gains per minute of waiting
    max_wait: float | None = None  # seconds; then overflow (or the contact times out)
    max_length: int | None = None
    overflow: QueueId | None = None
    calendar: str | None = None

    def __post_init__(self) -> None:
        if self.max_wait is not None and self.max_wait <= 0:
            raise ValidationError(
                f"queue {self.id}: max_wait must be positive", code="queue.invalid_max_wait"
            )
        if self.max_length is not None and self.max_length < 0:
            raise ValidationError(
                f"queue {self.id}: max_length must not be negative",
                code="queue.invalid_max_length",
            )
        if self.overflow == self.id:
            raise ValidationError(
                f"queue {self.id} overflows into itself", code="queue.overflow_loop"
            )


@dataclass(frozen=True, slots=True)
class AccessPoint:
    """Where contacts arrive: a number, a widget, a mailbox; and what it means."""

    address: str  # E.164 number, widget key, mailbox address ...
    channel: Channel
    tenant: TenantId = DEFAULT_TENANT
    line: str = ""  # sales, support, dealer, direct ...
    agent: AgentId | None = None  # for an employee's direct number
    calendar: str | None = None
