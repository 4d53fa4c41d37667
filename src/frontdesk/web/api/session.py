"""Signing in and out, and who the caller is."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request, Response

from frontdesk.domain.ids import TenantId
from frontdesk.services.auth import Principal, Unauthenticated
from frontdesk.web.auth import CSRF_HEADER, Caller, FrontdeskDep
from frontdesk.web.schemas import LoginIn, PreferencesIn, SessionOut

router = APIRouter(prefix="/auth", tags=["auth"])
PUBLIC: dict[str, Any] = {"security": []}  # no credentials needed


def session_out(principal: Principal) -> SessionOut:
    return SessionOut(
        user=principal.name,
        user_id=principal.user,
        tenant=principal.tenant,
        role=principal.role,
        kind=principal.kind,
        agent=principal.agent,
        csrf_token=principal.csrf or None,
        language=principal.language,
    )


@router.post("/login", openapi_extra=PUBLIC)
async def login(
    body: LoginIn, request: Request, response: Response, frontdesk: FrontdeskDep
) -> SessionOut:
    """Sign in: sets the session cookie and returns the CSRF token for unsafe requests.

    Failed attempts are limited per username and per client address (429 with
    Retry-After once the limit is reached).
    """
    client = request.client.host if request.client else "unknown"
    auth = frontdesk.auth
    raw, session = await auth.login(TenantId(body.tenant), body.username, body.password, client)
    principal = await auth.session(raw)
    if principal is None:  # deactivated between the two reads
        raise Unauthenticated("the session has ended: sign in again")
    settings = frontdesk.settings
    lifetime = session.expires_at - frontdesk.clock.now()
    response.set_cookie(
        settings.session_cookie,
        raw,
        max_age=int(lifetime.total_seconds()),  # relative: the browser's clock may be off
        path="/",
        secure=settings.secure_cookies,
        httponly=True,
        samesite="lax",
    )
    return session_out(principal)


@router.post("/logout", status_code=204, openapi_extra=PUBLIC)
async def logout(request: Request, response: Response, frontdesk: FrontdeskDep) -> None:
    """End the session and clear its cookie (an ended session is simply cleared)."""
    settings = frontdesk.settings
    raw = request.cookies.get(settings.session_cookie)
    if raw:
        principal = await frontdesk.auth.session(raw)
        if principal is not None:
            frontdesk.auth.check_csrf(principal, request.headers.get(CSRF_HEADER))
            await frontdesk.auth.logout(raw)
    response.delete_cookie(
        settings.session_cookie,
        path="/",
        secure=settings.secure_cookies,
        httponly=True,
        samesite="lax",
    )


@router.get("/me")
async def me(principal: Caller) -> SessionOut:
    """The signed-in user or the API token, with the session's CSRF token."""
    return session_out(principal)


@router.patch("/me")
async def set_preferences(
    body: PreferencesIn, principal: Caller, frontdesk: FrontdeskDep
) -> SessionOut:
    """The signed-in user's own preferences: the UI language (``en`` or ``ru``)."""
    user = await frontdesk.auth.set_language(principal, body.language)
    return session_out(replace(principal, language=user.language))
