"""Contact-center metrics from records.

Definitions (the same everywhere in Frontdesk):

* **offered** — contacts that entered a queue (answered + abandoned + unserved).
* **service level** — contacts answered within the target / offered. Abandoned
  contacts count against it, so it agrees with Erlang A's definition.
* **ASA** — average speed of answer: mean wait of answered contacts.
* **AHT** — average handle time: talk plus wrap-up of answered contacts.
* **abandon rate** — abandoned / offered.
* **occupancy** — busy time / logged-in time of agents.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from frontdesk.analytics.records import AgentInterval, Outcome, SegmentRecord


@dataclass(slots=True)
class QueueMetrics:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    answered_in_target: int = 0
    waited: int = 0  # answered or abandoned after a wait > 0
    total_wait_answered: float = 0.0
    total_handle: float = 0.0
    max_wait: float = 0.0

    def add(self, record: SegmentRecord, target: float) -> None:
        if record.queued_at is None:
            return
        self.offered += 1
        wait = record.wait
        self.max_wait = max(self.max_wait, wait)
        if wait > 0:
            self.waited += 1
        if record.outcome is Outcome.ANSWERED:
            self.answered += 1
            self.total_wait_answered += wait
            self.total_handle += record.handle
            if wait <= target:
                self.answered_in_target += 1
        elif record.outcome is Outcome.ABANDONED:
            self.abandoned += 1

    @property
    def service_level(self) -> float | None:
        return self.answered_in_target / self.offered if self.offered else None

    @property
    def asa(self) -> float | None:
        return self.total_wait_answered / self.answered if self.answered else None

    @property
    def aht(self) -> float | None:
        return self.total_handle / self.answered if self.answered else None

    @property
    def abandon_rate(self) -> float | None:
        return self.abandoned / self.offered if self.offered else None

    @property
    def wait_probability(self) -> float | None:
        return self.waited / self.offered if self.offered else None


@dataclass(slots=True)
class Occupancy:
    logged_in: float = 0.0
    busy: float = 0.0

    @property
    def ratio(self) -> float | None:
        return self.busy / self.logged_in if self.logged_in else None


@dataclass(slots=True)
class Report:
    by_queue: dict[str | None, QueueMetrics] = field(default_factory=dict)
    by_interval: dict[tuple[str | None, int], QueueMetrics] = field(default_factory=dict)
    occupancy: dict[int, Occupancy] = field(default_factory=dict)
    outcomes: dict[Outcome, int] = field(default_factory=dict)

    @property
    def total_occupancy(self) -> float | None:
        logged = sum(o.logged_in for o in self.occupancy.values())
        busy = sum(o.busy for o in self.occupancy.values())
        return busy / logged if logged else None


def report(
    records: Iterable[SegmentRecord],
    agent_intervals: Iterable[AgentInterval],
    *,
    interval: float,
    target: Callable[[str | None], float],
    origin: float = 0.0,
) -> Report:
    """Per queue, per (queue, interval) and per interval occupancy, in one pass.

    A contact counts in the interval in which it was queued; ``target`` gives each
    queue's service-level threshold in seconds.
    """
    result = Report()
    outcomes: dict[Outcome, int] = defaultdict(int)
    for record in records:
        outcomes[record.outcome] += 1
        if record.queued_at is None:
            continue
        seconds = target(record.queue)
        bucket = int((record.queued_at - origin) // interval)
        queue_metrics = result.by_queue.get(record.queue)
        if queue_metrics is None:
            queue_metrics = result.by_queue[record.queue] = QueueMetrics()
        queue_metrics.add(record, seconds)
        slot = result.by_interval.get((record.queue, bucket))
        if slot is None:
            slot = result.by_interval[(record.queue, bucket)] = QueueMetrics()
        slot.add(record, seconds)
    for row in agent_intervals:
        occ = result.occupancy.setdefault(row.interval, Occupancy())
        occ.logged_in += row.logged_in
        occ.busy += row.busy
    result.outcomes = dict(outcomes)
    return result
