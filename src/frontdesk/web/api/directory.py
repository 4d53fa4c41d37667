"""Who is free: the agents and queues to transfer to or consult, live."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from frontdesk.services.auth import Principal
from frontdesk.services.directory import directory
from frontdesk.web.auth import FrontdeskDep, require
from frontdesk.web.schemas import DirectoryOut

router = APIRouter(tags=["agents"])


@router.get("/directory")
async def get_directory(
    principal: Annotated[Principal, Depends(require("agents.self"))], frontdesk: FrontdeskDep
) -> DirectoryOut:
    """Every agent with their state, not-ready reason and free capacity per media (what
    they could be offered now), and every queue with the contacts waiting in it."""
    found = directory(frontdesk.dispatcher.desk(principal.tenant))
    return DirectoryOut.model_validate(found)
