"""Intraday reports: one local day of a tenant's queue entries in equal intervals.

The day is the tenant's (the time zone of its published scenario, as the wallboard's
"today"), from local midnight to the next, so it has 23 or 25 hours when summer time
starts or ends. An entry counts in the interval in which it entered the line
(:mod:`frontdesk.analytics.intraday`); contacts are read from ``LOOKBACK`` before the
day began, so a contact that arrived before midnight and was transferred to a queue
after it counts in the new day. Figures: offered, answered, abandoned, answered within
the queue's target, service level (answered within target over offered, percent) and
ASA (mean wait of answered entries, seconds).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from frontdesk.analytics.entries import segment_records
from frontdesk.analytics.intraday import INTERVALS, intraday
from frontdesk.analytics.metrics import QueueMetrics
from frontdesk.domain.channels import Channel
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.ids import QueueId
from frontdesk.domain.repositories import ContactFilter, Store
from frontdesk.services.desk import TenantDesk
from frontdesk.services.realtime import accept_times, day_start, every_contact, timezone_of

#: How long before the day a contact may have arrived and still enter a line in it.
LOOKBACK = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class Figures:
    """The figures of one interval (or of the whole day)."""

    start: datetime
    end: datetime
    offered: int
    answered: int
    abandoned: int
    answered_in_target: int
    service_level: float | None  # percent; None with nothing offered
    asa: float | None  # seconds; None with nothing answered

    @staticmethod
    def of(start: datetime, end: datetime, metrics: QueueMetrics) -> Figures:
        level = metrics.service_level
        return Figures(
            start=start,
            end=end,
            offered=metrics.offered,
            answered=metrics.answered,
            abandoned=metrics.abandoned,
            answered_in_target=metrics.answered_in_target,
            service_level=None if level is None else round(100 * level, 1),
            asa=None if metrics.asa is None else round(metrics.asa, 1),
        )


@dataclass(frozen=True, slots=True)
class IntradayReport:
    day: date
    timezone: str
    interval: int  # minutes
    queue: QueueId | None  # None: every queue
    channel: Channel | None  # None: every channel
    goal: float | None  # the service-level target, percent (weighted for several queues)
    intervals: tuple[Figures, ...]
    total: Figures


def check_interval(minutes: int) -> int:
    """``minutes`` when a report may use it; else ValidationError ``report.invalid_interval``."""
    if minutes not in INTERVALS:
        known = ", ".join(map(str, INTERVALS))
        raise ValidationError(
            f"interval must be one of {known} minutes, got {minutes}",
            code="report.invalid_interval",
            field="interval",
        )
    return minutes


async def intraday_report(
    store: Store,
    desk: TenantDesk,
    day: date,
    *,
    interval: int = 30,
    queue: QueueId | None = None,
    channel: Channel | None = None,
) -> IntradayReport:
    """The tenant's ``day`` in intervals of ``interval`` minutes, for one queue and one
    channel or all of them. ValidationError ``report.invalid_interval`` for an interval
    other than 15, 30 or 60 minutes, ``report.unknown_queue`` for a queue that is not
    configured."""
    check_interval(interval)
    queues = desk.config.queues
    if queue is not None and queue not in queues:
        raise ValidationError(
            f"there is no queue {queue!r} (known: {', '.join(sorted(queues))})",
            code="report.unknown_queue",
            field="queue",
        )
    zone = timezone_of(desk)
    start, end = day_start(day, zone), day_start(day + timedelta(days=1), zone)
    where = ContactFilter(
        channel=None if channel is None else channel.value, since=start - LOOKBACK, until=end
    )
    async with store.transaction() as tx:
        contacts = await every_contact(tx.contacts, desk.tenant, where)
        accepts = await accept_times(tx.events, contacts)
    records = [
        record
        for live in contacts
        for record in segment_records(live, accepts.get(live.contact.id, ()))
    ]
    figures = intraday(
        records,
        start=start.timestamp(),
        end=end.timestamp(),
        interval=interval * 60,
        targets={key: q.service_level for key, q in queues.items()},
        queues=None if queue is None else {queue},
    )
    return IntradayReport(
        day=day,
        timezone=zone,
        interval=interval,
        queue=queue,
        channel=channel,
        goal=None if figures.goal is None else round(figures.goal, 1),
        intervals=tuple(
            Figures.of(_instant(slot.start), _instant(slot.end), slot.metrics)
            for slot in figures.slots
        ),
        total=Figures.of(start, end, figures.total),
    )


def _instant(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
