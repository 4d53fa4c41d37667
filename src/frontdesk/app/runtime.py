"""The composition root: settings → store → bus → CRM → services → web, and their lifecycle.

This is the only module that knows every concrete class. ``Runtime.start`` opens the
store (migrating the embedded SQLite database when allowed), rebuilds the dispatcher from
it and starts the background workers; ``stop`` ends them in reverse order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field

import httpx
from argon2 import PasswordHasher
from fastapi import FastAPI

from frontdesk.app.voice import voice_settings
from frontdesk.bus.memory import MemoryBus
from frontdesk.channels.voice.adapter import VoiceChannel
from frontdesk.config import Settings
from frontdesk.crm.builtin.adapter import BuiltinCrm
from frontdesk.domain.ids import TenantId
from frontdesk.domain.ports import Clock
from frontdesk.domain.repositories import Store
from frontdesk.services.auth import AuthService
from frontdesk.services.clock import SystemClock
from frontdesk.services.configuration import ConfigurationService
from frontdesk.services.dispatcher import Dispatcher
from frontdesk.services.memory import settle_memory
from frontdesk.services.previews import PreviewService
from frontdesk.services.scenarios import ScenarioService
from frontdesk.services.webhooks import WebhookService
from frontdesk.sim.preview import SimulatorPreview
from frontdesk.storage.sql import migrate, open_store
from frontdesk.web.app import create_app
from frontdesk.web.container import Frontdesk, SipService, WebSettings

log = logging.getLogger(__name__)


def password_hasher(settings: Settings) -> PasswordHasher:
    return PasswordHasher(
        time_cost=settings.password_time_cost, memory_cost=settings.password_memory_kib
    )


def assemble(
    store: Store, clock: Clock, hasher: PasswordHasher | None = None,
    web: WebSettings | None = None,
) -> Frontdesk:  # fmt: skip
    """Every service over ``store``; the dispatcher is not started yet."""
    bus = MemoryBus()
    crm = BuiltinCrm(store, clock, publisher=bus)
    dispatcher = Dispatcher(store, crm, bus, clock)
    return Frontdesk(
        store=store,
        clock=clock,
        bus=bus,
        crm=crm,
        dispatcher=dispatcher,
        auth=AuthService(store, clock, hasher=hasher),
        scenarios=ScenarioService(store, dispatcher, clock),
        configuration=ConfigurationService(store, dispatcher, clock),
        previews=PreviewService(store, clock, SimulatorPreview()),
        settings=web or WebSettings(),
    )


async def open_database(settings: Settings) -> Store:
    url = settings.database
    if settings.auto_migrate:
        await migrate(url)
    return await open_store(url)


@dataclass
class Runtime:
    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    frontdesk: Frontdesk | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _http: httpx.AsyncClient | None = None
    voice: VoiceChannel | None = None

    async def start(self) -> Frontdesk:
        store = await open_database(self.settings)
        voice = voice_settings(self.settings) if self.settings.voice else None
        web = WebSettings(
            max_body=self.settings.max_body,
            secure_cookies=self.settings.secure_cookies,
            default_tenant=self.settings.tenant,
            recordings=str(voice.recordings_dir) if voice else None,
            prompts=str(voice.prompts_dir) if voice else None,
            sip=SipService(voice.domain, f"{voice.host}:{voice.sip_port}") if voice else None,
            click_to_call=voice is not None and voice.trunk is not None,
        )
        frontdesk = assemble(store, self.clock, password_hasher(self.settings), web)
        self.frontdesk = frontdesk
        tenant = TenantId(self.settings.tenant)
        await frontdesk.auth.ensure_tenant(tenant, self.settings.tenant)
        await frontdesk.dispatcher.start()
        self._http = httpx.AsyncClient(timeout=10.0)
        webhooks = WebhookService(frontdesk.store, frontdesk.clock, self._http)
        self._tasks.append(
            asyncio.create_task(webhooks.run(frontdesk.bus), name="frontdesk-webhooks")
        )
        if self.settings.voice:
            self.voice = VoiceChannel(
                voice_settings(self.settings), frontdesk.dispatcher, frontdesk.store,
                frontdesk.bus, daemons=self.settings.voice_daemons,
            )  # fmt: skip
            await self.voice.start()
        settle_memory()
        return frontdesk

    async def stop(self) -> None:
        if self.voice is not None:
            await self.voice.stop()
            self.voice = None
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self.frontdesk is not None:
            await self.frontdesk.dispatcher.stop()
            self.frontdesk.bus.close()
            await self.frontdesk.store.close()
        if self._http is not None:
            await self._http.aclose()


def server_app(settings: Settings) -> FastAPI:
    """The ASGI application ``frontdesk serve`` runs: services start with the server."""
    runtime = Runtime(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        frontdesk = await runtime.start()
        app.state.frontdesk = frontdesk
        app.state.runtime = runtime
        try:
            yield
        finally:
            await runtime.stop()

    return create_app(None, lifespan=lifespan)
