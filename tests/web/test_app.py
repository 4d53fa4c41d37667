"""Assembling the application when the services start with the server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from frontdesk.web.app import create_app
from frontdesk.web.container import Frontdesk

from .conftest import MAX_BODY, PASSWORD, assert_problem


async def test_the_services_may_arrive_in_the_servers_lifespan(frontdesk: Frontdesk) -> None:
    started: list[str] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.frontdesk = frontdesk
        started.append("up")
        yield
        started.append("down")

    app = create_app(lifespan=lifespan)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client,
    ):
        answer = await client.post(
            "/api/v1/auth/login", json={"username": "anna", "password": PASSWORD}
        )
        assert answer.status_code == 200
        too_large = await client.post("/api/v1/inbound", content=b"x" * (MAX_BODY + 1))
        assert_problem(too_large, 413, "request.too_large")
        document = (await client.get("/api/openapi.json")).json()
        assert "/api/v1/inbound" in document["paths"]
    assert started == ["up", "down"]
