"""One flat record per contact segment: the shape shared by the live service and the
simulator, so every report and metric works on either."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    ANSWERED = "answered"
    ABANDONED = "abandoned"
    REJECTED = "rejected"
    SELF_SERVED = "self_served"
    CALLBACK = "callback"
    UNSERVED = "unserved"  # still waiting when the record was taken (end of a run)


@dataclass(slots=True)
class SegmentRecord:
    """A contact's segment. Times are seconds on one time line (POSIX or virtual).

    ``wait`` runs from ``queued_at`` to ``answered_at`` (or to abandonment); ``handle``
    is talk/chat time plus wrap-up.
    """

    contact: str
    segment: int
    channel: str
    queue: str | None
    category: str | None
    rule: str
    arrived_at: float
    queued_at: float | None = None
    answered_at: float | None = None
    ended_at: float | None = None
    agent: str | None = None
    outcome: Outcome = Outcome.UNSERVED
    talk: float = 0.0
    wrap_up: float = 0.0
    step: int = 0  # the queue step that found the agent

    @property
    def wait(self) -> float:
        if self.queued_at is None:
            return 0.0
        end = self.answered_at if self.answered_at is not None else self.ended_at
        return 0.0 if end is None else end - self.queued_at

    @property
    def handle(self) -> float:
        return self.talk + self.wrap_up


@dataclass(slots=True)
class AgentInterval:
    """Seconds an agent was logged in and busy within one reporting interval."""

    agent: str
    interval: int
    logged_in: float = 0.0
    busy: float = 0.0
