"""Signing in, and the way home."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from frontdesk.web.auth import frontdesk_of
from frontdesk.web.ui.access import AnyViewer
from frontdesk.web.ui.templating import home_of, render

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home(viewer: AnyViewer) -> Response:
    """The signed-in user's first section; the sign-in page for anyone else."""
    principal = viewer.principal
    return RedirectResponse(home_of(principal) if principal else "/login", status_code=303)


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, viewer: AnyViewer, next: str = "") -> Response:
    """The sign-in form; it posts to ``/api/v1/auth/login`` and then opens ``next``."""
    principal = viewer.principal
    target = next if _local(next) else ""
    if principal is not None:
        return RedirectResponse(target or home_of(principal), status_code=303)
    tenant = frontdesk_of(request.app).settings.default_tenant
    return render(request, viewer, "login.html", next=target, tenant=tenant)


def _local(target: str) -> bool:
    """Only a path of this site may follow the sign-in (no open redirect)."""
    parts = urlsplit(target)
    return target.startswith("/") and not target.startswith("//") and not parts.netloc
