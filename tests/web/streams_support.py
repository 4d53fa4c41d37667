"""A Frontdesk behind the realtime router, driven through Starlette's TestClient.

The TestClient runs the application in an event loop of its own; the Frontdesk is built
in that loop (``Site.run``), so the streams and the operations the tests perform share
one loop, one store and one bus.
"""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TypeVar

from argon2 import PasswordHasher
from fastapi import FastAPI
from starlette.exceptions import StarletteDeprecationWarning

from frontdesk.bus.memory import MemoryBus
from frontdesk.crm.builtin.adapter import BuiltinCrm
from frontdesk.domain.customers import CustomerProfile, Identity
from frontdesk.domain.ids import AgentId, ContactId, TenantId
from frontdesk.domain.users import Role
from frontdesk.services.auth import AuthService
from frontdesk.services.configuration import ConfigurationService
from frontdesk.services.desk import TenantDesk
from frontdesk.services.dispatcher import Dispatcher
from frontdesk.services.intake import Submission
from frontdesk.services.previews import PreviewService
from frontdesk.services.scenarios import ScenarioService
from frontdesk.sim.preview import SimulatorPreview
from frontdesk.storage.memory import MemoryStore
from frontdesk.web import realtime
from frontdesk.web.container import Frontdesk

with warnings.catch_warnings():
    # Starlette announces that its TestClient moves from httpx to httpx2; it works as is.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient, WebSocketTestSession

__all__ = ["ANNA", "BORIS", "TENANT", "VOICE", "Site", "TestClient", "WebSocketTestSession"]

T = TypeVar("T")
TENANT = TenantId("default")
ANNA, BORIS = AgentId("anna"), AgentId("boris")
VOICE = "+74951234567"
PASSWORD = "correct horse battery"
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
SCENARIO = """\
scenario: test
version: 1
rules:
  - name: everyone
    card: main-card
    script: hello-script
    queue: main
"""
USERS: list[tuple[str, Role, AgentId | None]] = [
    ("sofia", Role.SUPERVISOR, None), ("anna", Role.AGENT, ANNA),
    ("boris", Role.AGENT, BORIS), ("olga", Role.AGENT, None),
]  # fmt: skip


class ManualClock:
    def __init__(self) -> None:
        self.at = datetime(2026, 11, 23, 9, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


class DownCrm(BuiltinCrm):
    """The built-in CRM whose look-ups fail, as when the CRM is down."""

    async def find(self, tenant: TenantId, identity: Identity) -> CustomerProfile | None:
        raise ConnectionError("the CRM is down")


class Site:
    """``with Site() as site``: the app, its Frontdesk, signed-in credentials."""

    def __init__(self, *, bus_buffer: int = 10_000, crm_down: bool = False) -> None:
        self.app = FastAPI()
        self.app.include_router(realtime.router)
        self.client = TestClient(self.app)
        self.bus_buffer = bus_buffer
        self.crm_down = crm_down

    def __enter__(self) -> Site:
        self.client.__enter__()
        self.frontdesk = self.run(self._build)
        self.app.state.frontdesk = self.frontdesk
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.run(self.frontdesk.dispatcher.stop)
        self.client.__exit__(kind, error, trace)

    def run(self, work: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Run ``work(*args)`` in the application's event loop."""
        portal = self.client.portal
        assert portal is not None
        return portal.call(work, *args)

    async def _build(self) -> Frontdesk:
        store = MemoryStore()
        clock = ManualClock()
        bus = MemoryBus(self.bus_buffer)
        crm = BuiltinCrm(store, clock, publisher=bus)
        routing_crm = DownCrm(store, clock) if self.crm_down else crm
        dispatcher = Dispatcher(store, routing_crm, bus, clock)
        auth = AuthService(store, clock, hasher=CHEAP)
        await auth.ensure_tenant(TENANT, "Acme")
        await dispatcher.start(run_timers=False)
        configuration = ConfigurationService(store, dispatcher, clock)
        scenarios = ScenarioService(store, dispatcher, clock)
        await configuration.put(TENANT, "queues", "main", {"name": "Main"}, "cli")
        await configuration.put(
            TENANT, "access_points", VOICE, {"channel": "voice", "line": "sales"}, "cli"
        )
        await configuration.put(TENANT, "reasons", "break", {"name": {"en": "Break"}}, "cli")
        for key in (ANNA, BORIS):
            body = {"name": key.title(), "queues": ["main"]}
            await configuration.put_agent(TENANT, key, body, "cli")
        version = await scenarios.save(TENANT, SCENARIO, "cli")
        await scenarios.publish(TENANT, version.version, "cli")
        for username, role, agent in USERS:
            await auth.create_user(TENANT, username, PASSWORD, role, agent=agent, actor="cli")
        return Frontdesk(
            store=store, clock=clock, bus=bus, crm=crm, dispatcher=dispatcher, auth=auth,
            scenarios=scenarios, configuration=configuration,
            previews=PreviewService(store, clock, SimulatorPreview()),
        )  # fmt: skip

    @property
    def desk(self) -> TenantDesk:
        return self.frontdesk.dispatcher.desk(TENANT)

    def cookie(self, username: str) -> dict[str, str]:
        """The headers of a browser signed in as ``username``."""

        async def login() -> str:
            raw, _ = await self.frontdesk.auth.login(TENANT, username, PASSWORD, "test")
            return raw

        name = self.frontdesk.settings.session_cookie
        return {"cookie": f"{name}={self.run(login)}"}

    def token(self, role: Role) -> str:
        async def create() -> str:
            raw, _ = await self.frontdesk.auth.create_token(
                TENANT, f"token-{role}", role, actor="cli"
            )
            return raw

        return self.run(create)

    def connect(self, path: str, headers: dict[str, str] | None = None) -> WebSocketTestSession:
        return self.client.websocket_connect(path, headers=headers or {})

    def submit(self, sender: str) -> ContactId:
        """A call from ``sender``, routed (and offered, if someone is free)."""

        async def call() -> ContactId:
            dispatcher = self.frontdesk.dispatcher
            live, _ = await dispatcher.submit(TENANT, Submission(access_point=VOICE, sender=sender))
            await dispatcher.settle()
            return live.contact.id

        return self.run(call)
