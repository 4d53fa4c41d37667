"""Business calendars: opening hours, public holidays and one-off exceptions in a time zone.

A :class:`BusinessCalendar` answers "is support open at this instant?" and "when does it
open next?". Hours are *wall-clock* times in the calendar's IANA zone, so 09:00 stays
09:00 across daylight-saving changes. Every method takes an aware ``datetime`` (naive
ones are rejected) and converts it to the calendar's zone; nothing reads a clock.

Hours of a day
--------------
A :class:`TimeRange` belongs to the day it starts. ``end`` may be ``00:00`` (midnight, the
end of that day); a range whose end is earlier than its start (22:00-02:00) crosses
midnight and also covers the early hours of the next day. ``00:00-00:00`` is the whole
day (24 hours); any other range with ``start == end`` is rejected.

The hours of a date are chosen in this order (see :class:`DayKind`):

1. ``exceptions[day]`` - a one-off day always wins (empty tuple = closed all day).
2. a public holiday (including substituted days off and observed days) - ``holiday_hours``
   (closed by default).
3. a *transferred working day* (a Saturday or Sunday the government turned into a working
   day) - the weekly hours of the weekday it stands in for, i.e. of the substituted day off
   it pays for (Nov 1 2025 stands in for Monday Nov 3 2025). This follows the Russian rule
   (order of Minzdravsotsrazvitiya 588n): "the length of work on the former day off equals
   that of the working day the day off was moved to". When the stand-in cannot be found,
   the hours of the first weekday Monday-Friday that has hours are used.
4. a weekend day (Saturday/Sunday, or the country's weekend) - ``weekly[weekday]``.
5. otherwise a working day - ``weekly[weekday]``.

Pre-holiday days
----------------
Article 95 of the Russian Labour Code makes the working day immediately before a
non-working public holiday one hour shorter. With ``shorten_pre_holiday`` (default: on
for ``holiday_country="RU"``, off otherwise) a *working* day whose next calendar day is a
statutory public holiday closes one hour earlier (the hour is cut from the end of the
day's last ranges). Substituted days off and observed days are not statutory holidays, so
30 December 2025 (before the substituted day off of 31 December) keeps full hours. A
transferred working day is shortened when the day it stands in for would have been (Nov
1 2025 stands in for Nov 3, the eve of Unity Day, so it is shortened). This reproduces the
official production calendars (2024: 1979 hours, 2025: 1972 hours). Weekend days, holidays
and exception days are never shortened. The ``holidays`` package has no data on shortened
days; the rule above is computed here.

What the ``holidays`` package (0.109) offers for Russia
-------------------------------------------------------
``holidays.country_holidays("RU")`` supports only the ``public`` category (no
``half_day``/workday category) and no subdivisions. Government transfers are stored as
"substituted" special holidays for 1991-2027 (``RussiaStaticHolidays``): each entry says
"day X is a day off, substituted from day Y". The substituted days off are ordinary
entries of the holiday set; when Y is a Saturday or Sunday that is not itself a holiday,
the package records Y in ``weekend_workdays`` and ``is_working_day(Y)`` is true. Observed
days (a holiday on a weekend moved to the next working day, e.g. 9 March 2026) come from a
hand table for 1992-2027. Transfers are decreed yearly, so for years after 2027 the
package knows only the fixed-date holidays: no transferred working days and no
substituted or observed days off - add them as ``exceptions`` until the package is
updated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from functools import lru_cache
from itertools import pairwise
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from frontdesk.domain.errors import ValidationError

__all__ = [
    "BusinessCalendar",
    "DayKind",
    "TimeRange",
    "load_zone",
    "zone_of",
]

_DAY_US = 86_400_000_000
_HOUR_US = 3_600_000_000
_ONE_DAY = timedelta(days=1)
_ONE_SECOND = timedelta(seconds=1)
_HORIZON_DAYS = 370
_PLAN_CACHE_LIMIT = 2048
_MIDNIGHT = time(0, 0)
_SHORTENING_COUNTRIES = frozenset({"RU", "RUS"})

_Interval = tuple[int, int]  # microseconds from the start day's midnight, end exclusive
_Plan = tuple[_Interval, ...]


class DayKind(StrEnum):
    """What kind of day a date is in a calendar (in order of precedence, last first)."""

    WORKING = "working"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    TRANSFERRED_WORKING = "transferred_working"
    EXCEPTION = "exception"


def load_zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; a ``ValidationError`` (``calendar.invalid_timezone``) if unknown."""
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(
            f"time zone must be an IANA name such as 'Europe/Moscow', got {name!r}",
            code="calendar.invalid_timezone",
            timezone=name,
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValidationError(
            f"unknown time zone {name!r}: expected an IANA name such as 'Europe/Moscow'",
            code="calendar.invalid_timezone",
            timezone=name,
        ) from exc


def _us(value: time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def _time(us: int) -> time:
    us %= _DAY_US
    seconds, micro = divmod(us, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return time(hour, minute, second, micro)


def _hhmm(value: time) -> str:
    text = value.strftime("%H:%M")
    if value.second or value.microsecond:
        text = value.isoformat()
    return text


_RANGE_RE = re.compile(
    r"^\s*(\d{1,2}:\d{2}(?::\d{2})?)\s*[-\u2013\u2014]\s*(\d{1,2}:\d{2}(?::\d{2})?)\s*$"
)


def _pad_hour(text: str) -> str:
    return text if text.index(":") == 2 else "0" + text


@dataclass(frozen=True, slots=True)
class TimeRange:
    """Wall-clock hours ``[start, end)`` belonging to the day they start.

    ``end == 00:00`` is midnight at the end of the day; ``end < start`` crosses midnight;
    ``00:00-00:00`` is the whole day.
    """

    start: time
    end: time

    def __post_init__(self) -> None:
        for label, value in (("start", self.start), ("end", self.end)):
            if not isinstance(value, time):
                raise ValidationError(
                    f"time range {label} must be a time, got {value!r}",
                    code="calendar.invalid_hours",
                    field=label,
                )
            if value.tzinfo is not None:
                raise ValidationError(
                    f"time range {label} must be a wall-clock time without a zone, "
                    f"got {value.isoformat()}",
                    code="calendar.invalid_hours",
                    field=label,
                )
        if self.start == self.end and self.start != _MIDNIGHT:
            raise ValidationError(
                f"empty time range {_hhmm(self.start)}-{_hhmm(self.end)}: start equals end "
                "(only 00:00-00:00, the whole day, may do so)",
                code="calendar.invalid_hours",
            )

    @classmethod
    def parse(cls, text: str) -> TimeRange:
        """Parse ``"09:00-21:00"`` (also with an en dash, or seconds)."""
        match = _RANGE_RE.match(text) if isinstance(text, str) else None
        if match is None:
            raise ValidationError(
                f"bad time range {text!r}: expected 'HH:MM-HH:MM'",
                code="calendar.invalid_hours",
            )
        try:
            start, end = (time.fromisoformat(_pad_hour(part)) for part in match.groups())
        except ValueError as exc:
            raise ValidationError(
                f"bad time range {text!r}: {exc}", code="calendar.invalid_hours"
            ) from exc
        return cls(start, end)

    @property
    def whole_day(self) -> bool:
        return self.start == _MIDNIGHT and self.end == _MIDNIGHT

    @property
    def crosses_midnight(self) -> bool:
        """True when the range continues into the early hours of the next day."""
        return self.end != _MIDNIGHT and self.end < self.start

    @property
    def duration(self) -> timedelta:
        start, end = self._interval()
        return timedelta(microseconds=end - start)

    def _interval(self) -> _Interval:
        start = _us(self.start)
        end = _us(self.end)
        if end <= start:
            end += _DAY_US
        return start, end

    def __str__(self) -> str:
        return f"{_hhmm(self.start)}-{_hhmm(self.end)}"


def _range_from_interval(interval: _Interval) -> TimeRange:
    start, end = interval
    return TimeRange(_time(start), _time(end))


def _normalize_ranges(ranges: Iterable[TimeRange], where: str) -> tuple[TimeRange, ...]:
    if isinstance(ranges, TimeRange):
        ranges = (ranges,)
    try:
        items = tuple(ranges)
    except TypeError as exc:
        raise ValidationError(
            f"{where}: hours must be a sequence of time ranges, got {ranges!r}",
            code="calendar.invalid_hours",
        ) from exc
    for item in items:
        if not isinstance(item, TimeRange):
            raise ValidationError(
                f"{where}: expected a TimeRange, got {item!r}", code="calendar.invalid_hours"
            )
    ordered = tuple(sorted(items, key=lambda r: (r.start, r._interval()[1])))
    for previous, current in pairwise(ordered):
        if current._interval()[0] < previous._interval()[1]:
            raise ValidationError(
                f"{where}: overlapping hours {previous} and {current}",
                code="calendar.invalid_hours",
            )
    return ordered


def _shorten(intervals: _Plan, cut: int) -> _Plan:
    """Cut ``cut`` microseconds off the end of the day's working time."""
    result = list(intervals)
    while cut > 0 and result:
        start, end = result[-1]
        length = end - start
        if length > cut:
            result[-1] = (start, end - cut)
            cut = 0
        else:
            result.pop()
            cut -= length
    return tuple(result)


# ---------------------------------------------------------------------------------------
# The holidays package, cached per (country, subdivision, year)


@dataclass(frozen=True, slots=True)
class _YearInfo:
    holidays: Mapping[date, str]  # every day off: statutory, observed, substituted
    statutory: frozenset[date]  # non-working public holidays proper
    weekend_workdays: frozenset[date]  # weekend days turned into working days
    stands_in_for: Mapping[date, date]  # weekend workday -> the substituted day off
    weekend: frozenset[int]


_NO_HOLIDAYS = _YearInfo(
    MappingProxyType({}), frozenset(), frozenset(), MappingProxyType({}), frozenset({5, 6})
)


def _substitutions(table: Any, years: Iterable[int]) -> list[tuple[date, date]]:
    """(day off, working day it was substituted from) pairs of a ``special_*_holidays`` table."""
    pairs: list[tuple[date, date]] = []
    if not isinstance(table, Mapping):
        return pairs
    for year in years:
        entries = table.get(year, ())
        if isinstance(entries, tuple) and entries and isinstance(entries[0], int):
            entries = (entries,)
        for entry in entries if isinstance(entries, tuple) else ():
            if not isinstance(entry, tuple) or len(entry) < 4:
                continue
            try:
                to_month, to_day, from_month, from_day = entry[:4]
                from_year = entry[4] if len(entry) > 4 and isinstance(entry[4], int) else year
                pairs.append((date(year, to_month, to_day), date(from_year, from_month, from_day)))
            except (TypeError, ValueError):
                continue
    return pairs


@lru_cache(maxsize=512)
def _year_info(country: str, subdivision: str | None, year: int) -> _YearInfo:
    years = [y for y in (year - 1, year, year + 1) if 1 <= y <= 9999]
    probe = holidays.country_holidays(country, subdiv=subdivision, years=[])
    # names in the country's own language, whatever the process locale
    language = getattr(probe, "default_language", None) or None
    entity = holidays.country_holidays(country, subdiv=subdivision, years=years, language=language)
    unobserved = holidays.country_holidays(country, subdiv=subdivision, years=years, observed=False)
    pairs = _substitutions(getattr(entity, "special_public_holidays", None), years)
    substituted_off = {day_off for day_off, _ in pairs}
    workdays = frozenset(d for d in entity.weekend_workdays if d.year == year)
    stands_in_for = {work: day_off for day_off, work in pairs if work in workdays}
    names = {d: name for d, name in entity.items() if d.year == year}
    statutory = frozenset(d for d in unobserved if d.year == year and d not in substituted_off)
    weekend = frozenset(int(w) for w in getattr(entity, "weekend", {5, 6}))
    return _YearInfo(
        holidays=MappingProxyType(names),
        statutory=statutory,
        weekend_workdays=workdays,
        stands_in_for=MappingProxyType(stands_in_for),
        weekend=weekend,
    )


# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """Opening hours of a contact center in a time zone, with holidays and exceptions.

    Immutable and hashable; the mappings are frozen (``MappingProxyType``), weekdays with
    no hours are dropped from ``weekly`` and each day's ranges are sorted. The resolved
    hours of each date are cached inside the instance (at most ~2000 dates), so
    ``is_open`` costs two dictionary look-ups once warm; ``holidays`` data is cached per
    (country, subdivision, year) for the whole process.
    """

    name: str
    timezone: str
    weekly: Mapping[int, tuple[TimeRange, ...]]
    holiday_country: str | None = "RU"
    holiday_subdivision: str | None = None
    exceptions: Mapping[date, tuple[TimeRange, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    holiday_hours: tuple[TimeRange, ...] = ()
    shorten_pre_holiday: bool | None = None
    """``None``: shorten when ``holiday_country`` is ``"RU"``."""

    _zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _shortens: bool = field(init=False, repr=False, compare=False)
    _plans: dict[date, _Plan] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValidationError(
                f"calendar name must be a non-empty string, got {self.name!r}",
                code="calendar.invalid_name",
            )
        object.__setattr__(self, "_zone", load_zone(self.timezone))
        object.__setattr__(self, "_plans", {})

        if not isinstance(self.weekly, Mapping):
            raise ValidationError(
                f"calendar {self.name!r}: weekly hours must map weekday (0=Monday) to ranges",
                code="calendar.invalid_hours",
            )
        weekly: dict[int, tuple[TimeRange, ...]] = {}
        for weekday, ranges in self.weekly.items():
            if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
                raise ValidationError(
                    f"calendar {self.name!r}: weekday must be 0 (Monday) .. 6 (Sunday), "
                    f"got {weekday!r}",
                    code="calendar.invalid_hours",
                    weekday=weekday,
                )
            normalized = _normalize_ranges(ranges, f"calendar {self.name!r}, weekday {weekday}")
            if normalized:
                weekly[weekday] = normalized
        object.__setattr__(self, "weekly", MappingProxyType(dict(sorted(weekly.items()))))

        if not isinstance(self.exceptions, Mapping):
            raise ValidationError(
                f"calendar {self.name!r}: exceptions must map dates to ranges",
                code="calendar.invalid_hours",
            )
        exceptions: dict[date, tuple[TimeRange, ...]] = {}
        for day, ranges in self.exceptions.items():
            if isinstance(day, datetime) or not isinstance(day, date):
                raise ValidationError(
                    f"calendar {self.name!r}: exception keys must be dates, got {day!r}",
                    code="calendar.invalid_hours",
                )
            exceptions[day] = _normalize_ranges(ranges, f"calendar {self.name!r}, {day}")
        object.__setattr__(self, "exceptions", MappingProxyType(dict(sorted(exceptions.items()))))
        object.__setattr__(
            self,
            "holiday_hours",
            _normalize_ranges(self.holiday_hours, f"calendar {self.name!r}, holiday hours"),
        )

        country = self.holiday_country
        if country is not None:
            if not isinstance(country, str) or not country.strip():
                raise ValidationError(
                    f"calendar {self.name!r}: holiday country must be a country code, "
                    f"got {country!r}",
                    code="calendar.invalid_holidays",
                )
            country = country.strip().upper()
            object.__setattr__(self, "holiday_country", country)
            try:
                holidays.country_holidays(country, subdiv=self.holiday_subdivision, years=[])
            except (NotImplementedError, ValueError, TypeError, KeyError) as exc:
                raise ValidationError(
                    f"calendar {self.name!r}: no public holidays known for country "
                    f"{country!r} subdivision {self.holiday_subdivision!r}: {exc}",
                    code="calendar.invalid_holidays",
                    country=country,
                    subdivision=self.holiday_subdivision,
                ) from exc
        elif self.holiday_subdivision is not None:
            raise ValidationError(
                f"calendar {self.name!r}: a holiday subdivision needs a holiday country",
                code="calendar.invalid_holidays",
            )
        shortens = (
            country in _SHORTENING_COUNTRIES
            if self.shorten_pre_holiday is None
            else bool(self.shorten_pre_holiday)
        )
        object.__setattr__(self, "_shortens", shortens)

    def __hash__(self) -> int:
        return hash(
            (
                self.name,
                self.timezone,
                tuple(self.weekly.items()),
                tuple(self.exceptions.items()),
                self.holiday_country,
                self.holiday_subdivision,
                self.holiday_hours,
                self.shorten_pre_holiday,
            )
        )

    # -- time --------------------------------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    def local(self, at: datetime) -> datetime:
        """``at`` in the calendar's zone; ``at`` must be aware."""
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValidationError(
                f"calendar {self.name!r} needs an aware datetime, got naive {at.isoformat()}",
                code="calendar.naive_datetime",
            )
        return at.astimezone(self._zone)

    # -- days --------------------------------------------------------------------------

    def _info(self, day: date) -> _YearInfo:
        if self.holiday_country is None:
            return _NO_HOLIDAYS
        return _year_info(self.holiday_country, self.holiday_subdivision, day.year)

    def is_holiday(self, day: date) -> bool:
        """A public day off: statutory, observed or substituted (exceptions do not count)."""
        return day in self._info(day).holidays

    def holiday_name(self, day: date) -> str | None:
        """The name of the public holiday on ``day`` (in the country's language), if any."""
        return self._info(day).holidays.get(day)

    def is_transferred_working_day(self, day: date) -> bool:
        """A weekend day made a working day by a transfer of days off."""
        return day in self._info(day).weekend_workdays

    def is_pre_holiday(self, day: date) -> bool:
        """The next day is a statutory public holiday (whatever ``day`` itself is)."""
        try:
            following = day + _ONE_DAY
        except OverflowError:
            return False
        return following in self._info(following).statutory

    def day_kind(self, day: date) -> DayKind:
        if day in self.exceptions:
            return DayKind.EXCEPTION
        info = self._info(day)
        if day in info.holidays:
            return DayKind.HOLIDAY
        if day in info.weekend_workdays:
            return DayKind.TRANSFERRED_WORKING
        if day.weekday() in info.weekend:
            return DayKind.WEEKEND
        return DayKind.WORKING

    def _stand_in(self, day: date) -> date | None:
        return self._info(day).stands_in_for.get(day)

    def _weekday_hours(self, weekday: int) -> tuple[TimeRange, ...]:
        return self.weekly.get(weekday, ())

    def _compute_plan(self, day: date) -> _Plan:
        kind = self.day_kind(day)
        shorten = False
        if kind is DayKind.EXCEPTION:
            ranges = self.exceptions[day]
        elif kind is DayKind.HOLIDAY:
            ranges = self.holiday_hours
        elif kind is DayKind.TRANSFERRED_WORKING:
            stand_in = self._stand_in(day)
            if stand_in is not None:
                ranges = self._weekday_hours(stand_in.weekday())
            else:
                ranges = next((self.weekly[w] for w in range(5) if w in self.weekly), ())
            shorten = self._shortens and (
                self.is_pre_holiday(day) or (stand_in is not None and self.is_pre_holiday(stand_in))
            )
        elif kind is DayKind.WEEKEND:
            ranges = self._weekday_hours(day.weekday())
        else:
            ranges = self._weekday_hours(day.weekday())
            shorten = self._shortens and self.is_pre_holiday(day)
        plan = tuple(r._interval() for r in ranges)
        if shorten:
            plan = _shorten(plan, _HOUR_US)
        return plan

    def _plan(self, day: date) -> _Plan:
        plans = self._plans
        plan = plans.get(day)
        if plan is None:
            plan = self._compute_plan(day)
            if len(plans) >= _PLAN_CACHE_LIMIT:
                plans.clear()
            plans[day] = plan
        return plan

    def hours_on(self, day: date) -> tuple[TimeRange, ...]:
        """The ranges that start on ``day`` (after exceptions, holidays, shortening)."""
        return tuple(_range_from_interval(interval) for interval in self._plan(day))

    # -- instants ----------------------------------------------------------------------

    def _open_local(self, local: datetime) -> bool:
        day = local.date()
        us = ((local.hour * 60 + local.minute) * 60 + local.second) * 1_000_000 + local.microsecond
        for start, end in self._plan(day):
            if start <= us < end:
                return True
        if day == date.min:
            return False
        us += _DAY_US
        return any(start <= us < end for start, end in self._plan(day - _ONE_DAY))

    def is_open(self, at: datetime) -> bool:
        """Open at the instant ``at`` (wall-clock hours, the previous day's overnight range)."""
        return self._open_local(self.local(at))

    def next_open(self, at: datetime) -> datetime | None:
        """The first instant at or after ``at`` when the calendar is open, in its zone.

        ``at`` itself (converted) when already open; ``None`` when closed for the next
        ~370 days. Note that Python subtracts and compares datetimes that share a zone
        by wall clock, and never finds an ambiguous local time (the repeated hour of a
        fall-back) equal to a time in another zone: use ``.astimezone(UTC)`` for
        arithmetic on the result.
        """
        return self._first(at, want_open=True)

    def next_close(self, at: datetime) -> datetime | None:
        """The first instant at or after ``at`` when the calendar is closed, in its zone.

        ``at`` itself (converted) when already closed; ``None`` when open for the next
        ~370 days without a break (a 24/7 calendar).
        """
        return self._first(at, want_open=False)

    def _first(self, at: datetime, *, want_open: bool) -> datetime | None:
        local = self.local(at)
        if self._open_local(local) is want_open:
            return local
        now = local.astimezone(UTC)
        day = local.date()
        if day > date.min:
            day -= _ONE_DAY
        for _ in range(_HORIZON_DAYS + 2):
            for candidate in self._change_points(day):
                if candidate > now and self._open_local(candidate.astimezone(self._zone)) is (
                    want_open
                ):
                    return candidate.astimezone(self._zone)
            try:
                day += _ONE_DAY
            except OverflowError:
                return None
        return None

    def _change_points(self, day: date) -> list[datetime]:
        """Instants (UTC, sorted) on the wall-clock date ``day`` where openness may change."""
        walls = set()
        for start, end in self._plan(day):
            walls.add(start)
            if end < _DAY_US:
                walls.add(end)
        if day != date.min:
            for _, end in self._plan(day - _ONE_DAY):
                if end >= _DAY_US:
                    walls.add(end - _DAY_US)
        zone = self._zone
        points: set[datetime] = set()
        for wall in walls:
            naive = datetime.combine(day, _time(wall))
            for fold in (0, 1):
                instant = naive.replace(tzinfo=zone, fold=fold).astimezone(UTC)
                if instant.astimezone(zone).replace(tzinfo=None) == naive:
                    points.add(instant)
        points.update(self._transitions(day))
        return sorted(points)

    def _transitions(self, day: date) -> tuple[datetime, ...]:
        """UTC offset changes during the wall-clock ``day`` (DST), to the second."""
        zone = self._zone
        try:
            lo = datetime.combine(day, _MIDNIGHT, zone).astimezone(UTC)
            hi = datetime.combine(day + _ONE_DAY, _MIDNIGHT, zone).astimezone(UTC)
        except OverflowError:
            return ()
        offset = lo.astimezone(zone).utcoffset()
        if hi.astimezone(zone).utcoffset() == offset:
            return ()
        while hi - lo > _ONE_SECOND:
            mid = lo + _ONE_SECOND * ((hi - lo) // _ONE_SECOND // 2)
            if mid.astimezone(zone).utcoffset() == offset:
                lo = mid
            else:
                hi = mid
        return (hi,)


def zone_of(calendar_or_zone: BusinessCalendar | tzinfo | str) -> tzinfo:
    """The zone of a calendar, a zone, or an IANA zone name."""
    if isinstance(calendar_or_zone, BusinessCalendar):
        return calendar_or_zone.zone
    if isinstance(calendar_or_zone, str):
        return load_zone(calendar_or_zone)
    if isinstance(calendar_or_zone, tzinfo):
        return calendar_or_zone
    raise ValidationError(
        f"expected a calendar, a zone or an IANA zone name, got {calendar_or_zone!r}",
        code="calendar.invalid_timezone",
    )
