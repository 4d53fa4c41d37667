"""A contact center with the voice channel for end-to-end call tests, all on loopback.

One tenant on SQLite, its scenario (blacklist, after hours, VIP, a menu), and the voice
channel with real rtpengine and Kamailio on free ports. Callers are sipp processes
(:mod:`tests.channels.voice.callers`), agents baresip phones.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from frontdesk.app.runtime import assemble
from frontdesk.channels.voice.adapter import VoiceChannel
from frontdesk.channels.voice.config import VoiceSettings
from frontdesk.channels.voice.kamailio import ha1
from frontdesk.domain.agents import AgentState
from frontdesk.domain.contacts import ContactState
from frontdesk.domain.customers import Customer
from frontdesk.domain.events import StoredEvent
from frontdesk.domain.handling import LiveContact
from frontdesk.domain.ids import AgentId, ContactId, CustomerId, TenantId
from frontdesk.domain.repositories import ContactFilter
from frontdesk.storage.sql import migrate, open_store
from frontdesk.web.container import Frontdesk
from tests.channels.voice.baresip import Baresip
from tests.channels.voice.callers import Action, CallResult, place_call
from tests.channels.voice.ports import free_media_port, free_port, free_range

T = TenantId("acme")
NUMBER = "+74951230000"  # the company's number: the trunk sends it as the Request-URI user
#: Wednesday 2 December 2026, 11:00 in Moscow: open.
OPEN = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
VIP_NUMBER = "+79161112233"
BLACKLISTED = "+79990000000"
CONTRACT = "123456"  # the contract number of customer holder-1
PASSWORD = "phone-secret-1"

SCENARIO = """\
scenario: voice-test
version: 1
timezone: Europe/Moscow
calendar: office
rules:
  - name: blacklist
    when: on_list("blacklist", contact.ani)
    reject: {reason: blacklisted, announcement: sorry-we-cannot-take-your-call}
  - name: closed
    when: '!in_hours("office")'
    greeting: we-are-closed
    callback: {queue: sales, announcement: we-will-call-you-back}
  - name: vip
    when: customer.category == "VIP"
    record: true
    queue: {name: vip, priority: 10}
  - name: everyone
    greeting: welcome
    menu: main
menus:
  main:
    prompt: press-1-for-sales-2-for-support
    timeout: 3s
    retries: 1
    options:
      "1": {queue: sales}
      "2": {queue: support}
      "3": {queue: {name: support, callback_offer: {when: "true"}}}
      "4": {menu: contract}
    on_fail: {queue: sales}
  contract:
    prompt: key-in-your-contract-number
    timeout: 3s
    retries: 1
    collect: {digits: "6", lookup: contract}
    then: {queue: support}
    on_fail: {queue: sales}
"""

AGENTS = {
    "anna": {"name": "Anna", "queues": ["sales", "support"]},
    "boris": {"name": "Boris", "queues": ["sales", "support"]},
    "vera": {"name": "Vera", "queues": ["vip"]},
}


class MovableClock:
    """The wall clock, moved to a chosen moment (and moved again by tests)."""

    def __init__(self, start: datetime) -> None:
        self.offset = start - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def move_to(self, moment: datetime) -> None:
        self.offset = moment - datetime.now(UTC)


@dataclass
class VoiceStack:
    folder: Path
    frontdesk: Frontdesk
    clock: MovableClock
    voice: VoiceChannel
    settings: VoiceSettings
    phones: list[Baresip] = field(default_factory=list)
    _calls: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def sip(self) -> tuple[str, int]:
        """Where trunks send calls: Kamailio."""
        return (self.settings.host, self.settings.sip_port)

    async def call(
        self, actions: list[Action], *, ani: str = "+79161234567", dnis: str = NUMBER,
        hang_up: bool = True, to: tuple[str, int] | None = None, media_port: int | None = None,
    ) -> CallResult:  # fmt: skip
        """One sipp call; returns when sipp has finished."""
        return await place_call(
            to or self.sip, dnis, ani, actions, self.folder / f"call{next(self._calls)}",
            sip_port=free_port(), media_port=media_port or free_media_port(), hang_up=hang_up,
        )  # fmt: skip

    async def contacts(
        self, ani: str | None = None, channel: str | None = None
    ) -> list[LiveContact]:
        """The tenant's contacts (of a channel), newest first."""
        async with self.frontdesk.store.transaction() as tx:
            return await tx.contacts.search(T, ContactFilter(ani=ani, channel=channel))

    async def last(self, ani: str, channel: str = "voice") -> LiveContact:
        """The latest call from ``ani`` (of ``channel``)."""
        found = await self.contacts(ani, channel)
        assert found, f"no contact from {ani}"
        return found[0]

    async def wait_for(
        self, check: Callable[[], object], timeout: float = 15.0, what: str = "a condition"
    ) -> None:
        """Poll ``check`` (sync or async) until it is true."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = check()
            if asyncio.iscoroutine(result):
                result = await result
            if result:
                return
            if loop.time() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            await asyncio.sleep(0.05)

    async def events(self, contact: ContactId) -> list[StoredEvent]:
        async with self.frontdesk.store.transaction() as tx:
            return await tx.events.for_contact(T, contact)

    async def state(self, contact: ContactId) -> ContactState:
        async with self.frontdesk.store.transaction() as tx:
            live = await tx.contacts.get(T, contact)
        assert live is not None
        return live.contact.state

    async def ready(self, *agents: str) -> None:
        desk = self.frontdesk.dispatcher.desk(T)
        for agent in agents:
            await desk.set_agent_state(AgentId(agent), AgentState.READY)

    async def phone(
        self, agent: str, *, auto_answer: bool = True, audio: Path | None = None
    ) -> Baresip:
        """``agent``'s softphone, registered with Kamailio with the agent's login."""
        phone = Baresip(
            self.folder / f"phone-{agent}-{next(self._calls)}", username=agent,
            password=PASSWORD, domain=self.settings.domain, registrar=self.sip,
            auto_answer=auto_answer, audio=audio,
        )  # fmt: skip
        await phone.start()
        self.phones.append(phone)
        return phone

    async def away(self, *agents: str) -> None:
        """Set ``agents`` not ready (on a break), so that no call goes to them."""
        desk = self.frontdesk.dispatcher.desk(T)
        for agent in agents:
            await desk.set_agent_state(AgentId(agent), AgentState.NOT_READY, "break")

    def agent_state(self, agent: str) -> AgentState:
        return self.frontdesk.dispatcher.desk(T).agents[AgentId(agent)].state


async def start_stack(folder: Path) -> VoiceStack:
    url = f"sqlite+aiosqlite:///{folder / 'frontdesk.db'}"
    await migrate(url)
    store = await open_store(url)
    clock = MovableClock(OPEN)
    frontdesk = assemble(store, clock)
    await frontdesk.auth.ensure_tenant(T, "Acme")
    config = frontdesk.configuration
    await config.put(
        T, "calendars", "office",
        {"timezone": "Europe/Moscow", "hours": {"mon-fri": "09:00-18:00"}}, "test",
    )  # fmt: skip
    for queue in ("sales", "support", "vip"):
        await config.put(T, "queues", queue, {"name": queue.title()}, "test")
    await config.put(T, "access_points", NUMBER, {"channel": "voice", "line": "main"}, "test")
    await config.put(T, "lists", "blacklist", {"values": [BLACKLISTED]}, "test")
    await config.put(T, "settings", "desk", {"ring_timeout": "6s"}, "test")
    for reason in ("no_answer", "rejected", "unreachable", "break"):
        await config.put(T, "reasons", reason, {"name": {"en": reason}}, "test")
    await config.put(
        T, "prompts", "welcome", {"text": {"en": "Welcome to Acme.", "ru": "Здравствуйте."}},
        "test",
    )  # fmt: skip
    for key, body in AGENTS.items():
        await config.put_agent(T, key, body, "test")
    version = await frontdesk.scenarios.save(T, SCENARIO, "test")
    await frontdesk.scenarios.publish(T, version.version, "test")
    await frontdesk.crm.upsert(Customer(
        id=CustomerId("vip-1"), tenant=T, name="Very Important", category="VIP",
        phones=(VIP_NUMBER,),
    ))  # fmt: skip
    await frontdesk.crm.upsert(Customer(
        id=CustomerId("holder-1"), tenant=T, name="Contract Holder", fields={"contract": CONTRACT},
    ))  # fmt: skip
    await frontdesk.dispatcher.start()
    rtp_min, rtp_max = free_range(400)
    settings = VoiceSettings(
        work_dir=folder / "voice", sip_port=free_port(), b2bua_port=free_port(),
        ng_port=free_port(), dtmf_port=free_port(), rtp_min=rtp_min, rtp_max=rtp_max,
        trunk=("127.0.0.1", free_port()),  # customers: a sipp answering there, when a test needs
        announce_every=3.0,
    )  # fmt: skip
    for agent in AGENTS:
        await config.put(T, "phones", agent, {"ha1": ha1(agent, settings.domain, PASSWORD)}, "test")
    voice = VoiceChannel(settings, frontdesk.dispatcher, store, frontdesk.bus)
    await voice.start()
    stack = VoiceStack(folder, frontdesk, clock, voice, settings)
    return stack


async def stop_stack(stack: VoiceStack) -> None:
    for phone in stack.phones:
        await phone.stop()
    await stack.voice.stop()
    await stack.frontdesk.dispatcher.stop()
    stack.frontdesk.bus.close()
    await stack.frontdesk.store.close()


def moscow(hour: int, minute: int = 0, day: int = 2) -> datetime:
    """A moment of December 2026 in Moscow (UTC+3)."""
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC) - timedelta(hours=3)
