"""The realtime streams over WebSocket: the agent desktop and the supervisor wallboard.

``/api/v1/stream/agent`` needs ``agents.self`` and a user with an agent profile; it
shows the events about that agent and the contacts offered to or served by them.
``/api/v1/stream/supervisor`` needs ``supervisor.stream`` and shows every event of the
tenant the caller may read. Credentials: the session cookie (refused from a page of
another origin), or ``?token=<API token>``. The connection is accepted and then closed
with 4401 (no valid credentials), 4403 (not allowed) or 4404 (no such tenant or agent),
so that a browser sees the code.

Messages from the server, all JSON:

* ``{"type": "snapshot", "seq": n, "now": iso, "view": {...}}`` first — the view with
  every event up to seq ``n``, and the server's time (a browser's clock may be off: ring
  countdowns and times in state are measured against it) — and again whenever the
  stream fell behind the bus, and (agent streams) when a consult the agent is asked to
  join changes;
* ``{"type": "event", "event": {seq, type, at, contact, agent, data}, "view": {...}}``
  with the view after the event;
* ``{"type": "offer", "event": ..., "view": ..., "card": {...}}`` in place of the event
  message when a contact is offered to the agent: the card is the screen pop
  (:mod:`frontdesk.web.screen_pop`; ``GET /api/v1/contacts/{id}/card`` reads it again);
* ``{"type": "pong"}`` for the client's ``{"type": "ping"}``; ``{"type": "error",
  "message": ...}`` for anything else the client sends.

The stream subscribes to the bus before it reads the snapshot and skips events the
snapshot already holds, so no event is missed or shown twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import suppress
from typing import Any, Protocol
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.events import StoredEvent
from frontdesk.domain.ids import AgentId, TenantId
from frontdesk.services.auth import Principal
from frontdesk.services.desk import TenantDesk
from frontdesk.services.realtime import (
    AgentView,
    SupervisorView,
    agent_json,
    agent_sees,
    agent_snapshot,
    apply_event,
    needs_snapshot,
    supervisor_json,
    supervisor_snapshot,
)
from frontdesk.web.agent_hub import AgentHub, hub_of
from frontdesk.web.container import Frontdesk
from frontdesk.web.screen_pop import offer_card

log = logging.getLogger(__name__)
router = APIRouter(tags=["realtime"])

UNAUTHENTICATED = 4401
FORBIDDEN = 4403
NOT_FOUND = 4404
SERVER_ERROR = 1011
SERVICE_RESTART = 1012

Send = Callable[[dict[str, Any]], Awaitable[None]]


class _Source(Protocol):
    """Where a stream's events come from: a bus subscription, or an agent hub's inbox."""

    lagged: bool

    def close(self) -> None: ...
    def __aiter__(self) -> AsyncIterator[StoredEvent]: ...


class _Feed(Protocol):
    """What one kind of stream shows: its snapshot, and the message for each event."""

    seq: int

    async def subscribe(self) -> _Source: ...
    async def snapshot(self) -> dict[str, Any]: ...
    async def follow(self, event: StoredEvent) -> dict[str, Any] | None: ...


@router.websocket("/api/v1/stream/agent")
async def agent_stream(websocket: WebSocket) -> None:
    """The caller's agent desktop: state, offers with the screen pop, own contacts."""
    await websocket.accept()
    frontdesk = _frontdesk(websocket)
    principal = await _principal(websocket, frontdesk, "agents.self")
    if principal is None:
        return
    if principal.agent is None:
        await websocket.close(FORBIDDEN, f"{principal.actor} has no agent profile")
        return
    desk = await _desk(websocket, frontdesk, principal.tenant)
    if desk is None:
        return
    if principal.agent not in desk.agents:
        await websocket.close(NOT_FOUND, f"agent {principal.agent} does not exist")
        return
    hubs = _hubs(websocket)
    feed = _AgentFeed(frontdesk, desk, principal, hubs)
    await _serve(websocket, frontdesk, principal.tenant, feed)


@router.websocket("/api/v1/stream/supervisor")
async def supervisor_stream(websocket: WebSocket) -> None:
    """The tenant's wallboard: queues, agents, open contacts, every event."""
    await websocket.accept()
    frontdesk = _frontdesk(websocket)
    principal = await _principal(websocket, frontdesk, "supervisor.stream")
    if principal is None:
        return
    desk = await _desk(websocket, frontdesk, principal.tenant)
    if desk is None:
        return
    feed = _SupervisorFeed(frontdesk, desk, principal)
    await _serve(websocket, frontdesk, principal.tenant, feed)


# --- who is calling ---------------------------------------------------------------------


def _frontdesk(websocket: WebSocket) -> Frontdesk:
    frontdesk = websocket.app.state.frontdesk
    assert isinstance(frontdesk, Frontdesk)
    return frontdesk


async def _principal(
    websocket: WebSocket, frontdesk: Frontdesk, permission: str
) -> Principal | None:
    """The caller holding ``permission``; else the socket is closed and None returned."""
    token = websocket.query_params.get("token")
    cookie = websocket.cookies.get(frontdesk.settings.session_cookie)
    principal = None
    if token:
        principal = await frontdesk.auth.token(token)
    elif cookie:
        # A browser sends the cookie to a socket opened by any page: only our own may use it.
        if not _same_origin(websocket):
            await websocket.close(FORBIDDEN, "the session cookie is not accepted cross-origin")
            return None
        principal = await frontdesk.auth.session(cookie)
    if principal is None:
        await websocket.close(UNAUTHENTICATED, "sign in, or pass an API token as ?token=")
        return None
    if not principal.can(permission):
        await websocket.close(FORBIDDEN, f"{principal.actor} may not do this: needs {permission}")
        return None
    return principal


def _hubs(websocket: WebSocket) -> dict[TenantId, AgentHub]:
    """The application's agent hubs, one per tenant."""
    state = websocket.app.state
    if not hasattr(state, "agent_hubs"):
        state.agent_hubs = {}
    hubs: dict[TenantId, AgentHub] = state.agent_hubs
    return hubs


def _same_origin(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == websocket.headers.get("host")


async def _desk(websocket: WebSocket, frontdesk: Frontdesk, tenant: TenantId) -> TenantDesk | None:
    try:
        return frontdesk.dispatcher.desk(tenant)
    except NotFoundError as error:
        await websocket.close(NOT_FOUND, str(error))
        return None


# --- the stream -------------------------------------------------------------------------


async def _serve(websocket: WebSocket, frontdesk: Frontdesk, tenant: TenantId, feed: _Feed) -> None:
    """Send the feed until the client leaves or the bus closes; answer pings meanwhile."""
    lock = asyncio.Lock()
    ending: list[tuple[int, str]] = []  # how the server ends the stream, if it does

    async def send(message: dict[str, Any]) -> None:
        async with lock:  # the feed and the pongs share the socket
            await websocket.send_json(message)

    async def listen() -> None:
        await _listen(websocket, send)
        streamer.cancel()  # the client left

    async def stream() -> None:
        try:
            await _pump(feed, send)
            ending.append((SERVICE_RESTART, "the server is stopping"))
        except NotFoundError as error:
            ending.append((NOT_FOUND, str(error)))
        except (WebSocketDisconnect, OSError):
            pass  # the client is gone
        except Exception:
            log.exception("realtime stream of tenant %s failed", tenant)
            ending.append((SERVER_ERROR, "the stream failed"))
        finally:
            listener.cancel()

    async with asyncio.TaskGroup() as group:
        listener = group.create_task(listen())
        streamer = group.create_task(stream())
    if ending:
        with suppress(Exception):  # the client may be gone too
            await websocket.close(*ending[0])


async def _pump(feed: _Feed, send: Send) -> None:
    while True:
        subscription = await feed.subscribe()
        try:
            await send(await feed.snapshot())
            async for event in subscription:
                if event.seq <= feed.seq:
                    continue  # already in the snapshot
                message = await feed.follow(event)
                if message is not None:
                    await send(message)
            if not subscription.lagged:
                return
        finally:
            subscription.close()


async def _listen(websocket: WebSocket, send: Send) -> None:
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        try:
            request = json.loads(message.get("text") or message.get("bytes") or "")
        except ValueError:
            request = None
        if isinstance(request, dict) and request.get("type") == "ping":
            await send({"type": "pong"})
        else:
            await send({"type": "error", "message": 'the stream understands {"type": "ping"}'})


class _AgentFeed:
    def __init__(
        self, frontdesk: Frontdesk, desk: TenantDesk, principal: Principal,
        hubs: dict[TenantId, AgentHub],
    ) -> None:  # fmt: skip
        assert principal.agent is not None
        self.frontdesk = frontdesk
        self.desk = desk
        self.agent: AgentId = principal.agent
        self.hubs = hubs
        self.view: AgentView | None = None
        self.seq = 0

    async def subscribe(self) -> _Source:
        hub = await hub_of(self.frontdesk, self.hubs, self.desk.tenant)
        return hub.attach(self.agent)

    async def snapshot(self) -> dict[str, Any]:
        now = self.frontdesk.clock.now()
        view = await agent_snapshot(self.frontdesk.store, self.desk, self.agent, now)
        self.view, self.seq = view, view.seq
        return {"type": "snapshot", "seq": view.seq, "now": now.isoformat(),
                "view": agent_json(view)}  # fmt: skip

    async def follow(self, event: StoredEvent) -> dict[str, Any] | None:
        assert self.view is not None
        before = self.view
        if needs_snapshot(before, event):
            return await self.snapshot()  # a consult the agent joins: read it again
        self.view = apply_event(before, event)
        self.seq = self.view.seq
        if not agent_sees(before, self.view, event):
            return None
        message: dict[str, Any] = {
            "type": "event", "event": event_json(event), "view": agent_json(self.view),
        }  # fmt: skip
        if event.type == "contact.offered" and event.agent == self.agent:
            message["type"] = "offer"
            message["card"] = await offer_card(self.frontdesk, event)
        return message


class _SupervisorFeed:
    def __init__(self, frontdesk: Frontdesk, desk: TenantDesk, principal: Principal) -> None:
        self.frontdesk = frontdesk
        self.desk = desk
        self.principal = principal
        self.view: SupervisorView | None = None
        self.seq = 0

    async def subscribe(self) -> _Source:
        return self.frontdesk.bus.subscribe(self.desk.tenant)

    async def snapshot(self) -> dict[str, Any]:
        now = self.frontdesk.clock.now()
        view = await supervisor_snapshot(self.frontdesk.store, self.desk, now)
        self.view, self.seq = view, view.seq
        return {"type": "snapshot", "seq": view.seq, "now": now.isoformat(),
                "view": supervisor_json(view)}  # fmt: skip

    async def follow(self, event: StoredEvent) -> dict[str, Any] | None:
        assert self.view is not None
        if event.type == "configuration.changed":
            return await self.snapshot()  # queues, targets or agents changed: read again
        self.view = apply_event(self.view, event)
        self.seq = self.view.seq
        if not self.principal.can(event.permission):
            return None
        return {"type": "event", "event": event_json(event), "view": supervisor_json(self.view)}


def event_json(event: StoredEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "type": event.type,
        "at": event.at.isoformat(),
        "contact": event.contact,
        "agent": event.agent,
        "data": dict(event.data),
    }
