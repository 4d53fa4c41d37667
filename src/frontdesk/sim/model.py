"""What a simulation runs: the site (queues, agents and their shifts, calendars, lists,
customers) and the traffic that reaches it."""

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
class SiteModel:
    epoch: datetime  # local midnight of the first simulated day, timezone-aware
    queues: Mapping[QueueId, Queue]
    roster: tuple[RosterEntry, ...]
    streams: tuple[Stream, ...]
    calendars: Mapping[str, BusinessCalendar] = field(default_factory=dict)
    lists: Mapping[str, frozenset[str]] = field(default_factory=dict)
    customers: tuple[CustomerProfile, ...] = ()
    interval: float = 1800.0  # reporting interval, seconds
