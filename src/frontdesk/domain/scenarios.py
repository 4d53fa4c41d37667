"""Stored scenario versions: drafts are validated on save, one version is published."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from frontdesk.domain.ids import TenantId


@dataclass(frozen=True, slots=True)
class ScenarioVersion:
    tenant: TenantId
    version: int  # 1, 2, ... per tenant
    text: str
    created_at: datetime
    author: str = ""
    comment: str = ""
    published_at: datetime | None = None
