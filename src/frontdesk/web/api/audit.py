"""The audit log: who changed what, with the before and after."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from frontdesk.services.auth import Principal
from frontdesk.web.auth import FrontdeskDep, require
from frontdesk.web.schemas import AuditOut, many

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("")
async def audit_log(
    principal: Annotated[Principal, Depends(require("audit.read"))],
    frontdesk: FrontdeskDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[AuditOut]:
    """Entries newest first."""
    async with frontdesk.store.transaction() as tx:
        entries = await tx.audit.all(principal.tenant, limit=limit, offset=offset)
    return many(AuditOut, entries)
