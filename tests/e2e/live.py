"""A real Frontdesk server for the browser tests: uvicorn on loopback, the demo tenant on
SQLite, in a thread of this process with its own event loop.

Its clock is the wall clock moved to a working Wednesday morning in Moscow, so the demo
scenario routes the same way whenever the tests run; time goes on at the real pace.
No robots and no traffic: the tests make the contacts.
The demo tenant is loaded once into a template database that each server copies.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import uvicorn
from argon2 import PasswordHasher

from frontdesk.app.commands import DEMO_TENANT
from frontdesk.app.demo import load_demo
from frontdesk.app.demo_data import DemoData, generate
from frontdesk.app.runtime import assemble
from frontdesk.storage.sql import migrate, open_store
from frontdesk.web.app import create_app
from frontdesk.web.container import Frontdesk, WebSettings

#: Wednesday 2 December 2026, 11:00 in Moscow: a working day, inside the demo's hours.
WORKING_MORNING = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
SEED = 2026
DATABASE = "frontdesk.db"
T = TypeVar("T")


class ShiftedClock:
    """The wall clock, moved so that it read ``start`` when it was made."""

    def __init__(self, start: datetime) -> None:
        self.offset = start - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def database_url(folder: Path) -> str:
    return f"sqlite+aiosqlite:///{folder / DATABASE}"


async def load_database(folder: Path, data: DemoData, clock: ShiftedClock) -> None:
    """The demo tenant in a new SQLite database in ``folder``."""
    url = database_url(folder)
    await migrate(url)
    store = await open_store(url)
    try:
        frontdesk = assemble(store, clock, CHEAP)
        await frontdesk.dispatcher.start(run_timers=False)
        await load_demo(frontdesk, DEMO_TENANT, data)
        await frontdesk.dispatcher.stop()
    finally:
        await store.close()


def demo_database(folder: Path) -> tuple[Path, DemoData]:
    """A database with the demo tenant, loaded once and copied for each server (loading
    takes seconds; a copy, milliseconds)."""
    clock = ShiftedClock(WORKING_MORNING)
    data = generate(SEED, DEMO_TENANT, clock.now())
    with ThreadPoolExecutor(1) as thread:  # Playwright's sync API holds this thread's loop
        thread.submit(asyncio.run, load_database(folder, data, clock)).result()
    return folder / DATABASE, data


@dataclass
class LiveServer:
    data_dir: Path
    template: Path
    data: DemoData
    port: int = field(default_factory=free_port)
    clock: ShiftedClock = field(default_factory=lambda: ShiftedClock(WORKING_MORNING))
    frontdesk: Frontdesk = field(init=False)
    _loop: asyncio.AbstractEventLoop = field(init=False)
    _server: uvicorn.Server = field(init=False)
    _thread: threading.Thread = field(init=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        shutil.copyfile(self.template, self.data_dir / DATABASE)
        ready: Future[None] = Future()
        self._thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self._thread.start()
        ready.result(timeout=60)

    def _run(self, ready: Future[None]) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._serve(ready))
        except BaseException as error:
            if not ready.done():
                ready.set_exception(error)
            raise
        finally:
            self._loop.close()

    async def _serve(self, ready: Future[None]) -> None:
        store = await open_store(database_url(self.data_dir))
        web = WebSettings(default_tenant=DEMO_TENANT)
        self.frontdesk = assemble(store, self.clock, CHEAP, web)
        await self.frontdesk.dispatcher.start()
        config = uvicorn.Config(
            create_app(self.frontdesk), host="127.0.0.1", port=self.port,
            log_level="warning", ws="websockets-sansio", lifespan="off",
        )  # fmt: skip
        self._server = uvicorn.Server(config)
        serving = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if serving.done():
                serving.result()  # raises why it could not start
            await asyncio.sleep(0.02)
        ready.set_result(None)
        try:
            await serving
        finally:
            await self.frontdesk.dispatcher.stop()
            self.frontdesk.bus.close()
            await store.close()

    def call(self, work: Callable[[Frontdesk], Coroutine[Any, Any, T]]) -> T:
        """Run ``work`` on the server's services, in its loop, and wait for the result."""
        return asyncio.run_coroutine_threadsafe(work(self.frontdesk), self._loop).result(30)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)


def agent_user(data: DemoData, index: int = 0) -> str:
    """The login of a demo agent (agents sign in with their agent id)."""
    return str(data.agents[index].id)
