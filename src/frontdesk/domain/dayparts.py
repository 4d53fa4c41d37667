"""Parts of the day for greetings ("Доброе утро", "Good evening") from local wall-clock time.

Each part starts at a wall-clock time and lasts until the next part starts, going round the
clock in the order morning, afternoon, evening, night (and back to morning). The defaults
are morning 05:00, afternoon 12:00, evening 17:00, night 23:00. A custom mapping may give
any of the four starts (the others keep their defaults); the four starts must follow each
other in that cyclic order, so night may start after midnight (``night: 00:30``) but
evening may not start before afternoon.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, tzinfo
from enum import StrEnum
from types import MappingProxyType

from frontdesk.domain.calendar import BusinessCalendar, zone_of
from frontdesk.domain.errors import ValidationError

__all__ = ["DEFAULT_BOUNDARIES", "Boundaries", "DayPart", "day_part", "validate_boundaries"]

_DAY_US = 86_400_000_000


class DayPart(StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    NIGHT = "night"


Boundaries = Mapping[DayPart, time] | Mapping[str, time]
"""Start time of each part, keyed by :class:`DayPart` or its value ("morning" ...)."""

_ORDER = (DayPart.MORNING, DayPart.AFTERNOON, DayPart.EVENING, DayPart.NIGHT)

DEFAULT_BOUNDARIES: Mapping[str, time] = MappingProxyType(
    {
        DayPart.MORNING: time(5, 0),
        DayPart.AFTERNOON: time(12, 0),
        DayPart.EVENING: time(17, 0),
        DayPart.NIGHT: time(23, 0),
    }
)


def _us(value: time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def validate_boundaries(boundaries: Boundaries | None) -> Mapping[str, time]:
    """Defaults overridden by ``boundaries``, checked to go round the clock in order.

    The result is keyed by :class:`DayPart` members (which are strings: ``"morning"`` ...).
    """
    if boundaries is None:
        return DEFAULT_BOUNDARIES
    if not isinstance(boundaries, Mapping):
        raise ValidationError(
            f"day-part boundaries must map a part to its start time, got {boundaries!r}",
            code="dayparts.invalid_boundaries",
        )
    merged: dict[str, time] = dict(DEFAULT_BOUNDARIES)
    for key, start in boundaries.items():
        try:
            part = DayPart(key)
        except ValueError:
            raise ValidationError(
                f"unknown day part {key!r}: expected one of " + ", ".join(p.value for p in _ORDER),
                code="dayparts.invalid_boundaries",
                part=key,
            ) from None
        if not isinstance(start, time) or start.tzinfo is not None:
            raise ValidationError(
                f"day part {part.value!r} must start at a wall-clock time, got {start!r}",
                code="dayparts.invalid_boundaries",
                part=part.value,
            )
        merged[part] = start
    total = 0
    for index, part in enumerate(_ORDER):
        following = _ORDER[(index + 1) % len(_ORDER)]
        gap = (_us(merged[following]) - _us(merged[part])) % _DAY_US
        if gap == 0:
            raise ValidationError(
                f"day parts {part.value!r} and {following.value!r} both start at "
                f"{merged[part].isoformat()}",
                code="dayparts.invalid_boundaries",
            )
        total += gap
    if total != _DAY_US:
        starts = ", ".join(f"{p.value} {merged[p].strftime('%H:%M')}" for p in _ORDER)
        raise ValidationError(
            f"day parts must start in the order morning, afternoon, evening, night: {starts}",
            code="dayparts.invalid_boundaries",
        )
    return MappingProxyType(merged)


def day_part(
    at: datetime,
    calendar_or_zone: BusinessCalendar | tzinfo | str,
    boundaries: Boundaries | None = None,
) -> DayPart:
    """The part of the day at the instant ``at`` in the zone of a calendar (or a zone)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValidationError(
            f"day_part needs an aware datetime, got naive {at.isoformat()}",
            code="calendar.naive_datetime",
        )
    starts = validate_boundaries(boundaries)
    local = at.astimezone(zone_of(calendar_or_zone))
    now = _us(local.time())
    return min(_ORDER, key=lambda part: (now - _us(starts[part])) % _DAY_US)
