"""A running desk over a real store for service tests: memory or SQLite, a manual clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from frontdesk.bus.memory import MemoryBus, Subscription
from frontdesk.crm.builtin.adapter import BuiltinCrm
from frontdesk.domain.agents import AgentState
from frontdesk.domain.contacts import ContactState
from frontdesk.domain.events import StoredEvent
from frontdesk.domain.handling import LiveContact
from frontdesk.domain.ids import AgentId, ContactId, TenantId
from frontdesk.domain.ports import Crm
from frontdesk.domain.repositories import Store, Tenant
from frontdesk.services.configuration import ConfigurationService
from frontdesk.services.desk import TenantDesk
from frontdesk.services.dispatcher import Dispatcher
from frontdesk.services.intake import Submission
from frontdesk.services.scenarios import ScenarioService
from frontdesk.storage.memory import MemoryStore
from frontdesk.storage.sql import migrate, open_store
from tests.conftest import empty_tables

T = TenantId("acme")
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday, 12:00 in Moscow

SCENARIO = """\
scenario: test
version: 1
rules:
  - name: blacklist
    when: on_list("blacklist", contact.ani)
    reject: {reason: blacklisted}
  - name: callback-line
    when: contact.line == "callback"
    callback: {queue: sales}
  - name: vip
    when: customer.vip
    card: vip-card
    queue: {name: vip, priority: 10}
  - name: menu-line
    when: contact.line == "menu"
    menu: main
  - name: everyone
    queue: {name: sales}
menus:
  main:
    prompt: press-1-or-2
    options:
      "1": {queue: {name: sales}}
      "2": {queue: {name: support}}
    on_fail: {queue: {name: sales}}
"""


class ManualClock:
    def __init__(self, at: datetime = START) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


async def open_backend(backend: str, tmp_path: Path) -> Store:
    """``memory``, ``sqlite`` (a new file) or a PostgreSQL URL (its tables emptied)."""
    if backend == "memory":
        return MemoryStore()
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path}/frontdesk.db"
        await migrate(url)
        return await open_store(url)
    await empty_tables(backend)
    return await open_store(backend)


@dataclass
class Stack:
    store: Store
    clock: ManualClock
    bus: MemoryBus
    crm: Crm
    dispatcher: Dispatcher
    configuration: ConfigurationService
    scenarios: ScenarioService
    events: Subscription
    seen: list[StoredEvent] = field(default_factory=list)

    @property
    def desk(self) -> TenantDesk:
        return self.dispatcher.desk(T)

    async def submit(self, sender: str, point: str = "web-form", **extra: object) -> ContactId:
        live, _ = await self.dispatcher.submit(
            T,
            Submission(access_point=point, sender=sender, **extra),  # type: ignore[arg-type]
        )
        await self.dispatcher.settle()
        return live.contact.id

    async def contact(self, contact: ContactId) -> LiveContact:
        async with self.store.transaction() as tx:
            live = await tx.contacts.get(T, contact)
        assert live is not None
        return live

    async def state(self, contact: ContactId) -> ContactState:
        return (await self.contact(contact)).contact.state

    def offered_to(self, contact: ContactId) -> AgentId | None:
        offer = self.desk.offers.get(contact)
        return offer[0] if offer else None

    async def ready(self, *agents: str) -> None:
        for agent in agents:
            await self.desk.set_agent_state(AgentId(agent), AgentState.READY)

    def drain(self) -> list[StoredEvent]:
        while not self.events.queue.empty():
            event = self.events.queue.get_nowait()
            if event is not None:
                self.seen.append(event)
        return self.seen

    async def restart(self, crm: Crm | None = None) -> Stack:
        """A new dispatcher over the same store, as after a crash of the process."""
        await self.dispatcher.stop()
        dispatcher = Dispatcher(self.store, crm or self.crm, self.bus, self.clock)
        await dispatcher.start(run_timers=False)
        await dispatcher.settle()
        return Stack(
            self.store, self.clock, self.bus, crm or self.crm, dispatcher,
            ConfigurationService(self.store, dispatcher, self.clock),
            ScenarioService(self.store, dispatcher, self.clock), self.events,
        )  # fmt: skip


AGENTS = {
    "anna": {"name": "Anna", "queues": ["sales"], "capacity": {"call": 1, "email": 1}},
    "boris": {"name": "Boris", "queues": ["sales", "support"], "capacity": {"email": 1}},
    "vera": {"name": "Vera", "queues": ["vip", "sales"], "capacity": {"email": 1}},
}


async def build(store: Store, crm: Crm | None = None) -> Stack:
    clock = ManualClock()
    bus = MemoryBus()
    async with store.transaction() as tx:
        await tx.tenants.put(Tenant(T, "Acme"))
    crm = crm or BuiltinCrm(store, clock, publisher=bus)
    dispatcher = Dispatcher(store, crm, bus, clock)
    await dispatcher.start(run_timers=False)
    configuration = ConfigurationService(store, dispatcher, clock)
    scenarios = ScenarioService(store, dispatcher, clock)
    for queue in ("sales", "support", "vip"):
        await configuration.put(T, "queues", queue, {"name": queue.title()}, "test")
    for key, line in (("web-form", "web"), ("cb-form", "callback"), ("menu-form", "menu")):
        await configuration.put(
            T, "access_points", key, {"channel": "webhook", "line": line}, "test"
        )
    await configuration.put(T, "lists", "blacklist", {"values": ["+79990000000"]}, "test")
    await configuration.put(T, "reasons", "break", {"name": {"en": "Break"}}, "test")
    await configuration.put(T, "reasons", "no_answer", {"name": {"en": "No answer"}}, "test")
    await configuration.put(T, "reasons", "rejected", {"name": {"en": "Rejected"}}, "test")
    await configuration.put(T, "dispositions", "sale", {"name": {"en": "Sale"}}, "test")
    await configuration.put(T, "settings", "desk", {"ring_timeout": "15s"}, "test")
    for key, body in AGENTS.items():
        await configuration.put_agent(T, key, body, "test")
    version = await scenarios.save(T, SCENARIO, "test")
    await scenarios.publish(T, version.version, "test")
    return Stack(store, clock, bus, crm, dispatcher, configuration, scenarios, bus.subscribe(T))
