"""The web application: the REST API under /api/v1, the realtime streams, the reference,
and the UI's pages.

``create_app`` only assembles; the composition root starts and stops the services.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from frontdesk import __version__
from frontdesk.channels.voice.prompts import MAX_UPLOAD_BYTES
from frontdesk.web import errors, realtime
from frontdesk.web.api import ROUTERS, docs, prompts
from frontdesk.web.auth import frontdesk_of
from frontdesk.web.container import Frontdesk, WebSettings
from frontdesk.web.schemas import Problem
from frontdesk.web.ui import site
from frontdesk.web.ui.error_pages import page_error

API_PREFIX = "/api/v1"
OPENAPI_URL = "/api/openapi.json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEMS: dict[int | str, dict[str, Any]] = {
    "4XX": {
        "description": "Refused: the problem's code says why",
        "content": {errors.PROBLEM_JSON: {"schema": PROBLEM_REF}},
    }
}
TAGS = [
    {
        "name": "auth",
        "description": "Signing in: a session cookie (with a CSRF token) or "
        "an API token as 'Authorization: Bearer <token>'.",
    },
    {"name": "contacts", "description": "Contacts on every channel, from arrival to close."},
    {"name": "agents", "description": "Agent profiles and states."},
    {"name": "scenarios", "description": "Routing scenarios: versions, diffs, publication."},
    {"name": "customers", "description": "The built-in CRM."},
    {"name": "callbacks", "description": "Scheduled callbacks."},
    {"name": "users", "description": "Users of the tenant."},
    {"name": "tokens", "description": "API tokens for integrations."},
    {"name": "audit", "description": "Who changed what."},
]


class FrontdeskApi(FastAPI):
    """FastAPI with an OpenAPI document that knows problem+json and both credentials."""

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            schema = get_openapi(
                title=self.title,
                version=self.version,
                description=self.description,
                routes=self.routes,
                tags=self.openapi_tags,
            )
            components = schema.setdefault("components", {})
            components.setdefault("schemas", {})["Problem"] = Problem.model_json_schema()
            components["securitySchemes"] = {
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": frontdesk_of(self).settings.session_cookie,
                },
                "token": {"type": "http", "scheme": "bearer"},
            }
            schema["security"] = [{"session": []}, {"token": []}]
            self.openapi_schema = schema
        return self.openapi_schema


def body_limit(settings: WebSettings, path: str) -> int:
    """The largest request body at ``path``: ``max_body``, or a prompt recording's size."""
    if path.startswith(API_PREFIX + prompts.PREFIX):
        return max(settings.max_body, MAX_UPLOAD_BYTES)
    return settings.max_body


def create_app(
    frontdesk: Frontdesk | None = None,
    *,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
) -> FastAPI:
    """The ASGI application over ``frontdesk``'s services.

    A server whose services must start in its own event loop passes no ``frontdesk``
    but a ``lifespan`` of its own that starts them and sets ``app.state.frontdesk``
    before the first request; this module starts and stops nothing.
    """
    app = FrontdeskApi(
        title="Frontdesk",
        version=__version__,
        description="Contact center with a built-in CRM. Errors are application/problem+json.",
        openapi_url=OPENAPI_URL,
        openapi_tags=TAGS,
        docs_url=None,  # the default pages load scripts from a CDN; /api/docs is our own
        redoc_url=None,
        lifespan=lifespan,
    )
    if frontdesk is not None:
        app.state.frontdesk = frontdesk
    errors.install(app, lambda path: body_limit(frontdesk_of(app).settings, path), page_error)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX, responses=PROBLEMS)
    app.include_router(docs.router)
    app.include_router(realtime.router)
    site.install(app)
    return app
