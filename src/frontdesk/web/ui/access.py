"""Who may open a page: the session cookie, and the permission each page asks for.

A page without a valid session answers with a redirect to the sign-in page (which comes
back to the page afterwards); a page the role may not open answers 403 with the error
page. Pages only read: every change goes through the REST API with the session's CSRF
token, so the API's checks are the only ones that guard data.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from frontdesk.services.auth import Principal, Unauthenticated
from frontdesk.web.auth import frontdesk_of
from frontdesk.web.ui.templating import Viewer, viewer_of


async def session_principal(request: Request) -> Principal | None:
    """The signed-in user of the session cookie, or None."""
    frontdesk = frontdesk_of(request.app)
    cookie = request.cookies.get(frontdesk.settings.session_cookie)
    return None if not cookie else await frontdesk.auth.session(cookie)


async def any_viewer(request: Request) -> Viewer:
    """The viewer of a page anyone may open (signed in or not)."""
    return await viewer_of(request, await session_principal(request))


def page(permission: str | None = None) -> Callable[[Request], Awaitable[Viewer]]:
    """A dependency: the signed-in viewer, holding ``permission`` when one is named."""

    async def signed_in(request: Request) -> Viewer:
        principal = await session_principal(request)
        if principal is None:
            raise Unauthenticated("sign in to open this page")
        if permission is not None:
            principal.require(permission)
        return await viewer_of(request, principal)

    return signed_in


AnyViewer = Annotated[Viewer, Depends(any_viewer)]
SignedIn = Annotated[Viewer, Depends(page())]


def signed_in_viewer(viewer: Viewer) -> Principal:
    """The principal of a viewer that ``page`` let in."""
    assert viewer.principal is not None
    return viewer.principal
