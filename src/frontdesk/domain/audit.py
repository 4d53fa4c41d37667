"""The audit log: who changed what in the configuration, with the before and after."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from frontdesk.domain.ids import TenantId


@dataclass(frozen=True, slots=True)
class AuditEntry:
    tenant: TenantId
    at: datetime
    actor: str  # user name or "token:<name>" or "cli"
    action: str  # "create", "update", "delete", "publish", "login" ...
    kind: str  # "queue", "user", "scenario" ...
    key: str
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    seq: int = 0  # assigned by the log
