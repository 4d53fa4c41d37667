"""API latency benchmark: from a contact's POST to the offer frame on the agent's WebSocket.

Run ``python bench/api.py`` (``--database sqlite|postgresql|both``, ``--agents 1000``,
``--rate 200``, ``--seconds 30``, ``--warmup 5``). It prints its figures and the ratio of
the p99 to the target (25 ms), and writes JSON to ``bench/results/api.json``. The exit
code is 0 whatever the figures: this is a report.

The server
----------
A real ``frontdesk serve`` process on 127.0.0.1, started here on a fresh database with
durable commits: SQLite in a temporary data directory (the embedded default: WAL journal
with ``synchronous=FULL``, so a commit is on disk before it returns), or a new PostgreSQL
database ``frontdesk_bench`` (``synchronous_commit=on``, PostgreSQL's default), dropped
afterwards. Argon2 is made cheap (time cost 1, 8 MiB) only so that 1,000 users can be
created and signed in quickly; no password is checked while measuring.

The set-up, over the API with an administrator's API token: one queue, one chat access
point, a ring timeout of 60 s (no offer rings out during a run), the not-ready reason
``break``, 1,000 CRM customers known by their phone numbers (half the contacts come from
them, so the card look-up finds someone), a scenario that queues every contact with a
screen-pop card, N agents with room for one chat each, N users (role agent, each linked
to its agent) and N sessions (login: session cookie and CSRF token).

The load (this process, one asyncio loop)
-----------------------------------------
* N agent WebSockets on ``/api/v1/stream/agent``, each with its agent's session cookie.
  Every agent goes ready. On an offer frame the agent notes the receive time, waits
  20-100 ms (a person glancing at the card), accepts, keeps the chat 2-4 s, then wraps
  up with ``close: true``, which makes it ready again. At 200 contacts/s about 60 % of
  1,000 agents are busy, so an offer never waits for a free agent: what is measured is
  the service, not the queue.
* A submitter POSTs ``/inbound`` on a fixed schedule (open loop: contact k is due k/rate
  seconds after the start and is sent then, however slowly earlier ones are answered)
  over a few keep-alive connections with an API token, as an integration would.
* A break-taker makes 10 agent state changes a second per 1,000 agents: an idle agent
  goes not ready with reason ``break`` for 1-3 s, then ready again.

Latency of a contact = receive time of its first offer frame − send time of its POST,
both ``time.perf_counter()`` in this process. (An offer first seen in a snapshot, which
the server sends again when a stream fell behind, counts from that snapshot.) Contacts
due during the warm-up are not measured. After the last contact, a drain period (10 s)
waits for answers and late offers. A measured contact without an offer by then, or
whose POST was never answered, counts as missing: infinitely late in the percentiles.
So does a contact not sent at all because 50 POSTs were still unanswered: a server
that far behind has missed the target anyway, and a longer line of waiting requests
would only slow this process down (httpx's pool scans its line on every answer).

Client and server share the machine, so the client's own delays are reported beside the
figures: its CPU share, the lateness of its event loop (a 10 ms ticker), and how late the
submitter sent against its schedule; the server's CPU share is read from /proc. The
server's log is kept as ``bench/results/api-<database>-server.log``. ``--profile`` also
samples the server with py-spy during the measured window (install it with
``.venv/bin/pip install py-spy``), keeps the samples as
``bench/results/api-<database>-profile.txt`` and prints, as shares of the main thread's
samples in which its event loop was not waiting for I/O, the functions with the largest
own time and the Frontdesk and database-driver functions with the largest inclusive time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Coroutine, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

RESULTS = Path(__file__).resolve().parent / "results" / "api.json"
FRONTDESK = str(Path(sys.executable).with_name("frontdesk"))
TARGET_P99_MS = 25.0
PASSWORD = "bench-password-1"
POSTGRES_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
POSTGRES_DATABASE = "frontdesk_bench"
DROP_DATABASE = f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)"
DATABASES = ("sqlite", "postgresql")
CUSTOMERS = 1_000
KNOWN_SENDER_SHARE = 0.5
ACCEPT_DELAY = (0.02, 0.1)  # seconds from the offer frame to the accept POST
HOLD = (2.0, 4.0)  # seconds from the accept to the wrap-up
BREAK = (1.0, 3.0)  # seconds an agent stays on break
STATE_CHANGES_PER_AGENT = 0.01  # per second: 10 a second for 1,000 agents
#: An agent is busy ~3.1 s per contact: with 5 agents per contact/s about 60 % are busy.
AGENTS_PER_CONTACT_PER_SECOND = 5
DRAIN_SECONDS = 10.0  # how long to wait for offers after the last contact
SUBMIT_CONNECTIONS = 4
MAX_POSTING = 50  # unanswered POSTs /inbound before the submitter skips contacts
DESKTOP_CONNECTIONS = 2  # per agent: an accept and a state change may overlap
SETUP_CONCURRENCY = 16
TICK = 0.01  # the loop-lag ticker's period, seconds
SCENARIO = """\
scenario: bench
version: 1
rules:
  - name: everyone
    card: customer-card
    queue: {name: bench}
"""


# --- the server process ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """``frontdesk serve`` on loopback, with its own data directory and database."""

    def __init__(self, data_dir: Path, database_url: str) -> None:
        self.port = free_port()
        self.log = data_dir / "server.log"
        self.env = {
            **os.environ,
            "FRONTDESK_DATA_DIR": str(data_dir),
            "FRONTDESK_DATABASE_URL": database_url,
            "FRONTDESK_PASSWORD": PASSWORD,
            "FRONTDESK_PASSWORD_TIME_COST": "1",
            "FRONTDESK_PASSWORD_MEMORY_KIB": "8192",
            "FRONTDESK_LOG_LEVEL": "warning",
        }
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def command(self, *args: str) -> None:
        done = subprocess.run([FRONTDESK, *args], env=self.env, capture_output=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"frontdesk {' '.join(args)} failed:\n{done.stderr.decode()}")

    async def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [FRONTDESK, "serve", "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        async with httpx.AsyncClient(base_url=self.base, timeout=1) as probe:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"the server exited:\n{self.log.read_text()}")
                with suppress(httpx.TransportError):
                    await probe.get("/api/v1/auth/me")
                    return
                await asyncio.sleep(0.1)
        raise RuntimeError(f"the server did not start:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far (Linux /proc)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def on_postgres(*statements: str) -> None:
    """Run ``statements`` on the PostgreSQL server, outside any transaction."""
    engine = create_async_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


def database_url(database: str) -> str:
    """The server's FRONTDESK_DATABASE_URL: "" is the embedded SQLite default."""
    if database == "postgresql":
        return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + POSTGRES_DATABASE
    return ""


# --- the site, set up over the API ----------------------------------------------------------


@dataclass
class Agent:
    """One agent of the load: its session and what it is doing now."""

    id: str
    cookie: str
    csrf: str
    serving: set[str] = field(default_factory=set)  # contacts offered to or with the agent
    on_break: bool = False

    @property
    def headers(self) -> dict[str, str]:
        return {"Cookie": f"frontdesk_session={self.cookie}", "X-CSRF-Token": self.csrf}


def agent_id(n: int) -> str:
    return f"a{n:05d}"


def customer_phone(n: int) -> str:
    return f"+7916{n:07d}"


def checked(response: httpx.Response) -> Any:
    if not response.is_success:
        raise RuntimeError(
            f"{response.request.method} {response.request.url}: "
            f"{response.status_code} {response.text}"
        )
    return response.json() if response.content else None


async def api_token(base: str, role: str) -> str:
    """A new API token acting with ``role``, made by the administrator."""
    async with httpx.AsyncClient(base_url=f"{base}/api/v1", timeout=30) as login:
        credentials = {"username": "admin", "password": PASSWORD}
        session = checked(await login.post("/auth/login", json=credentials))
        token = checked(
            await login.post(
                "/tokens",
                json={"name": f"bench-{role}", "role": role},
                headers={"X-CSRF-Token": session["csrf_token"]},
            )
        )
    return str(token["token"])


def api_client(base: str, token: str, connections: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=f"{base}/api/v1",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
        limits=httpx.Limits(max_connections=connections),
    )


async def bounded(limit: int, jobs: Sequence[Awaitable[Any]]) -> list[Any]:
    """Await ``jobs`` with at most ``limit`` running at once."""
    gate = asyncio.Semaphore(limit)

    async def one(job: Awaitable[Any]) -> Any:
        async with gate:
            return await job

    return list(await asyncio.gather(*(one(job) for job in jobs)))


async def set_up_site(api: httpx.AsyncClient, agents: int) -> None:
    checked(await api.put("/queues/bench", json={"name": "Bench"}))
    checked(await api.put("/access-points/bench-chat", json={"channel": "chat", "line": "web"}))
    checked(await api.put("/settings/desk", json={"ring_timeout": "60s"}))
    checked(await api.put("/reasons/break", json={"name": {"en": "Break"}}))

    async def customer(n: int) -> None:
        body = {"name": f"Customer {n}", "phones": [customer_phone(n)]}
        checked(await api.post("/customers", json=body))

    await bounded(SETUP_CONCURRENCY, [customer(n) for n in range(CUSTOMERS)])
    version = checked(await api.post("/scenarios", json={"text": SCENARIO}))["version"]
    checked(await api.post(f"/scenarios/{version}/publish"))

    async def agent(n: int) -> None:
        profile = {"name": f"Agent {n}", "queues": ["bench"], "capacity": {"chat": 1}}
        checked(await api.put(f"/agents/{agent_id(n)}", json=profile))
        user = {
            "username": agent_id(n),
            "password": PASSWORD,
            "role": "agent",
            "agent": agent_id(n),
        }
        checked(await api.post("/users", json=user))

    await bounded(SETUP_CONCURRENCY, [agent(n) for n in range(agents)])


async def sign_in_agents(base: str, agents: int) -> list[Agent]:
    async def sign_in(client: httpx.AsyncClient, n: int) -> Agent:
        body = {"username": agent_id(n), "password": PASSWORD}
        response = await client.post("/api/v1/auth/login", json=body)
        session = checked(response)
        return Agent(agent_id(n), response.cookies["frontdesk_session"], session["csrf_token"])

    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        return await bounded(SETUP_CONCURRENCY, [sign_in(client, n) for n in range(agents)])


# --- the load -------------------------------------------------------------------------------


@dataclass
class Tally:
    """What the load saw. Times are ``time.perf_counter()`` seconds in this process."""

    sent: dict[str, float] = field(default_factory=dict)  # contact id → POST sent
    answered: dict[str, float] = field(default_factory=dict)  # contact id → POST answered
    measured: set[str] = field(default_factory=set)  # contacts due after the warm-up
    offered: dict[str, float] = field(default_factory=dict)  # contact id → first offer frame
    due: int = 0  # measured contacts due: sent, answered or not, or not sent
    posting: int = 0  # POSTs sent and not answered yet
    not_sent: int = 0  # measured contacts not sent: too many POSTs unanswered
    http_errors: Counter[str] = field(default_factory=Counter)  # "inbound: 500" → count
    error_details: dict[str, str] = field(default_factory=dict)  # the first of each kind
    accept_refused: int = 0  # accepts answered 409: the offer had gone meanwhile
    frames: int = 0
    snapshots_again: int = 0  # snapshots after the first: the stream fell behind the bus
    offers_in_snapshots: int = 0  # offers first seen in a snapshot, not an offer frame
    connected: int = 0  # agent sockets open now
    disconnected: int = 0  # agent sockets the server closed
    submit_lateness: list[float] = field(default_factory=list)
    loop_lateness: list[float] = field(default_factory=list)

    def refused(self, what: str, response: httpx.Response, *, error: bool = True) -> None:
        """Keep the first problem detail of each kind of refusal (status and problem code:
        "accept: 409 offer.not_found"); count it as an error unless ``error`` is False."""
        try:
            body = response.json()
        except ValueError:
            body = None
        problem = body if isinstance(body, dict) else {}
        key = f"{what}: {response.status_code} {problem.get('code', '')}".rstrip()
        if error:
            self.http_errors[key] += 1
        self.error_details.setdefault(key, str(problem.get("detail", response.text[:200])))

    def first_offer(self, contact: str, at: float) -> None:
        self.offered.setdefault(contact, at)


def offers_in(frame: dict[str, Any]) -> list[str]:
    """The contacts a frame offers to the agent: an offer frame's contact, or the ringing
    offers of a snapshot (sent first, and again whenever the stream fell behind)."""
    kind = frame.get("type")
    if kind == "offer":
        return [str(frame["event"]["contact"])]
    if kind == "snapshot":
        return [str(offer["contact"]) for offer in frame["view"]["offers"]]
    return []


class Load:
    """The agents, the submitter and the break-taker, sharing one tally."""

    def __init__(self, base: str, token: str, agents: list[Agent], seed: int) -> None:
        self.base = base
        self.agents = agents
        self.random = random.Random(seed)
        self.tally = Tally()
        self.tasks: set[asyncio.Task[None]] = set()
        self.sockets: list[ClientConnection] = []
        self.stream = "ws" + base.removeprefix("http") + "/api/v1/stream/agent"
        self.submitter = api_client(base, token, SUBMIT_CONNECTIONS)
        # Each agent's desktop has its own keep-alive connections, as a browser would: one
        # shared pool would make this process scan a long line of waiting requests on
        # every answer whenever the server is slow (httpx's pool does).
        self.desktops = {
            agent.id: httpx.AsyncClient(
                base_url=f"{base}/api/v1",
                headers=agent.headers,
                timeout=30,
                limits=httpx.Limits(max_connections=DESKTOP_CONNECTIONS),
            )
            for agent in agents
        }

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def close(self) -> None:
        for task in tuple(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)
        await self.submitter.aclose()
        await asyncio.gather(*(desktop.aclose() for desktop in self.desktops.values()))

    async def agent_post(
        self, agent: Agent, path: str, body: dict[str, Any], what: str, allowed: int = 200
    ) -> int:
        """POST as the agent; the status code (0 when the request failed on the way).
        Any answer but 200 and ``allowed`` counts as an error of ``what``."""
        try:
            response = await self.desktops[agent.id].post(path, json=body)
        except httpx.HTTPError as error:
            self.tally.http_errors[f"{what}: {type(error).__name__}"] += 1
            return 0
        if response.status_code != 200:
            self.tally.refused(what, response, error=response.status_code != allowed)
        return response.status_code

    # --- agents ---------------------------------------------------------------------------

    async def connect_agents(self) -> None:
        """Open every agent's WebSocket and read its first snapshot; then each agent goes
        ready. An agent counts as connected once its snapshot has come."""

        async def open_one(agent: Agent) -> None:
            try:
                ws = await connect(
                    self.stream,
                    additional_headers={"Cookie": agent.headers["Cookie"]},
                    open_timeout=60,
                    ping_interval=None,
                    max_size=None,
                )
                first = json.loads(await ws.recv())
            except (OSError, WebSocketException, TimeoutError) as error:
                self.tally.http_errors[f"stream: {type(error).__name__}"] += 1
                return
            self.sockets.append(ws)
            if first.get("type") != "snapshot":
                self.tally.http_errors[f"stream: first frame {first.get('type')}"] += 1
                return
            self.tally.connected += 1
            self.spawn(self.listen(agent, ws))

        await bounded(SETUP_CONCURRENCY * 4, [open_one(agent) for agent in self.agents])

        async def ready(agent: Agent) -> None:
            await self.agent_post(agent, f"/agents/{agent.id}/state", {"state": "ready"}, "ready")

        await bounded(SETUP_CONCURRENCY, [ready(agent) for agent in self.agents])

    async def listen(self, agent: Agent, ws: ClientConnection) -> None:
        """Read the agent's frames after the first snapshot; each offer is served by a
        task of its own."""
        try:
            async for message in ws:
                received = time.perf_counter()
                frame = json.loads(message)
                self.tally.frames += 1
                snapshot = frame.get("type") == "snapshot"
                self.tally.snapshots_again += snapshot
                for contact in offers_in(frame):
                    if contact in agent.serving:
                        continue
                    self.tally.offers_in_snapshots += snapshot
                    self.tally.first_offer(contact, received)
                    agent.serving.add(contact)
                    self.spawn(self.serve(agent, contact))
        except WebSocketException:
            pass
        self.tally.connected -= 1
        self.tally.disconnected += 1

    async def serve(self, agent: Agent, contact: str) -> None:
        """Accept after a short look at the card, keep the chat, close it: ready again."""
        try:
            await asyncio.sleep(self.random.uniform(*ACCEPT_DELAY))
            status = await self.agent_post(
                agent, f"/contacts/{contact}/accept", {}, "accept", allowed=409
            )
            if status == 409:  # the offer went meanwhile (say, the agent went on break)
                self.tally.accept_refused += 1
            if status != 200:
                return
            await asyncio.sleep(self.random.uniform(*HOLD))
            await self.agent_post(agent, f"/contacts/{contact}/wrap-up", {"close": True}, "wrap-up")
        finally:
            agent.serving.discard(contact)

    async def take_breaks(self, start: float, until: float) -> None:
        """An idle agent goes on break, then comes back: two state changes each."""
        interval = 2 / (STATE_CHANGES_PER_AGENT * len(self.agents))
        due = start
        while due < until:
            await sleep_until(due)
            idle = [a for a in self.agents if not a.serving and not a.on_break]
            if idle:
                self.spawn(self.one_break(self.random.choice(idle)))
            due += interval

    async def one_break(self, agent: Agent) -> None:
        agent.on_break = True
        path = f"/agents/{agent.id}/state"
        try:
            away = {"state": "not_ready", "reason": "break"}
            await self.agent_post(agent, path, away, "not ready")
            await asyncio.sleep(self.random.uniform(*BREAK))
            await self.agent_post(agent, path, {"state": "ready"}, "ready")
        finally:
            agent.on_break = False

    # --- contacts -------------------------------------------------------------------------

    async def submit_contacts(self, start: float, rate: float, warmup: float, until: float) -> None:
        """POST contact k at ``start + k / rate``, without waiting for earlier answers.

        A contact due while ``MAX_POSTING`` POSTs are still unanswered is not sent: the
        server is that far behind, and a longer line would only make this process slow
        (the connection pool's wait line) and the figures worse for the wrong reason.
        It counts as a contact never offered.
        """
        k = 0
        while (due := start + k / rate) < until:
            await sleep_until(due)
            self.tally.submit_lateness.append(time.perf_counter() - due)
            measured = due >= start + warmup
            if self.tally.posting < MAX_POSTING:
                self.spawn(self.submit_one(k, measured=measured))
            elif measured:
                self.tally.due += 1
                self.tally.not_sent += 1
            k += 1

    async def submit_one(self, k: int, *, measured: bool) -> None:
        if self.random.random() < KNOWN_SENDER_SHARE:
            sender = customer_phone(self.random.randrange(CUSTOMERS))
        else:
            sender = f"+7926{k:07d}"
        body = {"access_point": "bench-chat", "sender": sender}
        if measured:
            self.tally.due += 1
        self.tally.posting += 1
        sent = time.perf_counter()
        try:
            response = await self.submitter.post("/inbound", json=body)
        except httpx.HTTPError as error:
            self.tally.http_errors[f"inbound: {type(error).__name__}"] += 1
            return
        finally:
            self.tally.posting -= 1
        answered = time.perf_counter()
        if response.status_code != 201:
            self.tally.refused("inbound", response)
            return
        contact = str(response.json()["id"])
        self.tally.sent[contact] = sent
        self.tally.answered[contact] = answered
        if measured:
            self.tally.measured.add(contact)

    async def drain(self, limit: float) -> None:
        """Wait for every POST's answer and the measured contacts' offers, at most
        ``limit`` seconds."""
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline:
            tally = self.tally
            if not tally.posting and all(c in tally.offered for c in tally.measured):
                return
            await asyncio.sleep(0.1)

    async def watch_loop(self) -> None:
        """How late this process's event loop runs: a ticker's lateness, forever."""
        while True:
            before = time.perf_counter()
            await asyncio.sleep(TICK)
            self.tally.loop_lateness.append(time.perf_counter() - before - TICK)


async def sleep_until(moment: float) -> None:
    delay = moment - time.perf_counter()
    if delay > 0:
        await asyncio.sleep(delay)


# --- one run --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    databases: tuple[str, ...]
    agents: int
    rate: float
    seconds: float
    warmup: float
    seed: int
    profile: bool


@dataclass
class Window:
    """The measured window: this process's and the server's CPU over it."""

    start: float = 0.0
    end: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    connected: int = 0  # agent sockets open at the start
    closed: int = 0  # agent sockets the server closed by the end of the drain


async def run_on(database: str, options: Options) -> dict[str, Any]:
    """Start a server on a fresh ``database``, set the site up, load it, measure."""
    with tempfile.TemporaryDirectory(prefix="frontdesk-bench-") as data_dir:
        if database == "postgresql":
            await on_postgres(DROP_DATABASE, f"CREATE DATABASE {POSTGRES_DATABASE}")
        server = Server(Path(data_dir), database_url(database))
        try:
            server.command("migrate")
            server.command("users", "create", "admin", "--role", "admin")
            await server.start()
            began = time.perf_counter()
            token = await api_token(server.base, "admin")
            admin = api_client(server.base, token, SETUP_CONCURRENCY)
            async with admin:
                await set_up_site(admin, options.agents)
            agents = await sign_in_agents(server.base, options.agents)
            print(f"  set up {options.agents} agents in {time.perf_counter() - began:.0f} s")
            load = Load(server.base, await api_token(server.base, "agent"), agents, options.seed)
            try:
                await load.connect_agents()
                print(f"  {load.tally.connected} agent sockets connected; loading")
                window, profile = await drive(load, server, options, database)
            finally:
                await load.close()
        finally:
            server.stop()
            if server.log.exists():
                shutil.copyfile(server.log, RESULTS.with_name(f"api-{database}-server.log"))
            if database == "postgresql":
                await on_postgres(DROP_DATABASE)
    return figures(database, options, load.tally, window, profile)


async def drive(
    load: Load, server: Server, options: Options, database: str
) -> tuple[Window, Profile]:
    """Run the submitter and the break-taker; measure after the warm-up; drain."""
    start = time.perf_counter() + 1.0
    measure_from = start + options.warmup
    until = measure_from + options.seconds
    window = Window()
    load.spawn(load.watch_loop())
    load.spawn(load.take_breaks(start, until))
    submitter = asyncio.create_task(
        load.submit_contacts(start, options.rate, options.warmup, until)
    )
    await sleep_until(measure_from)
    load.tally.loop_lateness.clear()
    load.tally.submit_lateness.clear()
    window.start, window.connected = time.perf_counter(), load.tally.connected
    client_cpu, server_cpu = time.process_time(), server.cpu_seconds()
    profiler = None
    if options.profile:
        profiler = await start_profiler(server.pid, options.seconds, database)
    await submitter
    window.end = time.perf_counter()
    window.client_cpu = time.process_time() - client_cpu
    window.server_cpu = server.cpu_seconds() - server_cpu
    await load.drain(DRAIN_SECONDS)
    window.closed = load.tally.disconnected
    profile = await finish_profiler(profiler) if profiler is not None else Profile([], [])
    return window, profile


# --- the profile ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Profiler:
    process: asyncio.subprocess.Process
    output: Path


async def start_profiler(pid: int, seconds: float, database: str) -> Profiler:
    """py-spy sampling the server for ``seconds`` (collapsed stacks, without pausing it)."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    output = RESULTS.with_name(f"api-{database}-profile.txt")
    process = await asyncio.create_subprocess_exec(
        py_spy,
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(round(seconds)),
        "--rate",
        "100",
        "--nonblocking",
        "--format",
        "raw",
        "--output",
        str(output),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    return Profiler(process, output)


@dataclass(frozen=True)
class Profile:
    """Where the server's main thread spent its busy samples: shares by innermost
    function (own time), and by Frontdesk or database-driver function anywhere on the
    stack (inclusive, counted once per sample)."""

    own: list[tuple[str, float]]
    inclusive: list[tuple[str, float]]


async def finish_profiler(profiler: Profiler) -> Profile:
    _, errors = await profiler.process.communicate()
    if profiler.process.returncode != 0 or not profiler.output.exists():
        print(f"  py-spy failed: {errors.decode().strip()}")
        return Profile([], [])
    return read_profile(profiler.output.read_text().splitlines())


#: Stacks of other threads (aiosqlite's worker, the thread pool) start here.
THREAD_START = "Thread._bootstrap (threading.py)"
#: The innermost frame of the event loop waiting for I/O: the main thread is idle.
IDLE = "EpollSelector.select (selectors.py)"
#: Functions listed by inclusive time: ours and the database drivers'.
INCLUSIVE_OF = ("(frontdesk/", "(aiosqlite/", "(asyncpg/", "(sqlalchemy/dialects/")
#: On every stack of the main thread: left out of the inclusive list.
ENTRY_POINTS = ("(frontdesk/cli.py)", "(frontdesk/app/commands.py)")


def read_profile(stacks: list[str], top: int = 20) -> Profile:
    """The largest shares in py-spy raw output (lines of ``frame;...;frame count``, a
    frame being ``name (file:line)``) among the main thread's busy samples."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for line in stacks:
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [re.sub(r":\d+\)$", ")", frame) for frame in stack.split(";")]
        if frames[0] == THREAD_START or frames[-1] == IDLE:
            continue
        own[frames[-1]] += int(count)
        for name in {f for f in frames if any(p in f for p in INCLUSIVE_OF)}:
            if not name.endswith(ENTRY_POINTS):
                inclusive[name] += int(count)
    busy = sum(own.values()) or 1
    return Profile(
        own=[(name, n / busy) for name, n in own.most_common(top)],
        inclusive=[(name, n / busy) for name, n in inclusive.most_common(top)],
    )


# --- the figures ----------------------------------------------------------------------------


def percentile(ordered: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of an ascending sequence (inf for an empty one)."""
    if not ordered:
        return float("inf")
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def milliseconds(value: float) -> float | None:
    """Seconds as milliseconds; None (JSON null) for a contact never offered."""
    return None if value == float("inf") else round(value * 1000, 2)


def figures(
    database: str,
    options: Options,
    tally: Tally,
    window: Window,
    profile: Profile,
) -> dict[str, Any]:
    measured = tally.measured
    offered = sorted(tally.offered[c] - tally.sent[c] for c in measured if c in tally.offered)
    # A contact without an offer (or whose POST was never answered) is slower than any
    # offered one: it stays in the percentiles, as infinitely late.
    latencies = offered + [float("inf")] * (tally.due - len(offered))
    answers = sorted(tally.answered[c] - tally.sent[c] for c in measured)
    lateness = sorted(tally.submit_lateness)
    loop = sorted(tally.loop_lateness)
    seconds = window.end - window.start
    p99 = percentile(latencies, 0.99)
    return {
        "database": database,
        "durability": DURABILITY[database],
        "agents": options.agents,
        "agents_connected": window.connected,
        "sockets_closed": window.closed,
        "rate_target": options.rate,
        "rate_achieved": round(len(measured) / options.seconds, 1),  # contacts stored
        "seconds": round(seconds, 1),
        "warmup": options.warmup,
        "contacts_due": tally.due,
        "contacts_not_sent": tally.not_sent,
        "contacts_stored": len(measured),
        "offers_missing": tally.due - len(offered),
        "offers_in_snapshots": tally.offers_in_snapshots,
        "snapshots_again": tally.snapshots_again,
        "accepts_refused": tally.accept_refused,
        "http_errors": dict(tally.http_errors),
        "http_error_details": tally.error_details,
        "latency_ms": {
            name: milliseconds(percentile(latencies, share))
            for name, share in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("max", 1.0))
        },
        # How late the offers that did come were (telling when many are missing).
        "offered_only_ms": {
            "p50": milliseconds(percentile(offered, 0.5)),
            "p99": milliseconds(percentile(offered, 0.99)),
            "count": len(offered),
        },
        "inbound_answer_ms": {
            "p50": milliseconds(percentile(answers, 0.5)),
            "p99": milliseconds(percentile(answers, 0.99)),
        },
        "client": {
            "cpu_share": round(window.client_cpu / seconds, 2),
            "loop_lateness_p99_ms": milliseconds(percentile(loop, 0.99)),
            "submit_lateness_p99_ms": milliseconds(percentile(lateness, 0.99)),
        },
        "server_cpu_share": round(window.server_cpu / seconds, 2),
        "frames_per_second": round(tally.frames / seconds),
        "target_p99_ms": TARGET_P99_MS,
        "ratio_to_target": None if p99 == float("inf") else round(p99 * 1000 / TARGET_P99_MS, 2),
        "verdict": "PASS" if p99 * 1000 <= TARGET_P99_MS else "MISS",
        "profile": {
            "own_time": [{"function": f, "share": round(share, 3)} for f, share in profile.own],
            "inclusive": [
                {"function": f, "share": round(share, 3)} for f, share in profile.inclusive
            ],
        },
    }


DURABILITY = {
    "sqlite": "SQLite, WAL journal, synchronous=FULL",
    "postgresql": "PostgreSQL, synchronous_commit=on",
}


def shown(value: float | None) -> str:
    return "∞" if value is None else f"{value:.1f}"


def print_figures(result: dict[str, Any]) -> None:
    latency, answer, client = result["latency_ms"], result["inbound_answer_ms"], result["client"]
    print(
        f"  {result['durability']}; agents connected {result['agents_connected']}/"
        f"{result['agents']}, sockets closed by the server {result['sockets_closed']}, "
        f"snapshots sent again {result['snapshots_again']}"
    )
    print(
        f"  contacts: {result['contacts_due']} due, {result['contacts_not_sent']} of them not "
        f"sent ({MAX_POSTING} POSTs unanswered), {result['contacts_stored']} "
        f"answered 201 ({result['rate_achieved']}/s of {result['rate_target']:g}/s), "
        f"offers missing {result['offers_missing']}, "
        f"offers seen only in a snapshot {result['offers_in_snapshots']}"
    )
    errors = ", ".join(f"{k} ×{v}" for k, v in result["http_errors"].items()) or "none"
    print(
        f"  HTTP errors: {errors}; accepts refused with 409 (the offer was gone): "
        f"{result['accepts_refused']}"
    )
    for kind, detail in result["http_error_details"].items():
        print(f"    {kind}: {detail}")
    print(
        "  POST → offer frame, ms: "
        + "  ".join(f"{name} {shown(value)}" for name, value in latency.items())
    )
    came = result["offered_only_ms"]
    if result["offers_missing"] and came["count"]:
        print(
            f"  the {came['count']} offers that came, ms: p50 {shown(came['p50'])}  "
            f"p99 {shown(came['p99'])}"
        )
    print(f"  POST /inbound answered, ms: p50 {shown(answer['p50'])}  p99 {shown(answer['p99'])}")
    print(
        f"  client CPU {client['cpu_share']:.0%}, its loop late by p99 "
        f"{shown(client['loop_lateness_p99_ms'])} ms, submits late by p99 "
        f"{shown(client['submit_lateness_p99_ms'])} ms; server CPU "
        f"{result['server_cpu_share']:.0%}; {result['frames_per_second']} frames/s"
    )
    ratio = result["ratio_to_target"]
    print(
        f"  target p99 ≤ {TARGET_P99_MS:.0f} ms: p99 {shown(latency['p99'])} ms = "
        f"{'∞' if ratio is None else f'{ratio:.2f}'}× the target: {result['verdict']}"
    )
    if result["verdict"] == "MISS":
        print("  THE TARGET IS MISSED.")
    profile = result["profile"]
    titles = (("own time", "own_time"), ("inclusive, ours and the drivers'", "inclusive"))
    for title, key in titles:
        if profile[key]:
            print(f"  server's main thread, share of busy samples, {title}:")
        for entry in profile[key]:
            print(f"    {entry['share']:6.1%}  {entry['function']}")


# --- the command ----------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--database", choices=(*DATABASES, "both"), default="both")
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=200.0, help="contacts per second")
    parser.add_argument("--seconds", type=float, default=30.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before measuring")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--profile", action="store_true", help="sample the server with py-spy while measuring"
    )
    args = parser.parse_args(argv)
    databases = DATABASES if args.database == "both" else (args.database,)
    return Options(
        databases, args.agents, args.rate, args.seconds, args.warmup, args.seed, args.profile
    )


def raise_file_limit(agents: int) -> None:
    """Room for every socket on both ends (the server inherits the limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = max(soft, min(hard, 6 * agents + 256))
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(argv)
    if options.agents < AGENTS_PER_CONTACT_PER_SECOND * options.rate:
        print(
            f"note: fewer than {AGENTS_PER_CONTACT_PER_SECOND} agents per contact/s: offers "
            "will wait for a free agent, and the latency will include that wait"
        )
    raise_file_limit(options.agents)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    command = " ".join(["bench/api.py", *(sys.argv[1:] if argv is None else argv)])
    runs = {}
    for database in options.databases:
        print(
            f"{database}: POST /inbound → offer frame, {options.agents} agents, "
            f"{options.rate:g} contacts/s, {options.seconds:g} s after {options.warmup:g} s"
        )
        runs[database] = asyncio.run(run_on(database, options))
        print_figures(runs[database])
    result = {
        "date": datetime.now(UTC).date().isoformat(),
        "command": command,
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "runs": runs,
    }
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"results written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
