"""The page routes, one module per section of the UI."""

from __future__ import annotations

from fastapi import APIRouter

from frontdesk.web.ui.pages import admin, session

PAGE_ROUTERS: tuple[APIRouter, ...] = (session.router, admin.router)
