"""A small schema for the expression tests: a contact, an optional customer and agent."""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

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


@dataclass
class Contact:
    ani: str = "+74950000000"
    channel: str = "voice"
    priority: int = 1
    wait: float = 2.5
    vip: bool = False
    tags: list[str] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)
    scores: dict[str, int] = field(default_factory=dict)
    note: str | None = None


@dataclass
class Customer:
    category: str | None = None
    manager: str | None = None
    level: int = 0
    langs: list[str] = field(default_factory=list)


@dataclass
class Agent:
    id: str = "a1"
    languages: list[str] = field(default_factory=list)
    skills: dict[str, int] = field(default_factory=dict)


@dataclass
class Env:
    contact: Contact | None = field(default_factory=Contact)
    customer: Customer | None = None
    agent: Agent | None = None
    open_queues: frozenset[str] = frozenset()
    lists: dict[str, frozenset[str]] = field(default_factory=dict)
    hour: int = 12


def _field(t: Any, name: str, optional: bool = False) -> Field:
    return Field(t, attrgetter(name), optional=optional, doc=f"the {name}")


CONTACT = RecordType(
    "contact",
    {
        "ani": _field(STRING, "ani"),
        "channel": _field(STRING, "channel"),
        "priority": _field(INT, "priority"),
        "wait": _field(FLOAT, "wait"),
        "vip": _field(BOOL, "vip"),
        "tags": _field(ListType(STRING), "tags"),
        "counts": _field(ListType(INT), "counts"),
        "attrs": _field(MapType(STRING), "attrs"),
        "scores": _field(MapType(INT), "scores"),
        "note": _field(STRING, "note", optional=True),
    },
    doc="the contact being routed",
)
CUSTOMER = RecordType(
    "customer",
    {
        "category": _field(STRING, "category", optional=True),
        "manager": _field(STRING, "manager", optional=True),
        "level": _field(INT, "level"),
        "langs": _field(ListType(STRING), "langs"),
    },
)
AGENT = RecordType(
    "agent",
    {
        "id": _field(STRING, "id"),
        "languages": _field(ListType(STRING), "languages"),
        "skills": _field(MapType(INT), "skills"),
    },
)


def in_hours(env: Env, queue: str | None) -> bool:
    return queue is not None and queue in env.open_queues


def on_list(env: Env, name: str | None, value: str | None) -> bool:
    return name is not None and value is not None and value in env.lists.get(name, ())


def skill(agent: Agent | None, name: str | None) -> int:
    return 0 if agent is None or name is None else agent.skills.get(name, 0)


def size(text: str | None) -> int | None:
    return None if text is None else len(text)


def lower(text: str | None) -> str | None:
    return None if text is None else text.lower()


def half(x: float | None) -> float | None:
    return None if x is None else x / 2


def clamp(x: int | None, low: int | None, high: int | None) -> int | None:
    if x is None or low is None or high is None:
        return None
    return max(low, min(x, high))


def identity(value: Any) -> Any:
    return value


FUNCTIONS = [
    Function("in_hours", (STRING,), BOOL, in_hours, doc="queue is open", uses_env=True),
    Function("on_list", (STRING, STRING), BOOL, on_list, uses_env=True),
    Function("skill", (AGENT, STRING), INT, skill),
    Function("size", (STRING,), INT, size),
    Function("lower", (STRING,), STRING, lower),
    Function("half", (FLOAT,), FLOAT, half),
    Function("clamp", (INT, INT, INT), INT, clamp),
    Function("hour", (), INT, lambda env: env.hour, uses_env=True),
    Function("answer", (), INT, lambda: 42),
    # identities: calls are never folded, so these hide constants from the compiler
    Function("same_int", (INT,), INT, identity),
    Function("same_float", (FLOAT,), FLOAT, identity),
    Function("same_string", (STRING,), STRING, identity),
    Function("same_bool", (BOOL,), BOOL, identity),
]

SCHEMA = Schema.of(
    [
        Root("contact", CONTACT, attrgetter("contact"), doc="the contact"),
        Root("customer", CUSTOMER, attrgetter("customer"), optional=True),
        Root("agent", AGENT, attrgetter("agent"), optional=True),
    ],
    FUNCTIONS,
)
IMPLS = {f.name: f for f in FUNCTIONS}
