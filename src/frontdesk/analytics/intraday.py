"""Intraday figures: a day cut into equal intervals, the queue entries counted in each.

An entry counts in the interval in which it entered the line (as in
:func:`frontdesk.analytics.metrics.report`), whatever happened to it later: a contact
queued at 09:58 and answered at 10:03 is offered and answered in the 09:30–10:00
interval. The day is given by its first and last instant (POSIX seconds), so a day of 23
or 25 hours (a change of summer time) simply has fewer or more intervals; an entry
outside the day is left out. The figures per interval and for the whole day are
:class:`frontdesk.analytics.metrics.QueueMetrics`.

The service-level goal of a mix of queues is the target percentage of each queue,
weighted by its entries of the day; with no entries, the plain mean of the queues'
targets.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from frontdesk.analytics.metrics import QueueMetrics
from frontdesk.analytics.records import SegmentRecord
from frontdesk.domain.ids import QueueId
from frontdesk.domain.queues import ServiceLevelTarget

#: The interval lengths a report may use, in minutes.
INTERVALS = (15, 30, 60)
#: An entry of a queue without a target is never within it.
NO_TARGET = -1.0


@dataclass(slots=True)
class Slot:
    """One interval: its first instant (POSIX seconds) and its figures."""

    start: float
    end: float
    metrics: QueueMetrics = field(default_factory=QueueMetrics)


@dataclass(slots=True)
class Intraday:
    slots: list[Slot]
    total: QueueMetrics
    goal: float | None  # the service-level target, percent


def intraday(
    records: Iterable[SegmentRecord],
    *,
    start: float,
    end: float,
    interval: float,
    targets: Mapping[QueueId, ServiceLevelTarget],
    queues: Collection[QueueId] | None = None,
) -> Intraday:
    """The figures of ``records`` per ``interval`` seconds from ``start`` to ``end``.

    ``targets`` are the service-level targets of the queues that have one (an entry of
    another queue is never within its target); ``queues`` the queues to report, None
    for every queue. Records not queued in the day are left out.
    """
    if interval <= 0 or end <= start:
        raise ValueError(f"need interval > 0 and end > start, got {interval}, {start}..{end}")
    count = int(-(-(end - start) // interval))  # the last interval may be cut short
    slots = [Slot(start + n * interval, min(start + (n + 1) * interval, end)) for n in range(count)]
    total = QueueMetrics()
    offered: dict[QueueId, int] = {}
    for record in records:
        queued, queue = record.queued_at, QueueId(record.queue or "")
        if queued is None or not start <= queued < end:
            continue
        if queues is not None and queue not in queues:
            continue
        target = targets.get(queue)
        seconds = NO_TARGET if target is None else target.seconds
        slots[int((queued - start) // interval)].metrics.add(record, seconds)
        total.add(record, seconds)
        if target is not None:
            offered[queue] = offered.get(queue, 0) + 1
    shown = targets if queues is None else {q: targets[q] for q in queues if q in targets}
    return Intraday(slots, total, _goal(shown, offered))


def _goal(
    targets: Mapping[QueueId, ServiceLevelTarget], offered: Mapping[QueueId, int]
) -> float | None:
    if offered:
        return sum(targets[q].percent * n for q, n in offered.items()) / sum(offered.values())
    if not targets:
        return None
    return sum(t.percent for t in targets.values()) / len(targets)
