"""What a simulation runs: the site (queues, agents and their shifts, calendars, lists,
customers) and the traffic that reaches it: streams drawn as the run goes, and arrivals
replayed one by one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from frontdesk.domain.agents import Agent
from frontdesk.domain.calendar import BusinessCalendar
from frontdesk.domain.customers import CustomerProfile
from frontdesk.domain.ids import QueueId
from frontdesk.domain.queues import AccessPoint, Queue
from frontdesk.sim.arrivals import ArrivalProfile, Distribution


@dataclass(frozen=True, slots=True)
class Shift:
    """Seconds from local midnight; ``end`` may pass 86,400 for a night shift."""

    start: float
    end: float
    breaks: tuple[tuple[float, float], ...] = ()  # (start, duration)


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """An agent and when they work. ``shifts=None``: logged in for the whole run.
    ``days`` holds the ISO weekdays (1..7) the shifts apply to."""

    agent: Agent
    shifts: tuple[Shift, ...] | None = None
    days: frozenset[int] = frozenset(range(1, 8))


@dataclass(frozen=True, slots=True)
class Stream:
    """Contacts arriving at one access point."""

    access_point: AccessPoint
    arrivals: ArrivalProfile
    handle: Distribution
    patience: Distribution | None = None
    wrap_up: Distribution | None = None
    known_share: float = 0.0  # share of contacts from customers of the population
    ivr_seconds: float = 8.0  # time spent per menu
    menu_choices: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Arrival:
    """One contact replayed as it came: a day of recorded traffic, or traffic drawn in
    advance so that two runs meet the very same contacts.

    Its menus are answered from ``digits`` at once, as the live service answers them
    (a menu it has no digit for gets none); what the person does is fixed: ``talk`` and
    ``wrap_up`` seconds when answered, and ``patience`` seconds in line before leaving
    (``None``: they wait as long as it takes).
    """

    at: float  # seconds after the epoch
    access_point: AccessPoint
    ani: str
    talk: float
    wrap_up: float = 0.0
    patience: float | None = None
    customer: CustomerProfile | None = None
    digits: Mapping[str, str] = field(default_factory=dict)
    channel_data: Mapping[str, str] = field(default_factory=dict)
    language: str | None = None
    priority: int = 0


@dataclass(frozen=True, slots=True)
class SiteModel:
    epoch: datetime  # local midnight of the first simulated day, timezone-aware
    queues: Mapping[QueueId, Queue]
    roster: tuple[RosterEntry, ...]
    streams: tuple[Stream, ...]
    calendars: Mapping[str, BusinessCalendar] = field(default_factory=dict)
    lists: Mapping[str, frozenset[str]] = field(default_factory=dict)
    customers: tuple[CustomerProfile, ...] = ()
    interval: float = 1800.0  # reporting interval, seconds
    arrivals: tuple[Arrival, ...] = ()  # replayed besides the streams
