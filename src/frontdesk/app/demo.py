"""``frontdesk demo``: a demo tenant, loaded once, and traffic that keeps it busy.

The traffic generator submits contacts through the same intake as any source. Robot
agents (every demo agent that no person is logged in as) go ready, answer offers after
a ring or two, talk, wrap up with a disposition and sometimes take a break, so the
wallboard moves and a person logged in as an agent gets offers too.
"""

from __future__ import annotations

import asyncio
import logging
import random
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from frontdesk.app.demo_data import DemoData
from frontdesk.domain.agents import AgentState
from frontdesk.domain.errors import FrontdeskError
from frontdesk.domain.ids import AgentId, ContactId, TenantId
from frontdesk.domain.users import Role
from frontdesk.services.catalog import agent_document
from frontdesk.services.intake import Submission
from frontdesk.web.container import Frontdesk

log = logging.getLogger(__name__)
ACTOR = "demo"
#: The demo's opening hours: the scenario's in_hours("support").
DEMO_CALENDAR = "support"
AROUND_THE_CLOCK = "00:00-00:00"


async def load_demo(frontdesk: Frontdesk, tenant: TenantId, data: DemoData) -> bool:
    """Load the demo into ``tenant`` unless a scenario is published there already.

    Returns whether anything was loaded.
    """
    async with frontdesk.store.transaction() as tx:
        if await tx.scenarios.published(tenant) is not None:
            return False
    await frontdesk.auth.ensure_tenant(tenant, "Demo")
    await frontdesk.dispatcher.add_tenant(tenant)
    config = frontdesk.configuration
    for kind, documents in data.documents.items():
        for key, body in documents.items():
            await config.put(tenant, kind, key, body, ACTOR)
    for agent in data.agents:
        await config.put_agent(tenant, agent.id, agent_document(agent), ACTOR)
    results = await frontdesk.crm.upsert_many(data.customers)
    failed = [r for r in results if isinstance(r, FrontdeskError)]
    if failed:
        raise failed[0]
    await frontdesk.crm.add_purchases(tenant, data.purchases)
    version = await frontdesk.scenarios.save(tenant, data.scenario, ACTOR, "demo scenario")
    await frontdesk.scenarios.publish(tenant, version.version, ACTOR)
    auth = frontdesk.auth
    for agent in data.agents:
        await auth.create_user(tenant, agent.id, data.password, Role.AGENT, name=agent.name,
                               agent=agent.id, actor=ACTOR)  # fmt: skip
    for username, name in data.supervisors:
        await auth.create_user(tenant, username, data.password, Role.SUPERVISOR, name=name,
                               actor=ACTOR)  # fmt: skip
    for username, name in data.admins:
        await auth.create_user(tenant, username, data.password, Role.ADMIN, name=name,
                               actor=ACTOR)  # fmt: skip
    return True


async def open_around_the_clock(frontdesk: Frontdesk, tenant: TenantId, now: datetime) -> list[str]:
    """Open the demo's support hours all day today and tomorrow (calendar exceptions), so
    a person trying the demo at night or on a Sunday still sees contacts reach agents
    instead of only callback offers. Returns the days opened (ISO dates)."""
    config = frontdesk.configuration
    body = dict(await config.get(tenant, "calendars", DEMO_CALENDAR))
    today = now.astimezone(ZoneInfo(str(body.get("timezone", "Europe/Moscow")))).date()
    days = [(today + timedelta(days=n)).isoformat() for n in (0, 1)]
    exceptions = dict(body.get("exceptions") or {})
    if any(exceptions.get(day) != AROUND_THE_CLOCK for day in days):
        exceptions.update(dict.fromkeys(days, AROUND_THE_CLOCK))
        await config.put(tenant, "calendars", DEMO_CALENDAR, {**body, "exceptions": exceptions},
                         ACTOR)  # fmt: skip
    return days


@dataclass
class Traffic:
    """Demo contacts at ``per_minute`` on average, and robot agents to answer them."""

    frontdesk: Frontdesk
    tenant: TenantId
    data: DemoData
    rng: random.Random
    per_minute: float = 6.0
    robots: frozenset[AgentId] = frozenset()
    handle_seconds: float = 45.0
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def start(self) -> None:
        self._tasks.append(asyncio.create_task(self._arrivals(), name="demo-arrivals"))
        for agent in sorted(self.robots):
            self._tasks.append(asyncio.create_task(self._robot(agent), name=f"demo-{agent}"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with suppress(asyncio.CancelledError):
                await task

    def submission(self) -> Submission:
        """One demo contact: a known customer or a stranger, at one of the sources."""
        rng = self.rng
        source = rng.choices(self.data.traffic, [s.weight for s in self.data.traffic])[0]
        customer = rng.choice(self.data.customers)
        known = rng.random() < source.known_customer_share
        if source.channel.value in ("voice", "sms", "callback"):
            sender = customer.phones[0] if known and customer.phones else _stranger(rng)
        elif known and customer.emails:
            sender = customer.emails[0]
        else:
            sender = _stranger(rng)
        digits = {"main": rng.choice("1122")} if rng.random() < 0.8 else {}
        data = {"text": "Demo request"} if source.channel.value != "voice" else {}
        return Submission(
            access_point=source.access_point, sender=sender, digits=digits, channel_data=data
        )

    async def _arrivals(self) -> None:
        rate = self.per_minute / 60.0
        while True:
            await asyncio.sleep(self.rng.expovariate(rate))
            try:
                live, _ = await self.frontdesk.dispatcher.submit(self.tenant, self.submission())
            except FrontdeskError as error:
                log.warning("demo contact refused: %s", error)
                continue
            patience = self.rng.expovariate(1 / 120.0)
            task = asyncio.create_task(self._maybe_abandon(live.contact.id, patience))
            self._tasks.append(task)
            self._tasks[:] = [t for t in self._tasks if not t.done()]

    async def _maybe_abandon(self, contact: ContactId, patience: float) -> None:
        await asyncio.sleep(patience)
        desk = self.frontdesk.dispatcher.desk(self.tenant)
        if contact in desk.state.waiting:
            with suppress(FrontdeskError):
                await desk.abandon(contact)

    async def _robot(self, agent: AgentId) -> None:
        desk = self.frontdesk.dispatcher.desk(self.tenant)
        rng = self.rng
        with suppress(FrontdeskError):
            await desk.set_agent_state(agent, AgentState.READY)
        while True:
            await asyncio.sleep(0.5)
            offered = [c for c, (a, _) in desk.offers.items() if a == agent]
            try:
                for contact in offered:
                    await asyncio.sleep(rng.uniform(1.0, 4.0))
                    await desk.accept(agent, contact)
                    await asyncio.sleep(rng.expovariate(1 / self.handle_seconds))
                    disposition = rng.choice(sorted(desk.config.dispositions) or [None])
                    await desk.wrap_up(agent, contact, disposition, "demo", close=True)
                if not offered and rng.random() < 0.002:
                    await desk.set_agent_state(agent, AgentState.NOT_READY, "break")
                    await asyncio.sleep(rng.uniform(30, 90))
                    await desk.set_agent_state(agent, AgentState.READY)
            except FrontdeskError as error:  # the offer rang out, a person took over ...
                log.debug("robot %s: %s", agent, error)


def _stranger(rng: random.Random) -> str:
    return f"+7916{rng.randrange(10_000_000):07d}"
