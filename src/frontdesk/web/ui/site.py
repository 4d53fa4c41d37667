"""Mounting the UI on the application: the page routes and the static files."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from frontdesk.web.ui.pages import PAGE_ROUTERS

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


class Static(StaticFiles):
    """The scripts, styles and pictures, revalidated on every use (a 304 on loopback is
    cheap, and a new release is never mixed with cached modules of the old one)."""

    async def get_response(self, path: str, scope: Scope):  # type: ignore[no-untyped-def]
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = "no-cache"
        return response


def install(app: FastAPI) -> None:
    """Mount the pages and the static files on ``app``."""
    app.mount("/static", Static(directory=STATIC_DIR), name="static")
    for router in PAGE_ROUTERS:
        app.include_router(router)
