"""A tenant's configuration: documents as the API accepts them, turned into domain objects.

Configuration is stored as JSON-ready documents by kind and key (see
:class:`frontdesk.domain.repositories.Documents`). The builders here check a document
completely — unknown fields, types, references — and raise ``ValidationError`` naming the
field path (``queues.sales.max_wait``), so a bad document is refused before it is stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from frontdesk.domain.agents import MAX_PROFICIENCY, MIN_PROFICIENCY, Agent, Capacity
from frontdesk.domain.calendar import BusinessCalendar, TimeRange
from frontdesk.domain.channels import Channel, Media
from frontdesk.domain.errors import FrontdeskError, NotFoundError, ValidationError
from frontdesk.domain.ids import AgentId, QueueId, TenantId
from frontdesk.domain.phones import normalize_phone
from frontdesk.domain.queues import AccessPoint, Queue, ServiceLevelTarget
from frontdesk.domain.repositories import Transaction
from frontdesk.routing.scenario import parse_duration

T = TypeVar("T")
WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_KEY = re.compile(r"^[\w.+@:-]{1,128}$")
_LEVEL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
_HA1 = re.compile(r"^[0-9a-f]{32}$")


class Spec:
    """A document being read: typed getters that name the field path in every error."""

    def __init__(self, body: Any, path: str, allowed: tuple[str, ...]) -> None:
        if not isinstance(body, Mapping):
            raise ValidationError(f"{path}: must be an object", code="config.invalid", field=path)
        unknown = sorted(set(body) - set(allowed))
        if unknown:
            raise ValidationError(
                f"{path}.{unknown[0]}: unknown field (known: {', '.join(allowed)})",
                code="config.unknown_field",
                field=f"{path}.{unknown[0]}",
            )
        self.body = body
        self.path = path

    def fail(self, key: str, message: str) -> ValidationError:
        where = f"{self.path}.{key}"
        return ValidationError(f"{where}: {message}", code="config.invalid", field=where)

    def get(self, key: str, kind: type[T], default: T | None = None) -> T | None:
        value = self.body.get(key)
        if value is None:
            return default
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise self.fail(key, f"must be {_TYPE_NAMES.get(kind, kind.__name__)}, got {value!r}")
        return value

    def text(self, key: str, default: str = "") -> str:
        return self.get(key, str) or default

    def required(self, key: str, kind: type[T]) -> T:
        value = self.get(key, kind)
        if value is None:
            raise self.fail(key, "is required")
        return value

    def duration(self, key: str) -> float | None:
        value = self.body.get(key)
        if value is None:
            return None
        seconds = parse_duration(value)
        if seconds is None:
            raise self.fail(key, f"must be a duration like 30s, 5m or 1h, got {value!r}")
        return seconds

    def build(self, key: str, make: Callable[[], T]) -> T:
        """Run a domain constructor; its ValidationError gets this field path."""
        try:
            return make()
        except (ValueError, FrontdeskError) as error:
            raise self.fail(key, str(error)) from None


_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
               list: "a list", dict: "an object"}  # fmt: skip


def check_key(kind: str, key: str) -> None:
    if not _KEY.match(key):
        raise ValidationError(
            f"{kind}: key {key!r} must be 1-128 letters, digits or . _ + @ : -",
            code="config.invalid_key",
            field=kind,
        )


def queue_from(key: str, body: Any) -> Queue:
    spec = Spec(body, f"queues.{key}", ("name", "service_level", "priority",
                "aging_per_minute", "max_wait", "max_length", "overflow", "calendar"))  # fmt: skip
    level = spec.text("service_level", "80/20")
    match = _LEVEL.match(level)
    if not match:
        raise spec.fail("service_level", f"must look like 80/20, got {level!r}")
    overflow = spec.get("overflow", str)
    return spec.build("", lambda: Queue(
        id=QueueId(key),
        name=spec.text("name", key),
        service_level=ServiceLevelTarget(float(match.group(1)), float(match.group(2))),
        priority=spec.get("priority", int, 0) or 0,
        aging_per_minute=spec.get("aging_per_minute", float, 0.0) or 0.0,
        max_wait=spec.duration("max_wait"),
        max_length=spec.get("max_length", int),
        overflow=QueueId(overflow) if overflow else None,
        calendar=spec.get("calendar", str),
    ))  # fmt: skip


def access_point_from(key: str, body: Any) -> AccessPoint:
    spec = Spec(body, f"access_points.{key}", ("channel", "line", "agent", "calendar"))
    name = spec.text("channel", "voice")
    try:
        channel = Channel(name)
    except ValueError:
        known = ", ".join(c.value for c in Channel)
        raise spec.fail("channel", f"unknown channel {name!r} (known: {known})") from None
    address = key
    if channel in (Channel.VOICE, Channel.SMS, Channel.CALLBACK):
        phone = normalize_phone(key)
        if phone.e164 is None:
            raise ValidationError(
                f"access_points.{key}: not a phone number ({phone.problem})",
                code="config.invalid_key",
                field=f"access_points.{key}",
            )
        address = phone.e164
    agent = spec.get("agent", str)
    return AccessPoint(
        address=address,
        channel=channel,
        line=spec.text("line"),
        agent=AgentId(agent) if agent else None,
        calendar=spec.get("calendar", str),
    )


def weekdays(text: str, spec: Spec, key: str) -> list[int]:
    """``"mon-fri"``, ``"sat,sun"``, ``"mon-wed,fri"`` → weekday numbers (0 = Monday)."""
    days: list[int] = []
    for part in text.split(","):
        ends = [p.strip().lower()[:3] for p in part.split("-")]
        if len(ends) > 2 or any(e not in WEEKDAYS for e in ends):
            raise spec.fail(key, f"unknown days {text!r}: use mon..sun, mon-fri, sat,sun")
        days.extend(range(WEEKDAYS[ends[0]], WEEKDAYS[ends[-1]] + 1))
    return days


def _ranges(text: str, spec: Spec, key: str) -> tuple[TimeRange, ...]:
    return spec.build(key, lambda: tuple(TimeRange.parse(h) for h in text.split(",") if h.strip()))


def calendar_from(key: str, body: Any, default_zone: str = "Europe/Moscow") -> BusinessCalendar:
    spec = Spec(body, f"calendars.{key}", ("timezone", "hours", "holidays", "exceptions"))
    weekly: dict[int, tuple[TimeRange, ...]] = {}
    for days, hours in (spec.get("hours", dict) or {}).items():
        where = f"hours.{days}"
        for day in weekdays(str(days), spec, where):
            weekly[day] = _ranges(str(hours), spec, where)
    exceptions: dict[date, tuple[TimeRange, ...]] = {}
    for day, hours in (spec.get("exceptions", dict) or {}).items():
        where = f"exceptions.{day}"
        try:
            parsed = date.fromisoformat(str(day))
        except ValueError:
            raise spec.fail(where, "must be a date like 2026-12-31") from None
        exceptions[parsed] = _ranges(str(hours or ""), spec, where)
    country = spec.body.get("holidays", "RU")
    return spec.build("", lambda: BusinessCalendar(
        name=key,
        timezone=spec.text("timezone", default_zone),
        weekly=weekly,
        holiday_country=country or None,
        exceptions=exceptions,
    ))  # fmt: skip


def list_from(key: str, body: Any) -> frozenset[str]:
    """A named list (blacklist ...); phone-like values are stored in E.164."""
    spec = Spec(body, f"lists.{key}", ("values", "description"))
    values = spec.get("values", list) or []
    result = set()
    for value in values:
        text = str(value).strip()
        phone = normalize_phone(text) if text.startswith("+") or text[:1].isdigit() else None
        result.add(phone.e164 if phone is not None and phone.e164 else text)
    return frozenset(result)


def _named(kind: str) -> Callable[[str, Any], Mapping[str, Any]]:
    def check(key: str, body: Any) -> Mapping[str, Any]:
        spec = Spec(body, f"{kind}.{key}", ("name", "color", "description"))
        names = spec.get("name", dict) or {}
        for language, text in names.items():
            if not isinstance(text, str):
                raise spec.fail(f"name.{language}", "must be a string")
        return spec.body

    return check


def webhook_from(key: str, body: Any) -> Mapping[str, Any]:
    spec = Spec(body, f"webhooks.{key}", ("url", "events", "secret", "active"))
    url = spec.required("url", str)
    if not re.match(r"^https?://[^\s/]+", url):
        raise spec.fail("url", f"must be an http(s) URL, got {url!r}")
    events = spec.get("events", list) or ["*"]
    if not all(isinstance(e, str) and e for e in events):
        raise spec.fail("events", "must be a list of event types such as contact.* or *")
    if len(spec.required("secret", str)) < 16:
        raise spec.fail("secret", "must be at least 16 characters")
    spec.get("active", bool)
    return spec.body


#: The settings documents and their fields: the desk's timings, the wallboard's colours.
SETTINGS: Mapping[str, tuple[str, ...]] = {
    "desk": ("ring_timeout", "crm_timeout", "wrap_up", "timezone"),
    "wallboard": ("service_level", "longest_wait", "waiting"),
}


def settings_from(key: str, body: Any) -> Mapping[str, Any]:
    if key not in SETTINGS:
        raise ValidationError(
            f"settings.{key}: there are no such settings (known: {', '.join(SETTINGS)})",
            code="config.invalid",
            field=f"settings.{key}",
        )
    spec = Spec(body, f"settings.{key}", SETTINGS[key])
    if key == "desk":
        for name in ("ring_timeout", "crm_timeout", "wrap_up"):
            spec.duration(name)
    else:
        wallboard_from(spec.body)
    return spec.body


@dataclass(frozen=True, slots=True)
class Level:
    """Where a wallboard figure turns amber (``warn``) and red (``alarm``). For a figure
    where less is worse (service level) the alarm is below the warning, else above it."""

    warn: float
    alarm: float
    less_is_worse: bool = False


@dataclass(frozen=True, slots=True)
class WallboardLevels:
    service_level: Level = Level(80.0, 60.0, less_is_worse=True)  # percent answered in target
    longest_wait: Level = Level(30.0, 120.0)  # seconds the oldest contact has waited
    waiting: Level = Level(5.0, 10.0)  # contacts in line


def wallboard_from(body: Mapping[str, Any] | None) -> WallboardLevels:
    """The ``settings.wallboard`` document's colour levels, the defaults for what it
    leaves out: ``{"service_level": {"warn": 80, "alarm": 60}, "longest_wait": {"warn":
    "30s", "alarm": "2m"}, "waiting": {"warn": 5, "alarm": 10}}``."""
    spec = Spec(body or {}, "settings.wallboard", SETTINGS["wallboard"])
    defaults = WallboardLevels()
    levels = {}
    for name in SETTINGS["wallboard"]:
        default: Level = getattr(defaults, name)
        given = Spec(spec.get(name, dict) or {}, f"settings.wallboard.{name}", ("warn", "alarm"))
        read = given.duration if name == "longest_wait" else _number(given)
        warn = read("warn")
        alarm = read("alarm")
        level = Level(
            default.warn if warn is None else warn,
            default.alarm if alarm is None else alarm,
            default.less_is_worse,
        )
        if (level.alarm > level.warn) if level.less_is_worse else (level.alarm < level.warn):
            raise given.fail("alarm", f"must be {'below' if level.less_is_worse else 'above'} "
                             f"the warning level {level.warn:g}")  # fmt: skip
        levels[name] = level
    return WallboardLevels(**levels)


def _number(spec: Spec) -> Callable[[str], float | None]:
    def read(key: str) -> float | None:
        value = spec.get(key, float)
        if value is not None and value < 0:
            raise spec.fail(key, f"must not be negative, got {value:g}")
        return value

    return read


def script_from(key: str, body: Any) -> Mapping[str, Any]:
    """A service script the scenario names (``script: vip-script``): its title and text
    by language, shown to the agent with the contact."""
    spec = Spec(body, f"scripts.{key}", ("name", "text"))
    for field_name in ("name", "text"):
        for language, text in (spec.get(field_name, dict) or {}).items():
            if not isinstance(text, str):
                raise spec.fail(f"{field_name}.{language}", "must be a string")
    return spec.body


def prompt_from(key: str, body: Any) -> Mapping[str, str]:
    """A prompt the scenario names (``greeting: welcome``, a menu's ``prompt``): what the
    caller hears, by language. Calls speak it with text-to-speech (an uploaded recording
    under the same name takes its place)."""
    spec = Spec(body, f"prompts.{key}", ("text",))
    texts = spec.required("text", dict)
    for language, text in texts.items():
        if not isinstance(text, str) or not text.strip():
            raise spec.fail(f"text.{language}", "must be a text to speak")
        if not _LANGUAGE.match(str(language)):
            raise spec.fail(f"text.{language}", "the key must be a language code (ru, en)")
    if not texts:
        raise spec.fail("text", "needs the text in at least one language")
    return {str(language): str(text) for language, text in texts.items()}


def phone_from(key: str, body: Any) -> str:
    """An agent's SIP phone login (the key is the agent id and the SIP user name): the
    digest hash of its password (``md5(user:realm:password)``, never the password)."""
    spec = Spec(body, f"phones.{key}", ("ha1",))
    ha1 = spec.required("ha1", str)
    if not _HA1.match(ha1):
        raise spec.fail("ha1", "must be 32 lower-case hexadecimal digits")
    return ha1


def agent_from(tenant: TenantId, key: str, body: Any) -> Agent:
    """An agent's profile (the live state is not part of the document)."""
    spec = Spec(body, f"agents.{key}", ("name", "skills", "languages", "groups", "queues",
                                        "capacity", "blocks"))  # fmt: skip
    skills = spec.get("skills", dict) or {}
    for skill, level in skills.items():
        if not isinstance(level, int) or not MIN_PROFICIENCY <= level <= MAX_PROFICIENCY:
            raise spec.fail(
                f"skills.{skill}",
                f"proficiency must be {MIN_PROFICIENCY}..{MAX_PROFICIENCY}, got {level!r}",
            )
    limits: dict[Media, int] = {}
    for media, limit in (spec.get("capacity", dict) or {"call": 1}).items():
        try:
            limits[Media(media)] = int(limit)
        except ValueError:
            raise spec.fail(f"capacity.{media}", "unknown media or not a number") from None
    blocks = set()
    for item in spec.get("blocks", list) or []:
        busy, _, blocked = str(item).partition(">")
        try:
            blocks.add((Media(busy.strip()), Media(blocked.strip())))
        except ValueError:
            raise spec.fail("blocks", f'must look like "call>chat", got {item!r}') from None
    return spec.build("", lambda: Agent(
        id=AgentId(key),
        tenant=tenant,
        name=spec.text("name", key),
        skills={str(k): v for k, v in skills.items()},
        languages=frozenset(str(x) for x in spec.get("languages", list) or []),
        groups=frozenset(str(x) for x in spec.get("groups", list) or []),
        queues=frozenset(QueueId(str(x)) for x in spec.get("queues", list) or []),
        capacity=Capacity(limits, frozenset(blocks)),
    ))  # fmt: skip


def agent_document(agent: Agent) -> dict[str, Any]:
    """The document form of an agent's profile: ``agent_from`` reads it back."""
    return {
        "name": agent.name,
        "skills": dict(agent.skills),
        "languages": sorted(agent.languages),
        "groups": sorted(agent.groups),
        "queues": sorted(agent.queues),
        "capacity": {m.value: n for m, n in agent.capacity.limits.items()},
        "blocks": sorted(f"{a}>{b}" for a, b in agent.capacity.blocks),
    }


#: Every document kind and the check that builds or validates it.
KINDS: Mapping[str, Callable[[str, Any], object]] = {
    "queues": queue_from,
    "access_points": access_point_from,
    "calendars": calendar_from,
    "lists": list_from,
    "dispositions": _named("dispositions"),
    "reasons": _named("reasons"),
    "categories": _named("categories"),
    "webhooks": webhook_from,
    "settings": settings_from,
    "scripts": script_from,
    "prompts": prompt_from,
    "phones": phone_from,
}


def check_kind(kind: str) -> Callable[[str, Any], object]:
    check = KINDS.get(kind)
    if check is None:
        raise NotFoundError(
            f"unknown configuration kind {kind!r} (known: {', '.join(KINDS)})",
            code="config.unknown_kind",
        )
    return check


def check_document(kind: str, key: str, body: Any) -> None:
    """Refuse a document that would not build, naming the field."""
    check = check_kind(kind)
    check_key(kind, key)
    check(key, body)


@dataclass(frozen=True, slots=True)
class TenantConfig:
    """Everything routing and the desk need from a tenant's configuration."""

    queues: Mapping[QueueId, Queue] = field(default_factory=dict)
    access_points: Mapping[str, AccessPoint] = field(default_factory=dict)
    calendars: Mapping[str, BusinessCalendar] = field(default_factory=dict)
    lists: Mapping[str, frozenset[str]] = field(default_factory=dict)
    dispositions: frozenset[str] = frozenset()
    reasons: frozenset[str] = frozenset()
    ring_timeout: float = 20.0
    crm_timeout: float = 0.5
    wrap_up: float | None = None  # automatic wrap-up end; None: the agent ends it
    prompts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # texts by language

    @staticmethod
    async def load(tx: Transaction, tenant: TenantId) -> TenantConfig:
        docs = tx.documents

        async def built(kind: str, make: Callable[[str, Any], T]) -> dict[str, T]:
            return {key: make(key, body) for key, body in (await docs.all(tenant, kind)).items()}

        settings = Spec(
            (await docs.get(tenant, "settings", "desk")) or {}, "settings.desk", SETTINGS["desk"]
        )
        points = await built("access_points", access_point_from)
        return TenantConfig(
            queues={QueueId(k): v for k, v in (await built("queues", queue_from)).items()},
            access_points={point.address: point for point in points.values()},
            calendars=await built("calendars", calendar_from),
            lists=await built("lists", list_from),
            dispositions=frozenset(await docs.all(tenant, "dispositions")),
            reasons=frozenset(await docs.all(tenant, "reasons")),
            ring_timeout=settings.duration("ring_timeout") or 20.0,
            crm_timeout=settings.duration("crm_timeout") or 0.5,
            wrap_up=settings.duration("wrap_up"),
            prompts=await built("prompts", prompt_from),
        )
