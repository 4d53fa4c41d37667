"""The audit log: who changed what, with the before and after."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime

from frontdesk.domain.repositories import AuditFilter
from frontdesk.services.auth import Principal
from frontdesk.web.auth import FrontdeskDep, require
from frontdesk.web.schemas import AuditOut, many

router = APIRouter(prefix="/audit", tags=["audit"])


def matching(description: str) -> Any:
    """A text filter of the log: an exact value."""
    return Query(min_length=1, max_length=256, description=description)


@router.get("")
async def audit_log(
    principal: Annotated[Principal, Depends(require("audit.read"))],
    frontdesk: FrontdeskDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
    actor: Annotated[str | None, matching('who: a username, "token:<name>", "cli"')] = None,
    kind: Annotated[str | None, matching("what: queues, user, agent, token ...")] = None,
    action: Annotated[str | None, matching("create, update, delete, login ...")] = None,
    key: Annotated[str | None, matching("which one of its kind")] = None,
    since: Annotated[AwareDatetime | None, Query(description="from this time on")] = None,
    until: Annotated[AwareDatetime | None, Query(description="before this time")] = None,
    skip_action: Annotated[
        list[str], Query(description="leave out these actions, e.g. login", max_length=20)
    ] = [],  # noqa: B006 - FastAPI copies defaults per request
) -> list[AuditOut]:
    """Entries newest first; every filter given must match."""
    where = AuditFilter(actor, kind, action, key, since, until, frozenset(skip_action))
    async with frontdesk.store.transaction() as tx:
        entries = await tx.audit.all(principal.tenant, limit=limit, offset=offset, where=where)
    return many(AuditOut, entries)
