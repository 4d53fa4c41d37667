"""What the service commands of ``frontdesk`` do: serve, migrate, check-config, demo,
scenario publish, users create. Parsing stays in :mod:`frontdesk.cli`."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import signal
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import uvicorn

from frontdesk.app.demo import Traffic, load_demo, open_around_the_clock
from frontdesk.app.demo_data import DemoData, generate
from frontdesk.app.demo_voice import SOFTPHONE_NUMBER, set_up_softphones
from frontdesk.app.runtime import Runtime, open_database, password_hasher, server_app
from frontdesk.app.voice import voice_checks, voice_settings
from frontdesk.bus.memory import MemoryBus
from frontdesk.channels.voice.config import VoiceSettings
from frontdesk.config import Settings
from frontdesk.crm.builtin.adapter import BuiltinCrm
from frontdesk.domain.ids import AgentId, TenantId
from frontdesk.domain.users import Role
from frontdesk.routing.scenario import ScenarioError
from frontdesk.services.auth import AuthService
from frontdesk.services.clock import SystemClock
from frontdesk.services.dispatcher import Dispatcher
from frontdesk.services.scenarios import ScenarioService, compile_for
from frontdesk.storage.sql import current_revision, head_revision, migrate, open_store
from frontdesk.web.app import create_app

DEMO_TENANT = TenantId("demo")
#: Demo agents left for people to log in as; robots work as the others.
HUMAN_AGENTS = 2


def serve(settings: Settings) -> int:
    logging.basicConfig(level=settings.log_level.upper())
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    uvicorn.run(
        server_app(settings), host=settings.host, port=settings.port,
        log_level=settings.log_level, ws="websockets-sansio",
    )  # fmt: skip
    return 0


def run_migrate(settings: Settings) -> int:
    asyncio.run(migrate(settings.database))
    print(f"database {settings.redacted_database()} is at revision {head_revision()}")
    return 0


async def _checks(settings: Settings) -> list[tuple[str, bool, str]]:
    results: list[tuple[str, bool, str]] = [("settings", True, "read"), *voice_checks(settings)]
    try:
        revision = await current_revision(settings.database)
    except Exception as error:  # any driver error: report it, do not crash
        results.append(("database", False, f"{settings.redacted_database()}: {error}"))
        return results
    results.append(("database", True, settings.redacted_database()))
    head = head_revision()
    if revision == head:
        results.append(("schema", True, f"at revision {head}"))
    else:
        results.append(("schema", False, f"at {revision or 'nothing'}, needs {head}: "
                        "run `frontdesk migrate`"))  # fmt: skip
        return results
    store = await open_store(settings.database)
    try:
        async with store.transaction() as tx:
            tenants = await tx.tenants.all()
            for tenant in tenants:
                published = await tx.scenarios.published(tenant.id)
                if published is None:
                    results.append((f"tenant {tenant.id}", False, "no scenario published"))
                    continue
                try:
                    await compile_for(tx, tenant.id, published.text)
                except ScenarioError as error:
                    results.append((f"tenant {tenant.id}", False, str(error)))
                    continue
                results.append((f"tenant {tenant.id}", True,
                                f"scenario version {published.version} compiles"))  # fmt: skip
    finally:
        await store.close()
    return results


def check_config(settings: Settings) -> int:
    results = asyncio.run(_checks(settings))
    for name, ok, detail in results:
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}")
    return 0 if all(ok for _, ok, _ in results) else 1


def publish_scenario(settings: Settings, tenant: str, text: str, comment: str) -> int:
    """Save and publish in the database; a running server picks the version up."""

    async def run() -> int:
        store = await open_database(settings)
        clock = SystemClock()
        bus = MemoryBus()
        dispatcher = Dispatcher(store, BuiltinCrm(store, clock), bus, clock)
        try:
            await AuthService(store, clock).ensure_tenant(TenantId(tenant), tenant)
            await dispatcher.add_tenant(TenantId(tenant))
            scenarios = ScenarioService(store, dispatcher, clock)
            version = await scenarios.save(TenantId(tenant), text, "cli", comment)
            publication = await scenarios.publish(TenantId(tenant), version.version, "cli")
        finally:
            await dispatcher.stop()
            await store.close()
        print(publication.diff or f"version {version.version} is the first published version")
        print(f"published version {version.version} for tenant {tenant}: {publication.note}")
        return 0

    return asyncio.run(run())


def validate_in_database(settings: Settings, tenant: str, text: str) -> int:
    async def run() -> int:
        store = await open_database(settings)
        try:
            async with store.transaction() as tx:
                plan = await compile_for(tx, TenantId(tenant), text)
        finally:
            await store.close()
        print(f"scenario {plan.name} v{plan.version} is valid for tenant {tenant}")
        return 0

    return asyncio.run(run())


def create_user(
    settings: Settings, tenant: str, username: str, password: str, role: str, agent: str | None
) -> int:
    async def run() -> int:
        store = await open_database(settings)
        try:
            auth = AuthService(store, SystemClock(), hasher=password_hasher(settings))
            await auth.ensure_tenant(TenantId(tenant), tenant)
            user = await auth.create_user(
                TenantId(tenant), username, password, Role(role),
                agent=AgentId(agent) if agent else None, actor="cli",
            )  # fmt: skip
        finally:
            await store.close()
        print(f"user {user.username} ({user.role}) created in tenant {tenant}")
        return 0

    return asyncio.run(run())


def demo(settings: Settings, per_minute: float, seed: int) -> int:
    """Load the demo tenant (first run only), print how to log in, serve with traffic."""
    logging.basicConfig(level=logging.WARNING)
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    settings = dataclasses.replace(settings, tenant=DEMO_TENANT)  # the sign-in page offers it
    runtime = Runtime(settings)
    data = generate(seed, DEMO_TENANT, datetime.now(UTC))
    humans = [a.id for a in data.agents[:HUMAN_AGENTS]]

    async def run() -> None:
        frontdesk = await runtime.start()
        loaded = await load_demo(frontdesk, DEMO_TENANT, data)
        opened = await open_around_the_clock(frontdesk, DEMO_TENANT, frontdesk.clock.now())
        if settings.voice:
            voice = voice_settings(settings)
            await set_up_softphones(frontdesk, DEMO_TENANT, humans, data.password, voice.domain)
        traffic = Traffic(
            frontdesk, DEMO_TENANT, data, random.Random(seed), per_minute,
            robots=frozenset(a.id for a in data.agents[HUMAN_AGENTS:]),
        )  # fmt: skip
        app = create_app(frontdesk)
        config = uvicorn.Config(app, host=settings.host, port=settings.port,
                                log_level="warning", ws="websockets-sansio")  # fmt: skip

        def welcome() -> None:
            _print_welcome(settings, data.password, humans, data, loaded, opened)
            if settings.voice:
                _print_phones(voice_settings(settings), humans)

        server = _Server(config, welcome)
        await traffic.start()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, _stop_once, server, sig)
        try:
            await server.serve()
        finally:
            await traffic.stop()
            await runtime.stop()

    asyncio.run(run())
    return 0


def _stop_once(server: uvicorn.Server, sig: int) -> None:
    """A signal before or after uvicorn serves ends the demo. While it serves, uvicorn's
    own handler has taken the signal already: passing it on again would count as a second
    Ctrl+C, and uvicorn would then cut its shutdown short."""
    if not server.should_exit:
        server.handle_exit(sig, None)


class _Server(uvicorn.Server):
    """uvicorn's server that says so once it listens (the demo's addresses work then)."""

    def __init__(self, config: uvicorn.Config, listening: Callable[[], None]) -> None:
        super().__init__(config)
        self.listening = listening

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self.listening()


def _print_phones(voice: VoiceSettings, humans: list[AgentId]) -> None:
    registrar = f"{voice.host}:{voice.sip_port}"
    print(f"  softphones:   register at {registrar} (UDP), domain {voice.domain},")
    print(f"                user {' or '.join(humans)}, password as above; auto-answer helps")
    number = SOFTPHONE_NUMBER.lstrip("+")
    print(f"  call:         sip:{number}@{registrar} from any other softphone (no login needed)")


def _print_welcome(
    settings: Settings, password: str, humans: list[AgentId], data: DemoData, loaded: bool,
    opened: list[str],
) -> None:  # fmt: skip
    base = f"http://{settings.host}:{settings.port}"
    print(f"Frontdesk demo {'loaded into' if loaded else 'reusing'} {settings.data_dir}")
    print(f"  open:         {base}/   (company: {DEMO_TENANT})")
    print(f"  password:     {password}   (every demo user)")
    print(f"  agents:       {', '.join(humans)}   (the other agents are robots)")
    print(f"  supervisors:  {', '.join(u for u, _ in data.supervisors)}")
    print(f"  admins:       {', '.join(u for u, _ in data.admins)}")
    print(f"  API:          {base}/api/v1   (OpenAPI: {base}/api/openapi.json)")
    print(f"  support hours are open around the clock on {' and '.join(opened)} for the demo")
    print("Contacts arrive every few seconds; Ctrl+C stops.")
