"""The page routes, one module per section of the UI."""

from __future__ import annotations

from fastapi import APIRouter

from frontdesk.web.ui.pages import desk, session

PAGE_ROUTERS: tuple[APIRouter, ...] = (session.router, desk.router)
