"""Business calendars: Russian holidays and transfers, overnight hours, exceptions, DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontdesk.domain.calendar import BusinessCalendar, DayKind, TimeRange, load_zone
from frontdesk.domain.errors import ValidationError

MOSCOW = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")
MIDNIGHT = time(0, 0)


def hours(text: str) -> tuple[TimeRange, ...]:
    return tuple(TimeRange.parse(part) for part in text.split(",") if part.strip())


def support(**overrides: object) -> BusinessCalendar:
    """09:00-21:00 on weekdays, 10:00-18:00 on Saturdays, Moscow."""
    weekday = hours("09:00-21:00")
    arguments: dict[str, object] = {
        "name": "support",
        "timezone": "Europe/Moscow",
        "weekly": dict.fromkeys(range(5), weekday) | {5: hours("10:00-18:00")},
    }
    arguments.update(overrides)
    return BusinessCalendar(**arguments)  # type: ignore[arg-type]


def msk(year: int, month: int, day: int, *clock: int) -> datetime:
    """A Moscow wall-clock time; ``clock`` is hour, minute, second, microsecond."""
    hour, minute, second, us = (*clock, 0, 0, 0, 0)[:4]
    return datetime(year, month, day, hour, minute, second, us, tzinfo=MOSCOW)


def strs(ranges: tuple[TimeRange, ...]) -> list[str]:
    return [str(r) for r in ranges]


# --- Russian public holidays ------------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [
        *(date(2025, 1, d) for d in range(1, 9)),
        date(2024, 2, 23),
        date(2024, 3, 8),
        date(2025, 5, 1),
        date(2025, 5, 9),
        date(2025, 6, 12),
        date(2025, 11, 4),
    ],
)
def test_russian_public_holidays_are_closed(day: date) -> None:
    cal = support()
    assert cal.is_holiday(day)
    assert cal.day_kind(day) is DayKind.HOLIDAY
    assert cal.hours_on(day) == ()
    for hour in (0, 9, 12, 17, 20, 23):
        assert not cal.is_open(datetime.combine(day, time(hour), MOSCOW))


def test_holiday_names_are_in_russian() -> None:
    cal = support()
    assert cal.holiday_name(date(2025, 11, 4)) == "День народного единства"
    assert cal.holiday_name(date(2025, 11, 5)) is None


def test_ordinary_days() -> None:
    cal = support()
    assert cal.day_kind(date(2025, 6, 3)) is DayKind.WORKING
    assert strs(cal.hours_on(date(2025, 6, 3))) == ["09:00-21:00"]
    assert cal.day_kind(date(2025, 6, 7)) is DayKind.WEEKEND
    assert strs(cal.hours_on(date(2025, 6, 7))) == ["10:00-18:00"]
    assert cal.hours_on(date(2025, 6, 8)) == ()
    assert cal.is_open(msk(2025, 6, 3, 9, 0))
    assert cal.is_open(msk(2025, 6, 3, 20, 59, 59))
    assert not cal.is_open(msk(2025, 6, 3, 21, 0))
    assert not cal.is_open(msk(2025, 6, 3, 8, 59, 59))
    # the same instant given in another zone
    assert cal.is_open(datetime(2025, 6, 3, 6, 0, tzinfo=UTC))
    assert not cal.is_open(datetime(2025, 6, 3, 5, 59, tzinfo=UTC))


def test_transferred_working_saturday_is_open_with_weekday_hours() -> None:
    cal = support()
    # Saturday 1 November 2025 worked for Monday 3 November (the eve of Unity Day), so it
    # has Monday's hours, shortened by one hour like 3 November would have been.
    saturday = date(2025, 11, 1)
    assert saturday.weekday() == 5
    assert cal.is_transferred_working_day(saturday)
    assert cal.day_kind(saturday) is DayKind.TRANSFERRED_WORKING
    assert strs(cal.hours_on(saturday)) == ["09:00-20:00"]
    assert cal.is_open(msk(2025, 11, 1, 9, 30))
    assert cal.is_open(msk(2025, 11, 1, 19, 30))
    assert not cal.is_open(msk(2025, 11, 1, 20, 0))
    # ... and the bridged Monday is a day off
    assert cal.day_kind(date(2025, 11, 3)) is DayKind.HOLIDAY
    assert not cal.is_open(msk(2025, 11, 3, 12, 0))


def test_transferred_saturday_replacing_an_ordinary_day_has_full_hours() -> None:
    cal = support()
    # Saturday 27 April 2024 worked for Monday 29 April (followed by a day off, not a holiday)
    assert cal.day_kind(date(2024, 4, 27)) is DayKind.TRANSFERRED_WORKING
    assert strs(cal.hours_on(date(2024, 4, 27))) == ["09:00-21:00"]
    # Saturday 2 November 2024 worked for Tuesday 30 April, the eve of 1 May: shortened
    assert strs(cal.hours_on(date(2024, 11, 2))) == ["09:00-20:00"]
    assert cal.day_kind(date(2024, 4, 29)) is DayKind.HOLIDAY
    assert cal.day_kind(date(2024, 4, 30)) is DayKind.HOLIDAY


def test_transferred_day_without_country_is_a_plain_weekend() -> None:
    cal = support(holiday_country=None)
    assert cal.day_kind(date(2025, 11, 1)) is DayKind.WEEKEND
    assert strs(cal.hours_on(date(2025, 11, 1))) == ["10:00-18:00"]
    assert cal.day_kind(date(2025, 1, 1)) is DayKind.WORKING
    assert not cal.is_holiday(date(2025, 1, 1))


# --- pre-holiday days ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [date(2025, 3, 7), date(2025, 4, 30), date(2025, 6, 11), date(2024, 2, 22), date(2024, 5, 8)],
)
def test_pre_holiday_day_is_one_hour_shorter(day: date) -> None:
    cal = support()
    assert cal.is_pre_holiday(day)
    assert strs(cal.hours_on(day)) == ["09:00-20:00"]
    assert cal.is_open(datetime.combine(day, time(19, 59), MOSCOW))
    assert not cal.is_open(datetime.combine(day, time(20, 30), MOSCOW))


@pytest.mark.parametrize(
    "day",
    [
        date(2025, 5, 7),  # before 8 May 2025, a substituted day off, not a holiday
        date(2025, 12, 30),  # before 31 December 2025, a substituted day off
        date(2025, 2, 21),  # Friday before a Saturday that is not a holiday
    ],
)
def test_day_before_a_mere_day_off_is_not_shortened(day: date) -> None:
    assert strs(support().hours_on(day)) == ["09:00-21:00"]


def test_shortening_can_be_switched_off_and_is_off_for_other_countries() -> None:
    assert strs(support(shorten_pre_holiday=False).hours_on(date(2025, 3, 7))) == ["09:00-21:00"]
    germany = support(timezone="Europe/Berlin", holiday_country="DE", holiday_subdivision="BY")
    assert strs(germany.hours_on(date(2025, 12, 24))) == ["09:00-21:00"]
    assert germany.day_kind(date(2025, 12, 25)) is DayKind.HOLIDAY
    assert strs(
        support(holiday_country="DE", shorten_pre_holiday=True).hours_on(date(2025, 12, 24))
    ) == ["09:00-20:00"]


def test_shortening_cuts_the_last_hour_across_ranges() -> None:
    split = hours("09:00-13:00,13:30-14:00")
    cal = support(weekly={4: split})
    assert strs(cal.hours_on(date(2025, 3, 7))) == ["09:00-12:30"]
    overnight = support(weekly={2: hours("20:00-02:00")})
    assert strs(overnight.hours_on(date(2025, 6, 11))) == ["20:00-01:00"]
    to_midnight = support(weekly={2: hours("20:00-01:00")})
    assert to_midnight.hours_on(date(2025, 6, 11)) == (TimeRange(time(20), MIDNIGHT),)


@pytest.mark.parametrize(
    ("year", "days", "hours_"),
    [
        (2019, 247, 1970),
        (2020, 248, 1979),
        (2021, 247, 1972),
        (2022, 247, 1973),
        (2023, 247, 1973),
        (2024, 248, 1979),
        (2025, 247, 1972),
        (2026, 247, 1972),
    ],
)
def test_production_calendar_norms(year: int, days: int, hours_: int) -> None:
    """An 8-hour weekday reproduces the official Russian norms of working time."""
    eight = hours("09:00-17:00")
    cal = BusinessCalendar("norm", "Europe/Moscow", dict.fromkeys(range(5), eight))
    day, worked, total = date(year, 1, 1), 0, timedelta()
    while day.year == year:
        ranges = cal.hours_on(day)
        worked += bool(ranges)
        total += sum((r.duration for r in ranges), timedelta())
        day += timedelta(days=1)
    assert (worked, total) == (days, timedelta(hours=hours_))


# --- overnight ranges ---------------------------------------------------------------------


def test_range_across_midnight_belongs_to_its_start_day() -> None:
    cal = support(weekly={4: hours("22:00-02:00")}, holiday_country=None)
    friday, saturday = date(2025, 6, 6), date(2025, 6, 7)
    assert strs(cal.hours_on(friday)) == ["22:00-02:00"]
    assert cal.hours_on(saturday) == ()
    assert TimeRange(time(22), time(2)).crosses_midnight
    assert TimeRange(time(22), time(2)).duration == timedelta(hours=4)
    assert not cal.is_open(msk(2025, 6, 6, 21, 59))
    assert cal.is_open(msk(2025, 6, 6, 22, 0))
    assert cal.is_open(msk(2025, 6, 7, 0, 0))
    assert cal.is_open(msk(2025, 6, 7, 1, 59, 59, 999999))
    assert not cal.is_open(msk(2025, 6, 7, 2, 0))
    assert not cal.is_open(msk(2025, 6, 6, 1, 0))  # Thursday had no night shift
    assert cal.next_close(msk(2025, 6, 6, 23, 0)) == msk(2025, 6, 7, 2, 0)


def test_overnight_tail_runs_into_a_holiday() -> None:
    cal = support(weekly={2: hours("22:00-03:00")})
    # Wednesday 11 June 2025 (pre-holiday: 22:00-02:00) runs into Russia Day
    assert cal.is_open(msk(2025, 6, 12, 1, 30))
    assert not cal.is_open(msk(2025, 6, 12, 2, 30))


def test_midnight_end_and_whole_day() -> None:
    late = support(weekly={0: hours("18:00-00:00")}, holiday_country=None)
    assert late.is_open(msk(2025, 6, 2, 23, 59, 59))
    assert not late.is_open(msk(2025, 6, 3, 0, 0))
    assert late.next_close(msk(2025, 6, 2, 19, 0)) == msk(2025, 6, 3, 0, 0)
    assert not TimeRange(time(18), MIDNIGHT).crosses_midnight

    always = BusinessCalendar(
        "24/7", "Europe/Moscow", {d: hours("00:00-00:00") for d in range(7)}, holiday_country=None
    )
    assert TimeRange(MIDNIGHT, MIDNIGHT).whole_day
    assert TimeRange(MIDNIGHT, MIDNIGHT).duration == timedelta(days=1)
    assert always.is_open(msk(2025, 6, 2, 0, 0))
    assert always.next_close(msk(2025, 6, 2, 12, 0)) is None
    at = msk(2025, 6, 2, 12, 0)
    assert always.next_open(at) == at


# --- exceptions ---------------------------------------------------------------------------


def test_exceptions_win_over_everything() -> None:
    cal = support(
        exceptions={
            date(2025, 1, 3): hours("10:00-14:00"),  # open on a New Year holiday
            date(2025, 6, 3): (),  # closed on an ordinary Tuesday
            date(2025, 3, 7): hours("09:00-21:00"),  # a pre-holiday day is not shortened
            date(2025, 11, 1): hours("12:00-13:00"),  # nor is a transferred working day kept
        },
        holiday_hours=hours("11:00-15:00"),
    )
    assert cal.day_kind(date(2025, 1, 3)) is DayKind.EXCEPTION
    assert cal.is_holiday(date(2025, 1, 3))  # still a public holiday, just open
    assert cal.is_open(msk(2025, 1, 3, 10, 30))
    assert not cal.is_open(msk(2025, 1, 3, 14, 30))
    assert not cal.is_open(msk(2025, 6, 3, 12, 0))
    assert strs(cal.hours_on(date(2025, 3, 7))) == ["09:00-21:00"]
    assert strs(cal.hours_on(date(2025, 11, 1))) == ["12:00-13:00"]
    # holidays without an exception get holiday_hours
    assert strs(cal.hours_on(date(2025, 1, 2))) == ["11:00-15:00"]
    assert cal.is_open(msk(2025, 1, 2, 11, 0))


# --- next open / close --------------------------------------------------------------------


def test_next_open_over_the_new_year_holidays() -> None:
    cal = support()
    # Saturday 28 December 2024 was a working day; then nothing is open until 9 January
    after_close = msk(2024, 12, 28, 21, 30)
    assert cal.next_open(after_close) == msk(2025, 1, 9, 9, 0)
    opened = cal.next_open(datetime(2024, 12, 28, 18, 30, tzinfo=UTC))
    assert opened == msk(2025, 1, 9, 9, 0)
    assert opened is not None
    assert opened.tzinfo is MOSCOW
    assert cal.next_close(msk(2024, 12, 28, 12, 0)) == msk(2024, 12, 28, 21, 0)
    assert cal.next_close(after_close) == after_close
    at = msk(2025, 1, 9, 10, 0)
    assert cal.next_open(at) == at


def test_next_open_of_a_calendar_that_never_opens() -> None:
    closed = BusinessCalendar("closed", "Europe/Moscow", {})
    assert closed.next_open(msk(2025, 1, 1)) is None


def test_next_open_finds_a_day_a_year_away() -> None:
    cal = BusinessCalendar(
        "yearly", "Europe/Moscow", {}, exceptions={date(2026, 1, 20): hours("10:00-11:00")}
    )
    assert cal.next_open(msk(2025, 2, 1)) == msk(2026, 1, 20, 10, 0)
    assert cal.next_open(msk(2024, 1, 1)) is None  # beyond the ~370 day horizon


# --- daylight saving time -----------------------------------------------------------------


def berlin(weekly: dict[int, tuple[TimeRange, ...]]) -> BusinessCalendar:
    return BusinessCalendar("de", "Europe/Berlin", weekly, holiday_country=None)


def test_wall_clock_hours_across_spring_forward() -> None:
    cal = berlin({d: hours("09:00-17:00") for d in range(5)})
    # Friday 28 March 2025 opens at 08:00 UTC (CET), Monday 31 March at 07:00 UTC (CEST)
    assert cal.is_open(datetime(2025, 3, 28, 8, 0, tzinfo=UTC))
    assert not cal.is_open(datetime(2025, 3, 28, 7, 30, tzinfo=UTC))
    assert cal.is_open(datetime(2025, 3, 31, 7, 0, tzinfo=UTC))
    opened = cal.next_open(datetime(2025, 3, 29, 12, 0, tzinfo=UTC))
    assert opened == datetime(2025, 3, 31, 7, 0, tzinfo=UTC)
    assert opened is not None
    assert opened.utcoffset() == timedelta(hours=2)
    assert (opened.hour, opened.minute) == (9, 0)


def test_range_inside_the_skipped_hour_never_opens() -> None:
    # 30 March 2025: 02:00 CET jumps to 03:00 CEST
    gap = berlin({6: hours("02:00-02:30"), 0: hours("09:00-10:00")})
    assert gap.next_open(datetime(2025, 3, 29, 23, 0, tzinfo=UTC)) == datetime(
        2025, 3, 31, 9, 0, tzinfo=BERLIN
    )
    # a range starting in the gap opens when the clocks jump
    starts_in_gap = berlin({6: hours("02:30-05:00")})
    opened = starts_in_gap.next_open(datetime(2025, 3, 29, 23, 0, tzinfo=UTC))
    assert opened == datetime(2025, 3, 30, 1, 0, tzinfo=UTC)
    assert opened is not None
    assert (opened.hour, opened.minute) == (3, 0)
    assert starts_in_gap.next_close(opened) == datetime(2025, 3, 30, 3, 0, tzinfo=UTC)


def test_wall_clock_hours_across_fall_back() -> None:
    # 26 October 2025: 03:00 CEST falls back to 02:00 CET; 01:00-04:00 lasts four hours
    cal = berlin({6: hours("01:00-04:00")})
    start = cal.next_open(datetime(2025, 10, 25, 12, 0, tzinfo=UTC))
    assert start == datetime(2025, 10, 25, 23, 0, tzinfo=UTC)
    assert start is not None
    end = cal.next_close(start)
    assert end == datetime(2025, 10, 26, 3, 0, tzinfo=UTC)
    assert end is not None
    # same-zone datetimes subtract as wall clocks in Python: compare real time in UTC
    assert end - start == timedelta(hours=3)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=4)
    # both 02:30s are open
    assert cal.is_open(datetime(2025, 10, 26, 0, 30, tzinfo=UTC))
    assert cal.is_open(datetime(2025, 10, 26, 1, 30, tzinfo=UTC))


def utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def test_fall_back_repeats_the_wall_clock_hour() -> None:
    # 02:15-04:00: open 02:15 CEST, closed when the clock falls back to 02:00, open again.
    # (Python never finds an ambiguous local time equal to a time in another zone, so
    # these results are compared in UTC.)
    cal = berlin({6: hours("02:15-04:00")})
    opened = cal.next_open(datetime(2025, 10, 25, 22, 0, tzinfo=UTC))
    assert utc(opened) == datetime(2025, 10, 26, 0, 15, tzinfo=UTC)
    assert opened is not None
    closed = cal.next_close(opened)
    assert utc(closed) == datetime(2025, 10, 26, 1, 0, tzinfo=UTC)
    assert closed is not None
    assert (closed.hour, closed.minute, closed.fold) == (2, 0, 1)
    again = cal.next_open(closed)
    assert utc(again) == datetime(2025, 10, 26, 1, 15, tzinfo=UTC)
    assert again is not None
    assert utc(cal.next_close(again)) == datetime(2025, 10, 26, 3, 0, tzinfo=UTC)


def test_moscow_has_no_dst() -> None:
    cal = support(holiday_country=None)
    for day in (date(2025, 1, 6), date(2025, 7, 7)):  # Mondays in winter and summer
        opened = cal.next_open(datetime.combine(day, time(0), UTC))
        assert opened == datetime.combine(day, time(6), UTC)


def test_local_converts_and_rejects_naive() -> None:
    cal = support()
    local = cal.local(datetime(2025, 6, 3, 6, 0, tzinfo=UTC))
    assert local.tzinfo is MOSCOW
    assert local.hour == 9
    with pytest.raises(ValidationError) as info:
        cal.is_open(datetime(2025, 6, 3, 12, 0))
    assert info.value.code == "calendar.naive_datetime"


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "../../etc/passwd", "Europe/"])
def test_bad_zone_is_rejected_by_name(zone: str) -> None:
    with pytest.raises(ValidationError) as info:
        support(timezone=zone)
    assert info.value.code == "calendar.invalid_timezone"
    assert repr(zone) in str(info.value)


def test_load_zone() -> None:
    assert load_zone("Europe/Moscow") == MOSCOW


@pytest.mark.parametrize(("start", "end"), [(time(9), time(9)), (time(23, 30), time(23, 30))])
def test_empty_range_is_rejected(start: time, end: time) -> None:
    with pytest.raises(ValidationError, match="start equals end") as info:
        TimeRange(start, end)
    assert info.value.code == "calendar.invalid_hours"


@pytest.mark.parametrize(
    "weekly",
    [
        {0: hours("09:00-13:00,12:00-18:00")},  # overlapping
        {0: hours("00:00-00:00,09:00-10:00")},  # overlaps the whole day
        {7: hours("09:00-18:00")},  # no such weekday
        {0: ["09:00-18:00"]},  # not a TimeRange
    ],
)
def test_bad_weekly_hours_are_rejected(weekly: dict[int, object]) -> None:
    with pytest.raises(ValidationError) as info:
        support(weekly=weekly)
    assert info.value.code == "calendar.invalid_hours"


def test_bad_ranges_are_rejected() -> None:
    with pytest.raises(ValidationError) as info:
        TimeRange(time(9, tzinfo=UTC), time(18))
    assert info.value.code == "calendar.invalid_hours"
    for text in ["9-18", "09:00", "25:00-26:00", "09:00-09:00"]:
        with pytest.raises(ValidationError):
            TimeRange.parse(text)
    assert TimeRange.parse("9:00 – 18:30") == TimeRange(time(9), time(18, 30))
    assert TimeRange.parse("9:00:30-18:00:15") == TimeRange(time(9, 0, 30), time(18, 0, 15))
    assert str(TimeRange.parse("22:00-02:00")) == "22:00-02:00"
    with pytest.raises(ValidationError) as info:
        support(exceptions={datetime(2025, 1, 1, tzinfo=UTC): ()})
    assert info.value.code == "calendar.invalid_hours"


def test_bad_holiday_settings_are_rejected() -> None:
    for overrides in (
        {"holiday_country": "XX"},
        {"holiday_country": "RU", "holiday_subdivision": "MOW"},
        {"holiday_country": None, "holiday_subdivision": "BY"},
    ):
        with pytest.raises(ValidationError) as info:
            support(**overrides)
        assert info.value.code == "calendar.invalid_holidays"
    with pytest.raises(ValidationError) as info:
        support(name=" ")
    assert info.value.code == "calendar.invalid_name"
    assert support(holiday_country="ru").holiday_country == "RU"


def test_calendars_are_values() -> None:
    a, b = support(), support()
    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b}) == 1
    assert a != support(holiday_country=None)
    # lists are accepted and frozen, closed days are dropped
    c = support(weekly={0: [TimeRange(time(9), time(10))], 1: []})
    assert dict(c.weekly) == {0: (TimeRange(time(9), time(10)),)}


# --- properties ---------------------------------------------------------------------------

ZONES = [
    "Europe/Moscow",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",  # half-hour DST
    "America/Santiago",  # DST changes at midnight
]


@st.composite
def day_hours(draw: st.DrawFn) -> tuple[TimeRange, ...]:
    points = sorted(draw(st.sets(st.integers(0, 95), max_size=5)))
    result = [
        TimeRange(time(a // 4, a % 4 * 15), time(b // 4, b % 4 * 15))
        for a, b in zip(points[0::2], points[1::2], strict=False)
    ]
    if len(points) % 2:  # the odd point starts a range to midnight or across it
        last = points[-1]
        end = draw(st.integers(0, 95).filter(lambda q: q != last or q == 0))
        result.append(TimeRange(time(last // 4, last % 4 * 15), time(end // 4, end % 4 * 15)))
    return tuple(result)


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    weekly = {d: draw(day_hours()) for d in range(7)}
    return BusinessCalendar(
        "random",
        draw(st.sampled_from(ZONES)),
        weekly,
        holiday_country=draw(st.sampled_from(["RU", None])),
        holiday_hours=draw(st.sampled_from([(), hours("10:00-16:00")])),
    )


DST_CHANGES = [  # 2025 offset changes of the zones above, in UTC
    datetime(2025, 3, 30, 1, 0, tzinfo=UTC),
    datetime(2025, 10, 26, 1, 0, tzinfo=UTC),
    datetime(2025, 3, 9, 7, 0, tzinfo=UTC),
    datetime(2025, 11, 2, 6, 0, tzinfo=UTC),
    datetime(2025, 4, 5, 15, 0, tzinfo=UTC),
    datetime(2025, 10, 4, 15, 30, tzinfo=UTC),
    datetime(2025, 4, 6, 3, 0, tzinfo=UTC),
    datetime(2025, 9, 7, 4, 0, tzinfo=UTC),
]

instants = st.one_of(
    st.datetimes(
        min_value=datetime(2015, 1, 1), max_value=datetime(2027, 12, 1), timezones=st.just(UTC)
    ),
    st.builds(
        lambda change, seconds: change + timedelta(seconds=seconds),
        st.sampled_from(DST_CHANGES),
        st.integers(-4 * 3600, 4 * 3600),
    ),
)


def reference_is_open(cal: BusinessCalendar, at: datetime) -> bool:
    local = at.astimezone(ZoneInfo(cal.timezone))
    day, now = local.date(), local.time()
    for r in cal.hours_on(day):
        if r.whole_day or (
            r.start <= now and (r.end == MIDNIGHT or r.end < r.start or now < r.end)
        ):
            return True
    return any(r.crosses_midnight and now < r.end for r in cal.hours_on(day - timedelta(days=1)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calendars(), instants)
def test_is_open_agrees_with_hours_on(cal: BusinessCalendar, at: datetime) -> None:
    assert cal.is_open(at) == reference_is_open(cal, at)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calendars(), instants, st.booleans())
def test_next_open_and_close_are_the_first_change(
    cal: BusinessCalendar, at: datetime, want_open: bool
) -> None:
    found = cal.next_open(at) if want_open else cal.next_close(at)
    if found is None:
        probe = at
        for _ in range(60):  # spot-check that the state never changes
            assert cal.is_open(probe) != want_open
            probe += timedelta(hours=7, minutes=13)
        return
    found_utc = found.astimezone(UTC)  # ambiguous local times never equal other zones
    assert found_utc >= at
    assert found.tzinfo == ZoneInfo(cal.timezone)
    assert cal.is_open(found) == want_open
    if found_utc > at:
        assert cal.is_open(found_utc - timedelta(microseconds=1)) != want_open
        step = (found_utc - at) / 50
        for i in range(50):
            assert cal.is_open(at + step * i) != want_open
