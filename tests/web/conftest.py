"""A Frontdesk over the in-memory store, its web app, and signed-in clients.

Tenant ``default`` has a queue ``main``, a voice number and a chat widget, the agents
anna and boris (both in ``main``) and a published one-queue scenario; its users are
admin, sofia (supervisor), anna and boris (agents) and olga (an agent role without an
agent profile). Tenant ``globex`` has its own admin, gina, and nothing else.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI

from frontdesk.app.runtime import assemble
from frontdesk.domain.ids import AgentId, TenantId
from frontdesk.domain.repositories import ContactFilter
from frontdesk.domain.users import Role
from frontdesk.sim.clock import SimClock
from frontdesk.storage.memory import MemoryStore
from frontdesk.web.app import create_app
from frontdesk.web.container import Frontdesk, WebSettings

CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
ACME = TenantId("default")
GLOBEX = TenantId("globex")
PASSWORD = "correct horse battery"
MAX_BODY = 64 * 1024
VOICE = "+74951234567"
CHAT = "chat-widget"
ONE_QUEUE = """\
scenario: test
version: 1
rules:
  - queue: main
"""
Session = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def frontdesk() -> AsyncIterator[Frontdesk]:
    store = MemoryStore()
    clock = SimClock(datetime(2025, 3, 4, 9, tzinfo=UTC))
    built = assemble(store, clock, CHEAP, WebSettings(max_body=MAX_BODY))
    await built.auth.ensure_tenant(ACME, "Acme")
    await built.auth.ensure_tenant(GLOBEX, "Globex")
    await built.dispatcher.start(run_timers=False)
    await _seed(built)
    yield built
    await built.dispatcher.stop()


async def _seed(frontdesk: Frontdesk) -> None:
    config, auth = frontdesk.configuration, frontdesk.auth
    await config.put(ACME, "queues", "main", {"name": "Main"}, "cli")
    await config.put(ACME, "access_points", VOICE, {"channel": "voice", "line": "sales"}, "cli")
    await config.put(ACME, "access_points", CHAT, {"channel": "chat"}, "cli")
    await config.put(ACME, "dispositions", "sale", {"name": {"en": "Sale"}}, "cli")
    await config.put(ACME, "reasons", "break", {"name": {"en": "Break"}}, "cli")
    for agent in ("anna", "boris"):
        await config.put_agent(ACME, agent, {"name": agent.title(), "queues": ["main"]}, "cli")
    version = await frontdesk.scenarios.save(ACME, ONE_QUEUE, "cli")
    await frontdesk.scenarios.publish(ACME, version.version, "cli")
    users: list[tuple[str, Role, str | None]] = [
        ("admin", Role.ADMIN, None),
        ("sofia", Role.SUPERVISOR, None),
        ("anna", Role.AGENT, "anna"),
        ("boris", Role.AGENT, "boris"),
        ("olga", Role.AGENT, None),
    ]
    for username, role, profile in users:
        await auth.create_user(
            ACME,
            username,
            PASSWORD,
            role,
            agent=AgentId(profile) if profile else None,
            actor="cli",
        )
    await auth.create_user(GLOBEX, "gina", PASSWORD, Role.ADMIN, actor="cli")


@pytest.fixture
def app(frontdesk: Frontdesk) -> FastAPI:
    return create_app(frontdesk)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client without credentials."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="http://testserver"
    ) as anonymous:
        yield anonymous


@pytest.fixture
async def session(app: FastAPI) -> AsyncIterator[Session]:
    """``await session("anna")``: a client signed in with a cookie, sending its CSRF token."""
    made: list[httpx.AsyncClient] = []

    async def sign_in(username: str, tenant: str = ACME) -> httpx.AsyncClient:
        signed = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://testserver")
        made.append(signed)
        answer = await signed.post(
            "/api/v1/auth/login",
            json={"tenant": tenant, "username": username, "password": PASSWORD},
        )
        assert answer.status_code == 200, answer.text
        signed.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
        return signed

    yield sign_in
    for signed in made:
        await signed.aclose()


@pytest.fixture
async def admin(session: Session) -> httpx.AsyncClient:
    return await session("admin")


@pytest.fixture
async def sofia(session: Session) -> httpx.AsyncClient:
    return await session("sofia")


@pytest.fixture
async def anna(session: Session) -> httpx.AsyncClient:
    return await session("anna")


@pytest.fixture
async def boris(session: Session) -> httpx.AsyncClient:
    return await session("boris")


@pytest.fixture
async def bearer(app: FastAPI, frontdesk: Frontdesk) -> AsyncIterator[Session]:
    """``await bearer(Role.AGENT)``: a client with a new API token of that role."""
    made: list[httpx.AsyncClient] = []

    async def with_token(role: Role, tenant: TenantId = ACME) -> httpx.AsyncClient:
        raw, _ = await frontdesk.auth.create_token(tenant, f"token-{len(made)}", role, actor="cli")
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app),
            base_url="http://testserver",
            headers={"Authorization": f"Bearer {raw}"},
        )
        made.append(client)
        return client

    yield with_token
    for client in made:
        await client.aclose()


async def contact_count(frontdesk: Frontdesk, tenant: TenantId = ACME) -> int:
    async with frontdesk.store.transaction() as tx:
        return len(await tx.contacts.search(tenant, ContactFilter(limit=100_000)))


async def customer_count(frontdesk: Frontdesk, tenant: TenantId = ACME) -> int:
    async with frontdesk.store.transaction() as tx:
        return len(await tx.customers.all(tenant, limit=100_000))


def assert_problem(answer: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The answer is a problem+json document with this status and code."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = answer.json()
    assert body["type"] == f"https://frontdesk.dev/problems/{code}"
    assert body["code"] == code
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    return body
