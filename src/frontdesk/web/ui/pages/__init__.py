"""The page routes, one module per section of the UI."""

from __future__ import annotations

from fastapi import APIRouter

from frontdesk.web.ui.pages import (
    admin,
    contacts,
    customers,
    desk,
    reports,
    scenario,
    session,
    wallboard,
)

PAGE_ROUTERS: tuple[APIRouter, ...] = (
    session.router,
    desk.router,
    customers.router,
    contacts.router,
    wallboard.router,
    reports.router,
    scenario.router,
    admin.router,
)
