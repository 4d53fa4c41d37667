"""Users of the tenant (administrators only). Password hashes never leave the service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from frontdesk.domain.ids import AgentId
from frontdesk.services.auth import KEEP, Principal
from frontdesk.web.auth import FrontdeskDep, require
from frontdesk.web.schemas import UserIn, UserOut, UserPatch, many

router = APIRouter(prefix="/users", tags=["users"])
Admin = Annotated[Principal, Depends(require("admin"))]


@router.get("")
async def list_users(principal: Admin, frontdesk: FrontdeskDep) -> list[UserOut]:
    return many(UserOut, await frontdesk.auth.list_users(principal.tenant))


@router.post("", status_code=201)
async def create_user(body: UserIn, principal: Admin, frontdesk: FrontdeskDep) -> UserOut:
    """A new active user; ``agent`` links the agent profile the user works as."""
    user = await frontdesk.auth.create_user(
        principal.tenant,
        body.username,
        body.password,
        body.role,
        name=body.name,
        agent=AgentId(body.agent) if body.agent else None,
        language=body.language,
        actor=principal,
    )
    return UserOut.model_validate(user)


@router.patch("/{user_id}")
async def update_user(
    user_id: str, body: UserPatch, principal: Admin, frontdesk: FrontdeskDep
) -> UserOut:
    """Change the fields given. Deactivating a user ends their sessions at once."""
    agent = AgentId(body.agent) if body.agent else None
    user = await frontdesk.auth.update_user(
        principal.tenant,
        user_id,
        role=body.role,
        name=body.name,
        agent=agent if "agent" in body.model_fields_set else KEEP,
        language=body.language,
        active=body.active,
        password=body.password,
        actor=principal,
    )
    return UserOut.model_validate(user)
