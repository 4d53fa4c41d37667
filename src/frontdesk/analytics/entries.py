"""A live contact's queue entries: what the wallboard counts and the reports chart.

A contact enters a queue with its first segment and again with each transfer to a queue;
each such segment is one *entry* (a consult's segment is none). An entry is answered when
an agent accepted it (the segment has an agent), abandoned when the customer left while it
was the contact's last one, and otherwise still waiting or ended another way (a callback,
a rejection).

The contact keeps only its last accept; the accepts of earlier entries are in the event
log, and the caller passes them in order (``accepts``), read only for contacts with more
than one answered entry (:func:`needs_accepts`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from frontdesk.analytics.records import Outcome, SegmentRecord
from frontdesk.domain.contacts import ContactState, SegmentKind
from frontdesk.domain.handling import LiveContact
from frontdesk.domain.ids import AgentId, QueueId

#: How a contact that left the line ended, by its state, when it was not answered.
_LEFT_AS = {
    ContactState.ABANDONED: Outcome.ABANDONED,
    ContactState.CALLBACK_SCHEDULED: Outcome.CALLBACK,
    ContactState.REJECTED: Outcome.REJECTED,
}


@dataclass(frozen=True, slots=True)
class QueueEntry:
    """One entry of a contact into a queue."""

    segment: int
    queue: QueueId
    entered_at: datetime
    outcome: Outcome  # ANSWERED, ABANDONED, CALLBACK, REJECTED or UNSERVED
    answered_at: datetime | None = None  # the accept; the entry time when it is unknown
    agent: AgentId | None = None
    left_at: datetime | None = None  # when an unanswered entry ended (abandoned ...)

    @property
    def wait(self) -> float | None:
        """Seconds from entering the line to the answer; None when not answered."""
        if self.answered_at is None:
            return None
        return (self.answered_at - self.entered_at).total_seconds()


def needs_accepts(live: LiveContact) -> bool:
    """Whether the contact's entries need the accept times of its event log."""
    return sum(1 for s in live.contact.segments if s.agent is not None) > 1


def queue_entries(live: LiveContact, accepts: Iterable[datetime] = ()) -> list[QueueEntry]:
    """The queue entries of ``live``, in order; ``accepts`` are the times of its
    ``contact.accepted`` events, oldest first (see the module docstring)."""
    contact = live.contact
    answered = [s for s in contact.segments if s.agent is not None]
    # Each answered entry was accepted once, in order; the contact keeps the last accept.
    accepted_at = dict(zip((s.index for s in answered), accepts, strict=False))
    if answered and live.handling.connected_at is not None:
        accepted_at[answered[-1].index] = live.handling.connected_at
    last = contact.segments[-1].index if contact.segments else None
    entries = []
    for segment in contact.segments:
        if segment.queue is None or segment.kind is SegmentKind.CONSULT:
            continue  # a consult asks a colleague in: no entry into the line
        if segment.agent is not None:
            entries.append(QueueEntry(
                segment.index, segment.queue, segment.started_at, Outcome.ANSWERED,
                answered_at=accepted_at.get(segment.index, segment.started_at),
                agent=segment.agent,
            ))  # fmt: skip
            continue
        outcome = _LEFT_AS.get(contact.state, Outcome.UNSERVED)
        if segment.index != last or outcome is Outcome.UNSERVED:
            entries.append(QueueEntry(segment.index, segment.queue, segment.started_at,
                                      Outcome.UNSERVED, left_at=segment.ended_at))  # fmt: skip
            continue
        left_at = contact.state_changed_at or segment.ended_at
        entries.append(
            QueueEntry(segment.index, segment.queue, segment.started_at, outcome, left_at=left_at)
        )
    return entries


def segment_records(live: LiveContact, accepts: Sequence[datetime] = ()) -> list[SegmentRecord]:
    """The queue entries of ``live`` as analytics records (POSIX seconds), for
    :mod:`frontdesk.analytics.metrics` and :mod:`frontdesk.analytics.intraday`."""
    contact = live.contact
    return [
        SegmentRecord(
            contact=contact.id,
            segment=entry.segment,
            channel=contact.channel.value,
            queue=entry.queue,
            category=contact.category,
            rule=live.handling.rule or "",
            arrived_at=contact.arrived_at.timestamp(),
            queued_at=entry.entered_at.timestamp(),
            answered_at=None if entry.answered_at is None else entry.answered_at.timestamp(),
            ended_at=None if entry.left_at is None else entry.left_at.timestamp(),
            agent=entry.agent,
            outcome=entry.outcome,
        )
        for entry in queue_entries(live, accepts)
    ]
