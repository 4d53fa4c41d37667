"""Authentication at the edge: FastAPI dependencies that find who is calling.

A request carries either ``Authorization: Bearer <API token>`` or the session cookie set
at login. A cookie is sent by the browser on its own, so every unsafe request (anything
but GET, HEAD, OPTIONS) made with it must also echo the session's CSRF token in the
``X-CSRF-Token`` header; a bearer token needs no such proof. Routes then ask for a
permission with ``Depends(require("contacts.read"))``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from starlette.applications import Starlette

from frontdesk.services.auth import Principal, Unauthenticated
from frontdesk.web.container import Frontdesk

CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def frontdesk_of(app: Starlette) -> Frontdesk:
    """The services the application serves from (``app.state.frontdesk``)."""
    frontdesk = app.state.frontdesk
    assert isinstance(frontdesk, Frontdesk)
    return frontdesk


def get_frontdesk(request: Request) -> Frontdesk:
    return frontdesk_of(request.app)


FrontdeskDep = Annotated[Frontdesk, Depends(get_frontdesk)]


async def authenticate(request: Request, frontdesk: FrontdeskDep) -> Principal:
    """The caller; Unauthenticated without valid credentials, Forbidden (``auth.csrf``)
    for an unsafe cookie request without the right CSRF token."""
    auth = frontdesk.auth
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
        principal = await auth.token(raw.strip())
        if principal is None:
            raise Unauthenticated("the API token is unknown or revoked")
        return principal
    cookie = request.cookies.get(frontdesk.settings.session_cookie)
    if not cookie:
        raise Unauthenticated("sign in, or send an API token as 'Authorization: Bearer <token>'")
    principal = await auth.session(cookie)
    if principal is None:
        raise Unauthenticated("the session has ended: sign in again")
    if request.method not in SAFE_METHODS:
        auth.check_csrf(principal, request.headers.get(CSRF_HEADER))
    return principal


Caller = Annotated[Principal, Depends(authenticate)]


def require(permission: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency: the caller, once known to hold ``permission`` (else 403)."""

    async def permitted(principal: Caller) -> Principal:
        principal.require(permission)
        return principal

    return permitted
