"""What scenario expressions can see: the published schema and function library.

Conditions are evaluated against a :class:`RoutingEnv` holding the contact, the
customer (``None`` for an unknown caller), the agent (only inside a queue step's
``require``), the decision time and the :class:`Facts` of the tenant (calendars,
lists, live queue figures). The schema below is the contract scenario authors write
against; ``docs/scenario-language.md`` lists it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from operator import attrgetter
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from frontdesk.domain.agents import Agent
from frontdesk.domain.calendar import BusinessCalendar
from frontdesk.domain.contacts import Contact
from frontdesk.domain.customers import CustomerProfile
from frontdesk.domain.dayparts import DEFAULT_BOUNDARIES, day_part
from frontdesk.domain.ids import QueueId
from frontdesk.routing.expr import (
    BOOL,
    FLOAT,
    INT,
    STRING,
    Field,
    Function,
    ListType,
    MapType,
    RecordType,
    Root,
    Schema,
)


@dataclass(frozen=True, slots=True)
class QueueFigures:
    """Live figures of one queue, as the dispatcher or simulator sees them now."""

    waiting: int = 0
    longest_wait: float = 0.0
    estimated_wait: float = 0.0
    agents_available: int = 0
    agents_logged_in: int = 0


class QueueFiguresSource(Protocol):
    def figures(self, queue: QueueId) -> QueueFigures: ...


class NoFigures:
    """Figures for a scenario evaluated with no live state (validation, previews)."""

    def figures(self, queue: QueueId) -> QueueFigures:
        return QueueFigures()


@dataclass(frozen=True, slots=True)
class Facts:
    """The tenant's data that conditions may consult, besides the contact itself."""

    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Moscow"))
    calendars: Mapping[str, BusinessCalendar] = field(default_factory=dict)
    default_calendar: str | None = None
    lists: Mapping[str, frozenset[str]] = field(default_factory=dict)
    day_parts: Mapping[str, time] = field(default_factory=lambda: dict(DEFAULT_BOUNDARIES))
    queues: QueueFiguresSource = field(default_factory=NoFigures)


class RoutingEnv:
    """The evaluation environment of one decision. ``agent`` is set per candidate."""

    __slots__ = ("agent", "contact", "customer", "facts", "now")

    def __init__(
        self,
        contact: Contact,
        customer: CustomerProfile | None,
        now: datetime,
        facts: Facts,
        agent: Agent | None = None,
    ) -> None:
        self.contact = contact
        self.customer = customer
        self.now = now
        self.facts = facts
        self.agent = agent


def _direct_agent(contact: Contact) -> str | None:
    return contact.channel_data.get("agent")


def _ivr(contact: Contact) -> list[str]:
    return [f"{s.menu}:{s.input}" if s.input else s.menu for s in contact.ivr_path]


CONTACT = RecordType(
    "contact",
    {
        "id": Field(STRING, attrgetter("id"), doc="contact id"),
        "channel": Field(STRING, attrgetter("channel"), doc="voice, chat, email, sms ..."),
        "media": Field(STRING, attrgetter("media"), doc="call, chat or email"),
        "ani": Field(STRING, attrgetter("ani"), doc="caller number (E.164) or sender address"),
        "access_point": Field(STRING, attrgetter("access_point"), doc="number/address dialled"),
        "line": Field(STRING, attrgetter("line"), doc="the access point's line: sales, direct"),
        "language": Field(STRING, attrgetter("language"), optional=True, doc="language"),
        "priority": Field(INT, attrgetter("priority"), doc="priority given at intake"),
        "digits": Field(MapType(STRING), attrgetter("digits"), doc="digits collected, by name"),
        "ivr": Field(ListType(STRING), _ivr, doc='IVR path as "menu:key" steps'),
        "data": Field(MapType(STRING), attrgetter("channel_data"), doc="channel data"),
        "direct_agent": Field(
            STRING, _direct_agent, optional=True, doc="agent of an employee's direct number"
        ),
    },
)

CUSTOMER = RecordType(
    "customer",
    {
        "id": Field(STRING, attrgetter("id"), doc="customer id"),
        "name": Field(STRING, attrgetter("name"), doc="display name"),
        "category": Field(STRING, attrgetter("category"), optional=True, doc="VIP, regular ..."),
        "vip": Field(BOOL, attrgetter("vip"), doc="VIP flag"),
        "status": Field(STRING, attrgetter("status"), optional=True, doc="current status"),
        "manager": Field(STRING, attrgetter("manager"), optional=True, doc="personal manager"),
        "blacklisted": Field(BOOL, attrgetter("blacklisted"), doc="on the customer blacklist"),
        "languages": Field(ListType(STRING), attrgetter("languages"), doc="languages spoken"),
        "fields": Field(MapType(STRING), attrgetter("fields"), doc="company-defined fields"),
    },
)

AGENT = RecordType(
    "agent",
    {
        "id": Field(STRING, attrgetter("id"), doc="agent id"),
        "name": Field(STRING, attrgetter("name"), doc="display name"),
        "languages": Field(ListType(STRING), attrgetter("languages"), doc="languages spoken"),
        "groups": Field(ListType(STRING), attrgetter("groups"), doc="groups"),
        "queues": Field(ListType(STRING), attrgetter("queues"), doc="queues the agent serves"),
        "skills": Field(MapType(INT), attrgetter("skills"), doc="proficiency 1..5 by skill"),
        "occupancy": Field(FLOAT, attrgetter("occupancy"), doc="share of time busy today"),
    },
)


def _calendar(env: RoutingEnv, name: str | None) -> BusinessCalendar | None:
    if name is None:
        name = env.facts.default_calendar
    return None if name is None else env.facts.calendars.get(name)


def _in_hours(env: RoutingEnv, name: str | None) -> bool:
    calendar = _calendar(env, name)
    return calendar is not None and calendar.is_open(env.now)


def _is_holiday(env: RoutingEnv) -> bool:
    calendar = _calendar(env, None)
    return calendar is not None and calendar.is_holiday(calendar.local(env.now).date())


def _is_working_day(env: RoutingEnv) -> bool:
    calendar = _calendar(env, None)
    if calendar is None:
        return env.now.astimezone(env.facts.timezone).weekday() < 5
    return bool(calendar.hours_on(calendar.local(env.now).date()))


def _local(env: RoutingEnv) -> datetime:
    return env.now.astimezone(env.facts.timezone)


def _on_list(env: RoutingEnv, name: str | None, value: str | None) -> bool:
    return value is not None and name is not None and value in env.facts.lists.get(name, ())


def _skill(agent: Agent | None, name: str | None) -> int:
    if agent is None or name is None:
        return 0
    return agent.skills.get(name, 0)


def _figure(attribute: str) -> Callable[[RoutingEnv, str | None], Any]:
    get = attrgetter(attribute)

    def figure(env: RoutingEnv, queue: str | None) -> Any:
        return None if queue is None else get(env.facts.queues.figures(QueueId(queue)))

    return figure


FUNCTIONS: dict[str, Function] = {
    f.name: f
    for f in (
        Function(
            "in_hours",
            (STRING,),
            BOOL,
            _in_hours,
            uses_env=True,
            doc="the named business calendar is open now",
        ),
        Function(
            "is_holiday",
            (),
            BOOL,
            _is_holiday,
            uses_env=True,
            doc="today is a public holiday in the scenario's calendar",
        ),
        Function(
            "is_working_day",
            (),
            BOOL,
            _is_working_day,
            uses_env=True,
            doc="the scenario's calendar has opening hours today",
        ),
        Function(
            "day_part",
            (),
            STRING,
            lambda env: day_part(env.now, env.facts.timezone, env.facts.day_parts),
            uses_env=True,
            doc='"morning", "afternoon", "evening" or "night"',
        ),
        Function(
            "hour", (), INT, lambda env: _local(env).hour, uses_env=True, doc="local hour 0..23"
        ),
        Function(
            "weekday",
            (),
            INT,
            lambda env: _local(env).isoweekday(),
            uses_env=True,
            doc="local weekday, 1 = Monday .. 7 = Sunday",
        ),
        Function(
            "on_list",
            (STRING, STRING),
            BOOL,
            _on_list,
            uses_env=True,
            doc="the value is on the named list (blacklist, ...)",
        ),
        Function(
            "skill",
            (AGENT, STRING),
            INT,
            _skill,
            doc="the agent's proficiency in a skill, 0 when absent",
        ),
        Function(
            "estimated_wait",
            (STRING,),
            FLOAT,
            _figure("estimated_wait"),
            uses_env=True,
            doc="estimated wait in seconds of a new contact in the queue",
        ),
        Function(
            "waiting",
            (STRING,),
            INT,
            _figure("waiting"),
            uses_env=True,
            doc="contacts waiting in the queue now",
        ),
        Function(
            "longest_wait",
            (STRING,),
            FLOAT,
            _figure("longest_wait"),
            uses_env=True,
            doc="seconds the oldest waiting contact has waited",
        ),
        Function(
            "agents_available",
            (STRING,),
            INT,
            _figure("agents_available"),
            uses_env=True,
            doc="members of the queue able to take a contact now",
        ),
        Function(
            "agents_logged_in",
            (STRING,),
            INT,
            _figure("agents_logged_in"),
            uses_env=True,
            doc="members of the queue logged in",
        ),
    )
}

SCHEMA = Schema(
    roots={
        "contact": Root("contact", CONTACT, attrgetter("contact"), doc="the contact"),
        "customer": Root(
            "customer",
            CUSTOMER,
            attrgetter("customer"),
            doc="the customer; null when the caller is unknown",
            optional=True,  # so that has(customer) and customer == null are allowed
        ),
        "agent": Root(
            "agent",
            AGENT,
            attrgetter("agent"),
            doc="the candidate agent (queue steps' require only)",
        ),
    },
    functions=FUNCTIONS,
)

#: Rule conditions and outputs are about the contact, never about an agent.
CONTACT_SCHEMA = SCHEMA.without("agent")
