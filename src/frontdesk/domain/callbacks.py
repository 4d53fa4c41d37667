"""Scheduled callbacks: a promise to call a customer back, for one agent or for anyone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from frontdesk.domain.ids import AgentId, ContactId, CustomerId, QueueId, TenantId


class CallbackState(StrEnum):
    PENDING = "pending"
    DONE = "done"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Callback:
    id: str
    tenant: TenantId
    number: str  # E.164 when it parsed
    due_at: datetime
    created_at: datetime
    contact: ContactId | None = None  # the contact it came from
    customer: CustomerId | None = None
    agent: AgentId | None = None  # None: anyone in ``queue``
    queue: QueueId | None = None
    note: str = ""
    state: CallbackState = CallbackState.PENDING
    created_by: str = ""
