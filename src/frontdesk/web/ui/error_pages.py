"""Problems met while opening a page, shown as pages: sign in first, or an error page."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from frontdesk.web.ui.access import any_viewer
from frontdesk.web.ui.templating import N_, render

TITLES = {
    HTTPStatus.FORBIDDEN.value: N_("You do not have access to this page"),
    HTTPStatus.NOT_FOUND.value: N_("There is nothing here"),
}
GENERIC = N_("Something went wrong")


async def page_error(request: Request, status: int, problem: dict[str, Any]) -> Response:
    """Unauthenticated: to the sign-in page, coming back here after; else the error page
    with the status and the problem's detail."""
    if status == HTTPStatus.UNAUTHORIZED and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)
    viewer = await any_viewer(request)
    title = TITLES.get(status, GENERIC)
    return render(
        request, viewer, "error.html", status=status,
        title=viewer.gettext(title), status_code=status, detail=problem.get("detail", ""),
    )  # fmt: skip
