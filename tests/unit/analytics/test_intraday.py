"""Intraday figures from known contacts: intervals of the tenant's local day, service
level, abandons, answers in a later interval, contacts around midnight, transfers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from frontdesk.analytics.entries import needs_accepts, queue_entries, segment_records
from frontdesk.analytics.intraday import intraday
from frontdesk.analytics.metrics import QueueMetrics
from frontdesk.analytics.records import Outcome, SegmentRecord
from frontdesk.domain.channels import Channel
from frontdesk.domain.contacts import Contact, ContactState, Segment, SegmentKind
from frontdesk.domain.handling import Handling, LiveContact
from frontdesk.domain.ids import AgentId, ContactId, QueueId, TenantId
from frontdesk.domain.queues import ServiceLevelTarget

MOSCOW = ZoneInfo("Europe/Moscow")
DAY = date(2026, 11, 23)
SALES, SUPPORT = QueueId("sales"), QueueId("support")
TARGETS = {SALES: ServiceLevelTarget(80, 20), SUPPORT: ServiceLevelTarget(90, 10)}
S = ContactState


def local(hour: int, minute: int, second: int = 0, day: date = DAY) -> datetime:
    """A Moscow wall-clock time as an aware UTC instant."""
    return datetime.combine(day, time(hour, minute, second), MOSCOW).astimezone(UTC)


def contact(
    name: str,
    queued: datetime,
    *,
    answered_after: float | None = None,
    state: ContactState | None = None,
    queue: QueueId = SALES,
    channel: Channel = Channel.VOICE,
) -> LiveContact:
    """A contact that entered ``queue`` at ``queued``: answered after some seconds by
    anna, or left in ``state`` (abandoned, still waiting ...) 50 seconds later."""
    agent = AgentId("anna") if answered_after is not None else None
    connected = queued + timedelta(seconds=answered_after) if answered_after is not None else None
    final = state or (S.CONNECTED if agent else S.QUEUED)
    return LiveContact(
        Contact(
            id=ContactId(name), tenant=TenantId("acme"), channel=channel, ani="+79161234567",
            access_point="+74950000000", arrived_at=queued - timedelta(seconds=5), state=final,
            segments=(Segment(0, SegmentKind.INITIAL, queued, queue, agent),),
            state_changed_at=connected or queued + timedelta(seconds=50),
        ),
        Handling(queue=queue, agent=agent, connected_at=connected),
    )  # fmt: skip


def transferred(name: str, first: datetime, second: datetime) -> tuple[LiveContact, list[datetime]]:
    """Answered in sales after 5 s, transferred to support at ``second`` and answered
    there after 30 s; with its accept times as the event log has them."""
    anna, boris = AgentId("anna"), AgentId("boris")
    accepts = [first + timedelta(seconds=5), second + timedelta(seconds=30)]
    live = LiveContact(
        Contact(
            id=ContactId(name), tenant=TenantId("acme"), channel=Channel.CHAT, ani="chat-1",
            access_point="widget", arrived_at=first, state=S.CONNECTED,
            segments=(
                Segment(0, SegmentKind.INITIAL, first, SALES, anna, ended_at=second),
                Segment(1, SegmentKind.TRANSFER, second, SUPPORT, boris),
            ),
        ),
        Handling(queue=SUPPORT, agent=boris, connected_at=accepts[-1]),
    )  # fmt: skip
    return live, accepts


def the_day() -> tuple[float, float]:
    start = datetime.combine(DAY, time(), MOSCOW)
    return start.timestamp(), (start + timedelta(days=1)).timestamp()


def records_of_the_day() -> list[SegmentRecord]:
    moved, accepts = transferred("c8", local(10, 0), local(10, 20))
    contacts = [
        contact("c1", local(9, 5), answered_after=10),  # within 20 s
        contact("c2", local(9, 10), answered_after=40),  # not within
        contact("c3", local(9, 20), state=S.ABANDONED),
        contact("c4", local(9, 40)),  # still waiting
        contact("c5", local(23, 50), answered_after=660),  # answered after midnight
        contact("c6", local(0, 10, day=DAY + timedelta(days=1))),  # tomorrow, the 23rd in UTC
        contact("c7", local(1, 30)),  # today (the 22nd in UTC)
        contact("c0", local(23, 50, day=DAY - timedelta(days=1)), answered_after=3),  # yesterday
    ]
    records = [r for live in contacts for r in segment_records(live)]
    return [*records, *segment_records(moved, accepts)]


def figures(m: QueueMetrics) -> dict[str, object]:
    return {
        "offered": m.offered, "answered": m.answered, "abandoned": m.abandoned,
        "in_target": m.answered_in_target,
        "service_level": None if m.service_level is None else round(100 * m.service_level, 1),
        "asa": m.asa,
    }  # fmt: skip


def test_each_entry_counts_in_the_local_interval_it_was_queued_in() -> None:
    start, end = the_day()
    day = intraday(records_of_the_day(), start=start, end=end, interval=1800, targets=TARGETS)
    assert len(day.slots) == 48
    assert datetime.fromtimestamp(day.slots[18].start, MOSCOW).time() == time(9, 0)
    by_time = {
        datetime.fromtimestamp(s.start, MOSCOW).strftime("%H:%M"): figures(s.metrics)
        for s in day.slots
        if s.metrics.offered
    }
    assert by_time == {
        "01:30": {"offered": 1, "answered": 0, "abandoned": 0, "in_target": 0,
                  "service_level": 0.0, "asa": None},
        "09:00": {"offered": 3, "answered": 2, "abandoned": 1, "in_target": 1,
                  "service_level": 33.3, "asa": 25.0},
        "09:30": {"offered": 1, "answered": 0, "abandoned": 0, "in_target": 0,
                  "service_level": 0.0, "asa": None},
        # The transfer: its sales entry within 20 s, its support entry (30 s) not within 10 s.
        "10:00": {"offered": 2, "answered": 2, "abandoned": 0, "in_target": 1,
                  "service_level": 50.0, "asa": 17.5},
        # Queued at 23:50, answered at 00:01: it belongs to the day it was queued.
        "23:30": {"offered": 1, "answered": 1, "abandoned": 0, "in_target": 0,
                  "service_level": 0.0, "asa": 660.0},
    }  # fmt: skip
    assert figures(day.total) == {
        "offered": 8, "answered": 5, "abandoned": 1, "in_target": 2,
        "service_level": 25.0, "asa": (10 + 40 + 5 + 30 + 660) / 5,
    }  # fmt: skip
    # Seven sales entries at 80 % and one support entry at 90 %.
    assert day.goal == pytest.approx((7 * 80 + 90) / 8)


def test_the_next_day_has_the_contact_queued_after_midnight() -> None:
    _, end = the_day()
    day = intraday(records_of_the_day(), start=end, end=end + 86400, interval=3600, targets=TARGETS)
    assert [s.metrics.offered for s in day.slots][:2] == [1, 0]
    assert day.total.offered == 1


def test_a_queue_filter_keeps_that_queue_and_its_goal() -> None:
    start, end = the_day()
    day = intraday(
        records_of_the_day(), start=start, end=end, interval=900, targets=TARGETS,
        queues={SUPPORT},
    )  # fmt: skip
    assert len(day.slots) == 96
    assert (day.total.offered, day.total.answered, day.total.answered_in_target) == (1, 1, 0)
    assert day.goal == 90
    empty = intraday([], start=start, end=end, interval=3600, targets=TARGETS, queues={SALES})
    assert (empty.total.offered, empty.goal) == (0, 80)
    assert all(s.metrics.service_level is None for s in empty.slots)


def test_a_day_of_25_hours_has_50_half_hours() -> None:
    berlin = ZoneInfo("Europe/Berlin")  # summer time ends on 25 October 2026
    start = datetime.combine(date(2026, 10, 25), time(), berlin).astimezone(UTC)
    end = datetime.combine(date(2026, 10, 26), time(), berlin).astimezone(UTC)
    day = intraday([], start=start.timestamp(), end=end.timestamp(), interval=1800, targets={})
    assert len(day.slots) == 50
    assert day.slots[-1].end == end.timestamp()
    assert day.goal is None


def test_bad_bounds_are_refused() -> None:
    with pytest.raises(ValueError, match="end > start"):
        intraday([], start=10.0, end=10.0, interval=60, targets={})
    with pytest.raises(ValueError, match="interval > 0"):
        intraday([], start=0.0, end=10.0, interval=0, targets={})


def test_entries_know_how_each_line_ended() -> None:
    moved, accepts = transferred("c8", local(10, 0), local(10, 20))
    assert needs_accepts(moved)
    first, second = queue_entries(moved, accepts)
    assert (first.queue, first.outcome, first.wait) == (SALES, Outcome.ANSWERED, 5.0)
    assert (second.queue, second.wait, second.agent) == (SUPPORT, 30.0, "boris")
    left = contact("c3", local(9, 20), state=S.ABANDONED)
    assert not needs_accepts(left)
    [abandoned] = queue_entries(left)
    assert (abandoned.outcome, abandoned.left_at) == (Outcome.ABANDONED, local(9, 20, 50))
    [callback] = queue_entries(contact("c9", local(9, 0), state=S.CALLBACK_SCHEDULED))
    assert callback.outcome is Outcome.CALLBACK
    [waiting] = segment_records(contact("c4", local(9, 40)))
    assert (waiting.outcome, waiting.answered_at, waiting.channel) == (
        Outcome.UNSERVED, None, "voice",
    )  # fmt: skip
