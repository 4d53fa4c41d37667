"""Read a site model (YAML) for the simulator. Every error names the field path."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any, TypeVar

import yaml

from frontdesk.domain.agents import Agent, Capacity
from frontdesk.domain.calendar import BusinessCalendar, TimeRange, load_zone
from frontdesk.domain.channels import Channel, Media
from frontdesk.domain.customers import CustomerProfile
from frontdesk.domain.errors import FrontdeskError, ValidationError
from frontdesk.domain.ids import AgentId, CustomerId, QueueId
from frontdesk.domain.phones import normalize_phone
from frontdesk.domain.queues import AccessPoint, Queue, ServiceLevelTarget
from frontdesk.routing.scenario import Catalog, parse_duration
from frontdesk.sim.arrivals import ArrivalProfile, Distribution, Shape
from frontdesk.sim.model import RosterEntry, Shift, SiteModel, Stream

T = TypeVar("T")
WEEKDAYS = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}
#: Relative contacts per hour of a typical business day (00:00 .. 23:00).
BUSINESS_DAY = (
    1, 1, 1, 1, 1, 2, 4, 10, 30, 60, 80, 85,
    75, 80, 85, 80, 70, 60, 40, 25, 15, 8, 4, 2,
)  # fmt: skip


class SiteError(ValidationError):
    code = "site.invalid"


def _fail(path: str, message: str) -> SiteError:
    return SiteError(f"{path}: {message}", path=path)


def _get(data: Mapping[str, Any], key: str, path: str, kind: type[T], default: Any = ...) -> T:
    if key not in data:
        if default is ...:
            raise _fail(f"{path}.{key}", "is required")
        return default  # type: ignore[no-any-return]
    value = data[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise _fail(f"{path}.{key}", f"must be {kind.__name__}, got {value!r}")
    return value


def _duration(value: Any, path: str) -> float:
    seconds = parse_duration(value)
    if seconds is None:
        raise _fail(path, f"must be a duration like 30s, 5m or 1h, got {value!r}")
    return seconds


def _clock(text: str, path: str) -> float:
    """Seconds after midnight from HH:MM; 24:00 allowed for the end of a shift."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not match or int(match.group(1)) > 48 or int(match.group(2)) > 59:
        raise _fail(path, f"must be a time like 09:00, got {text!r}")
    return int(match.group(1)) * 3600 + int(match.group(2)) * 60


def load_site(text: str, origin: str = "site") -> SiteModel:
    """Parse and check a site model; SiteError names the first bad field."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise SiteError(f"{origin}: YAML syntax: {error}") from None
    if not isinstance(data, dict):
        raise _fail(origin, "must be a mapping")
    try:
        return _site(data)
    except FrontdeskError as error:
        if isinstance(error, SiteError):
            raise
        raise SiteError(error.message, code=error.code) from None
    except ValueError as error:
        raise SiteError(str(error)) from None


def _site(data: dict[str, Any]) -> SiteModel:
    zone = load_zone(_get(data, "timezone", "site", str, "Europe/Moscow"))
    start = _get(data, "start", "site", date, date(2025, 3, 3))
    epoch = datetime.combine(start, time(0), zone)
    interval = _duration(data.get("interval", "30m"), "site.interval")
    calendars = {
        name: _calendar(name, spec, zone.key, f"calendars.{name}")
        for name, spec in _get(data, "calendars", "site", dict, {}).items()
    }
    lists = {
        name: frozenset(str(normalize_phone(str(v))) for v in values)
        for name, values in _get(data, "lists", "site", dict, {}).items()
    }
    queues = {
        QueueId(name): _queue(name, spec or {}, f"queues.{name}")
        for name, spec in _get(data, "queues", "site", dict).items()
    }
    for queue in queues.values():
        if queue.overflow is not None and queue.overflow not in queues:
            raise _fail(f"queues.{queue.id}.overflow", f"queue {queue.overflow!r} does not exist")
    _check_overflow_loops(queues)
    points = {
        point.address: point
        for point in (
            _access_point(spec, f"access_points[{i}]")
            for i, spec in enumerate(_get(data, "access_points", "site", list))
        )
    }
    roster = tuple(
        entry
        for i, spec in enumerate(_get(data, "agents", "site", list))
        for entry in _agents(spec, f"agents[{i}]")
    )
    customers = tuple(
        customer
        for i, spec in enumerate(_get(data, "customers", "site", list, []))
        for customer in _customers(spec, f"customers[{i}]")
    )
    streams = tuple(
        _stream(spec, points, interval, f"traffic[{i}]")
        for i, spec in enumerate(_get(data, "traffic", "site", list))
    )
    return SiteModel(
        epoch=epoch, queues=queues, roster=roster, streams=streams, calendars=calendars,
        lists=lists, customers=customers, interval=interval,
    )  # fmt: skip


def catalog_of(site: SiteModel) -> Catalog:
    return Catalog(
        queues=site.queues,
        calendars=tuple(site.calendars),
        lists=tuple(site.lists),
        agents=frozenset(entry.agent.id for entry in site.roster),
    )


def _check_overflow_loops(queues: Mapping[QueueId, Queue]) -> None:
    for start in queues:
        seen = [start]
        current = queues[start].overflow
        while current is not None:
            if current in seen:
                chain = " → ".join([*seen, current])
                raise _fail(f"queues.{start}.overflow", f"overflow loops: {chain}")
            seen.append(current)
            current = queues[current].overflow


def _days(text: str, path: str) -> list[int]:
    days: list[int] = []
    for part in text.split(","):
        ends = [p.strip().lower()[:3] for p in part.split("-")]
        if any(e not in WEEKDAYS for e in ends) or len(ends) > 2:
            raise _fail(path, f"unknown days {text!r}: use mon..sun, mon-fri, sat,sun")
        first, last = WEEKDAYS[ends[0]], WEEKDAYS[ends[-1]]
        days.extend(range(first, last + 1))
    return days


def _calendar(name: str, spec: Any, zone: str, path: str) -> BusinessCalendar:
    if not isinstance(spec, dict):
        raise _fail(path, "must be a mapping")
    weekly: dict[int, tuple[TimeRange, ...]] = {}
    for days, hours in _get(spec, "hours", path, dict).items():
        ranges = tuple(TimeRange.parse(h) for h in str(hours).split(","))
        for day in _days(days, f"{path}.hours.{days}"):
            weekly[day - 1] = ranges
    exceptions = {
        date.fromisoformat(str(day)): tuple(TimeRange.parse(h) for h in str(hours).split(",") if h)
        for day, hours in _get(spec, "exceptions", path, dict, {}).items()
    }
    return BusinessCalendar(
        name=name,
        timezone=_get(spec, "timezone", path, str, zone),
        weekly=weekly,
        holiday_country=spec.get("holidays", "RU"),
        exceptions=exceptions,
    )


def _queue(name: str, spec: dict[str, Any], path: str) -> Queue:
    level = str(spec.get("service_level", "80/20"))
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)", level)
    if not match:
        raise _fail(f"{path}.service_level", f"must look like 80/20, got {level!r}")
    max_wait = spec.get("max_wait")
    return Queue(
        id=QueueId(name),
        name=_get(spec, "name", path, str, name),
        service_level=ServiceLevelTarget(float(match.group(1)), float(match.group(2))),
        priority=_get(spec, "priority", path, int, 0),
        max_wait=None if max_wait is None else _duration(max_wait, f"{path}.max_wait"),
        max_length=spec.get("max_length"),
        overflow=QueueId(spec["overflow"]) if spec.get("overflow") else None,
        calendar=spec.get("calendar"),
    )


def _access_point(spec: dict[str, Any], path: str) -> AccessPoint:
    channel = _get(spec, "channel", path, str, "voice")
    try:
        kind = Channel(channel)
    except ValueError:
        raise _fail(f"{path}.channel", f"unknown channel {channel!r}") from None
    address = _get(spec, "address", path, str)
    agent = spec.get("agent")
    return AccessPoint(
        address=str(normalize_phone(address)) if kind is Channel.VOICE else address,
        channel=kind,
        line=_get(spec, "line", path, str, ""),
        agent=AgentId(agent) if agent else None,
    )


def _shift(spec: dict[str, Any], path: str) -> tuple[Shift, ...] | None:
    text = spec.get("shift")
    if text is None:
        return None
    start_text, _, end_text = str(text).partition("-")
    start, end = _clock(start_text, f"{path}.shift"), _clock(end_text, f"{path}.shift")
    if end <= start:
        end += 86_400
    breaks = []
    for i, item in enumerate(spec.get("breaks", [])):
        at, _, length = str(item).partition("+")
        begin = _clock(at, f"{path}.breaks[{i}]")
        breaks.append((begin if begin >= start else begin + 86_400, _duration(length, path)))
    return (Shift(start, end, tuple(breaks)),)


def _agents(spec: dict[str, Any], path: str) -> list[RosterEntry]:
    count = _get(spec, "count", path, int, 1)
    ids = [spec["id"]] if "id" in spec else [f"{spec.get('prefix', 'agent')}{n + 1}" for n in
                                             range(count)]  # fmt: skip
    capacity = {Media(k): int(v) for k, v in spec.get("capacity", {"call": 1}).items()}
    blocks = frozenset(
        (Media(busy), Media(blocked))
        for busy, _, blocked in (str(b).partition(">") for b in spec.get("blocks", []))
    )
    days = spec.get("days")
    entries = []
    for agent_id in ids:
        agent = Agent(
            id=AgentId(str(agent_id)),
            name=str(spec.get("name", agent_id)),
            skills={str(k): int(v) for k, v in spec.get("skills", {}).items()},
            languages=frozenset(spec.get("languages", [])),
            groups=frozenset(spec.get("groups", [])),
            queues=frozenset(QueueId(q) for q in spec.get("queues", [])),
            capacity=Capacity(capacity, blocks),
        )
        entries.append(
            RosterEntry(
                agent,
                _shift(spec, path),
                frozenset(_days(days, f"{path}.days")) if days else frozenset(range(1, 8)),
            )
        )
    return entries


def _customers(spec: dict[str, Any], path: str) -> list[CustomerProfile]:
    count = _get(spec, "count", path, int, 1)
    prefix = _get(spec, "prefix", path, str, "cust")
    managers = [AgentId(m) for m in spec.get("managers", [])]
    base = 9_160_000_000 + 10_000 * (sum(map(ord, prefix)) % 900)
    return [
        CustomerProfile(
            id=CustomerId(f"{prefix}{n + 1}"),
            name=f"{prefix} {n + 1}",
            category=spec.get("category"),
            vip=bool(spec.get("vip", False)),
            manager=managers[n % len(managers)] if managers else None,
            blacklisted=bool(spec.get("blacklisted", False)),
            languages=frozenset(spec.get("languages", [])),
            phones=(normalize_phone(f"+7{base + n}"),),
        )
        for n in range(count)
    ]


def _distribution(spec: Any, path: str) -> Distribution:
    if isinstance(spec, int | float | str) and not isinstance(spec, bool):
        return Distribution(Shape.FIXED, _duration(spec, path))
    if not isinstance(spec, dict):
        raise _fail(path, "must be a duration or {exponential|lognormal|fixed: mean}")
    for shape in Shape:
        if shape.value in spec:
            sd = spec.get("sd", 0)
            return Distribution(
                shape,
                _duration(spec[shape.value], f"{path}.{shape.value}"),
                _duration(sd, f"{path}.sd") if sd else 0.0,
            )
    raise _fail(path, "needs one of exponential, lognormal, fixed")


def _stream(
    spec: dict[str, Any], points: Mapping[str, AccessPoint], interval: float, path: str
) -> Stream:
    address = _get(spec, "access_point", path, str)
    key = str(normalize_phone(address)) if address.startswith("+") else address
    point = points.get(key)
    if point is None:
        raise _fail(f"{path}.access_point", f"{address!r} is not among access_points")
    arrivals = _arrivals(spec, path)

    def optional(name: str) -> Distribution | None:
        return _distribution(spec[name], f"{path}.{name}") if name in spec else None

    return Stream(
        access_point=point,
        arrivals=arrivals,
        handle=_distribution(_get(spec, "handle", path, object), f"{path}.handle"),
        patience=optional("patience"),
        wrap_up=optional("wrap_up"),
        known_share=_get(spec, "known_share", path, float, 0.0),
        ivr_seconds=_duration(spec.get("ivr_seconds", 8), f"{path}.ivr_seconds"),
        menu_choices={
            str(m): {str(k): float(v) for k, v in c.items()}
            for m, c in spec.get("menu_choices", {}).items()
        },
        language=spec.get("language"),
    )


def _arrivals(spec: dict[str, Any], path: str) -> ArrivalProfile:
    if "per_second" in spec:
        return ArrivalProfile.constant(_get(spec, "per_second", path, float))
    per_day = _get(spec, "per_day", path, float)
    profile = spec.get("profile", "business")
    if profile == "business":
        weights: tuple[float, ...] = BUSINESS_DAY
    elif profile == "flat":
        weights = (1.0,)
    elif isinstance(profile, list) and profile:
        weights = tuple(float(w) for w in profile)
    else:
        raise _fail(f"{path}.profile", "must be business, flat or a list of weights")
    return ArrivalProfile.daily(per_day, weights)
