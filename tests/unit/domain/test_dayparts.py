"""Parts of the day for greetings."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontdesk.domain.calendar import BusinessCalendar
from frontdesk.domain.dayparts import DEFAULT_BOUNDARIES, DayPart, day_part, validate_boundaries
from frontdesk.domain.errors import ValidationError

MOSCOW = ZoneInfo("Europe/Moscow")


@pytest.mark.parametrize(
    ("wall", "part"),
    [
        (time(0, 0), DayPart.NIGHT),
        (time(4, 59, 59), DayPart.NIGHT),
        (time(5, 0), DayPart.MORNING),
        (time(11, 59), DayPart.MORNING),
        (time(12, 0), DayPart.AFTERNOON),
        (time(16, 59), DayPart.AFTERNOON),
        (time(17, 0), DayPart.EVENING),
        (time(22, 59, 59, 999999), DayPart.EVENING),
        (time(23, 0), DayPart.NIGHT),
    ],
)
def test_default_boundaries(wall: time, part: DayPart) -> None:
    at = datetime.combine(datetime(2025, 6, 3).date(), wall, MOSCOW)
    assert day_part(at, "Europe/Moscow") is part
    assert day_part(at, MOSCOW) == part.value


def test_uses_the_local_time_of_a_calendar_or_zone() -> None:
    at = datetime(2025, 6, 3, 6, 30, tzinfo=UTC)  # 09:30 in Moscow, 02:30 in New York
    calendar = BusinessCalendar("c", "Europe/Moscow", {}, holiday_country=None)
    assert day_part(at, calendar) is DayPart.MORNING
    assert day_part(at, "America/New_York") is DayPart.NIGHT
    assert day_part(at, timezone(timedelta(hours=10))) is DayPart.AFTERNOON


def test_custom_boundaries() -> None:
    at = datetime(2025, 6, 3, 0, 15, tzinfo=MOSCOW)
    late_night = {"night": time(0, 30)}
    assert day_part(at, MOSCOW, late_night) is DayPart.EVENING
    assert day_part(at.replace(minute=45), MOSCOW, late_night) is DayPart.NIGHT
    early = {DayPart.MORNING: time(6), DayPart.AFTERNOON: time(11, 30)}
    assert day_part(at.replace(hour=5, minute=30), MOSCOW, early) is DayPart.NIGHT
    assert day_part(at.replace(hour=11, minute=45), MOSCOW, early) is DayPart.AFTERNOON
    assert validate_boundaries(None) is DEFAULT_BOUNDARIES


@pytest.mark.parametrize(
    "boundaries",
    [
        {"evening": time(11)},  # before the afternoon
        {"afternoon": time(5)},  # same start as the morning
        {"lunch": time(13)},  # unknown part
        {"morning": "05:00"},  # not a time
        {"morning": time(5, tzinfo=UTC)},
        {"morning": time(12), "afternoon": time(5)},  # swapped
    ],
)
def test_bad_boundaries_are_rejected(boundaries: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as info:
        validate_boundaries(boundaries)  # type: ignore[arg-type]
    assert info.value.code == "dayparts.invalid_boundaries"


def test_naive_datetime_and_bad_zone_are_rejected() -> None:
    with pytest.raises(ValidationError) as info:
        day_part(datetime(2025, 6, 3, 12), MOSCOW)
    assert info.value.code == "calendar.naive_datetime"
    with pytest.raises(ValidationError) as info:
        day_part(datetime(2025, 6, 3, 12, tzinfo=UTC), "Nowhere/City")
    assert info.value.code == "calendar.invalid_timezone"


@given(st.times())
def test_every_time_has_exactly_the_part_whose_range_contains_it(wall: time) -> None:
    part = day_part(datetime.combine(datetime(2025, 1, 1).date(), wall, UTC), UTC)
    starts = [DEFAULT_BOUNDARIES[p] for p in DayPart]
    expected = {
        DayPart.MORNING: starts[0] <= wall < starts[1],
        DayPart.AFTERNOON: starts[1] <= wall < starts[2],
        DayPart.EVENING: starts[2] <= wall < starts[3],
        DayPart.NIGHT: wall >= starts[3] or wall < starts[0],
    }
    assert [p for p, inside in expected.items() if inside] == [part]
