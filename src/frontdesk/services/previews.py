"""Previews: what a draft scenario would do to a day of traffic, next to the published one.

The service reads what a prediction needs — the tenant's queues, access points,
calendars, lists and agents, the day's contacts with their customers, the draft and the
published plans — and hands it as a :class:`PreviewCase` to a
:class:`ScenarioSimulator`, the port the simulator implements (``frontdesk.sim.preview``;
services never import the simulator). Simulating is CPU work: it runs in a worker
thread, off the event loop, one preview per tenant at a time and a few on the whole
server, with limits on the traffic (:data:`MAX_CONTACTS`, :data:`MAX_PER_HOUR`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from frontdesk.domain.agents import Agent
from frontdesk.domain.calendar import BusinessCalendar
from frontdesk.domain.customers import CustomerProfile
from frontdesk.domain.errors import ConflictError, ValidationError
from frontdesk.domain.handling import LiveContact
from frontdesk.domain.ids import CustomerId, TenantId
from frontdesk.domain.ports import Clock
from frontdesk.domain.repositories import ContactFilter, Store, Transaction
from frontdesk.routing.plan import ScenarioPlan
from frontdesk.routing.scenario import ScenarioError
from frontdesk.services.catalog import TenantConfig
from frontdesk.services.scenarios import compile_for

#: The most contacts one preview simulates (a day of a 200-seat contact center).
MAX_CONTACTS = 20_000
#: The highest rate of generated traffic: a whole day of it stays under MAX_CONTACTS.
MAX_PER_HOUR = MAX_CONTACTS // 25
#: Customers that generated contacts are drawn from.
MAX_POPULATION = 1000
#: Previews simulating at once on the whole server; more wait for their turn.
MAX_PARALLEL = 2


class TrafficKind(StrEnum):
    YESTERDAY = "yesterday"  # the tenant's contacts of yesterday, replayed as they came
    GENERATED = "generated"  # a rate per hour over the working day


@dataclass(frozen=True, slots=True)
class Traffic:
    """The traffic to simulate. ``per_hour``, ``access_point`` (default: the first voice
    number) and ``known_share`` (contacts from customers of the CRM) are for generated
    traffic only."""

    kind: TrafficKind = TrafficKind.YESTERDAY
    per_hour: float | None = None
    access_point: str | None = None
    known_share: float = 0.5


@dataclass(frozen=True, slots=True)
class PreviewCase:
    """Everything a preview simulates, as read from the store.

    ``day`` is yesterday in ``timezone``; ``history`` holds that day's contacts (for
    generated traffic they only teach how long people talk and wait) and ``customers``
    their customers; ``population`` is who generated contacts come from.
    ``staffing_calendar`` gives the working hours over which every agent is logged in
    (``None``: :data:`DEFAULT_HOURS`).
    """

    tenant: TenantId
    day: date
    timezone: str
    draft: ScenarioPlan
    current: ScenarioPlan | None  # None: nothing published, or it no longer compiles
    published: int | None
    config: TenantConfig
    agents: tuple[Agent, ...]
    traffic: Traffic
    history: tuple[LiveContact, ...] = ()
    customers: Mapping[CustomerId, CustomerProfile] = field(default_factory=dict)
    population: tuple[CustomerProfile, ...] = ()
    staffing_calendar: BusinessCalendar | None = None
    seed: int = 1


#: The working day when the tenant has no calendar to take it from.
DEFAULT_HOURS = (time(9), time(18))


@dataclass(frozen=True, slots=True)
class QueueForecast:
    """Predicted figures of one queue (``queue=None``: every queue together).

    Percentages are 0–100: ``service_level`` answered within the queue's target of all
    offered, ``abandon_rate`` abandoned of offered, ``occupancy`` busy time of the
    logged-in time of the agents who serve the queue; ``asa`` in seconds.
    """

    queue: str | None
    name: str
    target: str  # "80/20"; "" for every queue together
    offered: int
    answered: int
    abandoned: int
    service_level: float | None
    asa: float | None
    abandon_rate: float | None
    occupancy: float | None


@dataclass(frozen=True, slots=True)
class Forecast:
    """What one scenario is predicted to do. ``version``: the published version it is,
    ``None`` for the draft. ``outcomes`` counts contacts by how they ended (answered,
    abandoned, rejected, callback, self_served, unserved: still waiting at midnight)."""

    version: int | None
    total: QueueForecast
    queues: tuple[QueueForecast, ...]
    outcomes: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Behaviour:
    """How the people of one media were assumed to behave: mean seconds of talk,
    wrap-up and patience (``None``: they never give up), and whether those come from the
    day's contacts (``learned``) or from defaults."""

    media: str
    talk: float
    wrap_up: float
    patience: float | None
    learned: bool


@dataclass(frozen=True, slots=True)
class Staffing:
    agents: int
    calendar: str | None  # whose working hours; None: DEFAULT_HOURS
    hours: tuple[str, ...]  # "08:00-20:00"


@dataclass(frozen=True, slots=True)
class Preview:
    """A preview's answer: ``draft`` next to ``current`` (the ``published`` version, when
    it still compiles), on the same contacts with the same agents.
    ``left_out`` counts contacts of the day not replayed: routed without the scenario
    (callbacks, contacts sent to a queue or an agent by the API) or arrived at an access
    point that no longer exists."""

    traffic: TrafficKind
    day: date
    timezone: str
    contacts: int
    left_out: int
    staffing: Staffing
    behaviour: tuple[Behaviour, ...]
    draft: Forecast
    current: Forecast | None
    published: int | None


class ScenarioSimulator(Protocol):
    """The port: predict a case. Synchronous, CPU-bound and free of I/O; the simulator
    (``frontdesk.sim.preview``) implements it. Raises ``ValidationError`` for a case it
    cannot simulate (no traffic, an unknown access point)."""

    def preview(self, case: PreviewCase) -> Preview: ...


class PreviewService:
    """Previews for the API: read the case, simulate it off the event loop, with limits."""

    def __init__(self, store: Store, clock: Clock, simulator: ScenarioSimulator) -> None:
        self.store = store
        self.clock = clock
        self.simulator = simulator
        self._running: set[TenantId] = set()
        self._slots = asyncio.Semaphore(MAX_PARALLEL)

    async def preview(self, tenant: TenantId, text: str, traffic: Traffic) -> Preview:
        """Simulate ``text`` and the published version on ``traffic``.

        ScenarioError (every problem) when the draft does not compile; ValidationError
        for traffic over the limits or with nothing to simulate; ConflictError
        ``scenario.preview_running`` while another preview of the tenant runs.
        """
        _check(traffic)
        if tenant in self._running:
            raise ConflictError(
                "a preview is already running for this company: wait until it is done",
                code="scenario.preview_running",
            )
        self._running.add(tenant)
        try:
            case = await self._case(tenant, text, traffic)
            async with self._slots:
                return await asyncio.to_thread(self.simulator.preview, case)
        finally:
            self._running.discard(tenant)

    async def _case(self, tenant: TenantId, text: str, traffic: Traffic) -> PreviewCase:
        async with self.store.transaction() as tx:
            draft = await compile_for(tx, tenant, text)
            stored = await tx.scenarios.published(tenant)
            current = await _compiled(tx, tenant, stored.text) if stored is not None else None
            timezone = (current or draft).timezone
            config = await TenantConfig.load(tx, tenant)
            agents = tuple(await tx.agents.all(tenant))
            day = self.clock.now().astimezone(ZoneInfo(timezone)).date() - timedelta(days=1)
            history = await _history(tx, tenant, day, timezone, traffic.kind)
            customers = await _customers(tx, tenant, history)
            population: tuple[CustomerProfile, ...] = ()
            if traffic.kind is TrafficKind.GENERATED and traffic.known_share > 0:
                found = await tx.customers.all(tenant, limit=MAX_POPULATION)
                population = tuple(c.profile() for c in found)
        return PreviewCase(
            tenant=tenant,
            day=day,
            timezone=timezone,
            draft=draft,
            current=current,
            published=stored.version if stored is not None else None,
            config=config,
            agents=agents,
            traffic=traffic,
            history=history,
            customers=customers,
            population=population,
            staffing_calendar=_staffing_calendar(config, current, draft),
        )


def _check(traffic: Traffic) -> None:
    if traffic.kind is not TrafficKind.GENERATED:
        return
    rate = traffic.per_hour
    if rate is None or not 0 < rate <= MAX_PER_HOUR:
        raise ValidationError(
            f"traffic.per_hour: generated traffic needs a rate of more than 0 and at most "
            f"{MAX_PER_HOUR} contacts an hour, got {rate}",
            code="scenario.preview_traffic",
            field="traffic.per_hour",
        )
    if not 0 <= traffic.known_share <= 1:
        raise ValidationError(
            f"traffic.known_share: must be between 0 and 1, got {traffic.known_share}",
            code="scenario.preview_traffic",
            field="traffic.known_share",
        )


async def _compiled(tx: Transaction, tenant: TenantId, text: str) -> ScenarioPlan | None:
    """The published plan; None when the configuration changed under it so that it no
    longer compiles (the preview then shows the draft alone)."""
    try:
        return await compile_for(tx, tenant, text)
    except ScenarioError:
        return None


async def _history(
    tx: Transaction, tenant: TenantId, day: date, timezone: str, kind: TrafficKind
) -> tuple[LiveContact, ...]:
    """The contacts of ``day`` (local), oldest first. Replaying more than MAX_CONTACTS
    is refused; generated traffic only learns from them, so a sample will do."""
    zone = ZoneInfo(timezone)
    since = datetime.combine(day, time(0), zone)
    until = datetime.combine(day + timedelta(days=1), time(0), zone)
    found = await tx.contacts.search(
        tenant, ContactFilter(since=since, until=until, limit=MAX_CONTACTS + 1)
    )
    if kind is TrafficKind.YESTERDAY and len(found) > MAX_CONTACTS:
        raise ValidationError(
            f"yesterday had more than {MAX_CONTACTS:,} contacts, more than a preview "
            "simulates: use generated traffic",
            code="scenario.preview_too_large",
            field="traffic.kind",
        )
    return tuple(sorted(found[:MAX_CONTACTS], key=lambda live: live.contact.arrived_at))


async def _customers(
    tx: Transaction, tenant: TenantId, history: tuple[LiveContact, ...]
) -> dict[CustomerId, CustomerProfile]:
    """The customers of the contacts, as the CRM knows them now."""
    wanted = sorted({c for live in history if (c := live.contact.customer) is not None})
    profiles: dict[CustomerId, CustomerProfile] = {}
    for customer_id in wanted:
        customer = await tx.customers.get(tenant, customer_id)
        if customer is not None:
            profiles[customer_id] = customer.profile()
    return profiles


def _staffing_calendar(
    config: TenantConfig, current: ScenarioPlan | None, draft: ScenarioPlan
) -> BusinessCalendar | None:
    """Whose working hours the agents work: the published scenario's calendar, else the
    draft's, else the tenant's only calendar; None when that does not name one."""
    for plan in (current, draft):
        found = config.calendars.get(plan.calendar) if plan and plan.calendar else None
        if found is not None:
            return found
    if len(config.calendars) == 1:
        return next(iter(config.calendars.values()))
    return None
