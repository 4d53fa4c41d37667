"""API tokens for integrations (administrators only); a token is shown once, at creation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from frontdesk.services.auth import Principal
from frontdesk.web.auth import FrontdeskDep, require
from frontdesk.web.schemas import TokenCreated, TokenIn, TokenOut, many

router = APIRouter(prefix="/tokens", tags=["tokens"])
Admin = Annotated[Principal, Depends(require("admin"))]


@router.get("")
async def list_tokens(principal: Admin, frontdesk: FrontdeskDep) -> list[TokenOut]:
    """Every token of the tenant, revoked ones included (without the tokens themselves)."""
    return many(TokenOut, await frontdesk.auth.list_tokens(principal.tenant))


@router.post("", status_code=201)
async def create_token(body: TokenIn, principal: Admin, frontdesk: FrontdeskDep) -> TokenCreated:
    """A new token acting with ``role``; keep ``token``, it cannot be shown again."""
    raw, token = await frontdesk.auth.create_token(
        principal.tenant, body.name, body.role, actor=principal
    )
    return TokenCreated.model_validate(
        {**TokenOut.model_validate(token).model_dump(), "token": raw}
    )


@router.delete("/{token_id}", status_code=204)
async def revoke_token(token_id: str, principal: Admin, frontdesk: FrontdeskDep) -> None:
    """Revoke the token for good."""
    await frontdesk.auth.revoke_token(principal.tenant, token_id, actor=principal)
