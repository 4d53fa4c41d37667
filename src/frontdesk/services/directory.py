"""Who is free: the agents and queues an agent can transfer to or consult, as the desk has
them right now.

Read from the desk's live state (its agents and its routing state), not from the store:
the answer is what routing would do this instant. An agent's free capacity per media is
what they could still be offered: nothing unless they are ready (or busy with room to
spare), and nothing of a media their current work blocks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from frontdesk.domain.agents import ROUTABLE_STATES, AgentState
from frontdesk.domain.channels import Media
from frontdesk.domain.ids import AgentId, QueueId
from frontdesk.services.desk import TenantDesk, contact_of


@dataclass(frozen=True, slots=True)
class AgentEntry:
    id: AgentId
    name: str
    state: AgentState
    reason: str | None  # the not-ready reason
    free: Mapping[Media, int]  # contacts of each media the agent could still take


@dataclass(frozen=True, slots=True)
class QueueEntry:
    id: QueueId
    name: str
    waiting: int  # contacts in line now (not counting those ringing)


@dataclass(frozen=True, slots=True)
class Directory:
    agents: tuple[AgentEntry, ...]  # by name
    queues: tuple[QueueEntry, ...]  # by name


def directory(desk: TenantDesk) -> Directory:
    """The tenant's agents with their state and free capacity, and its queues with the
    contacts waiting in each."""
    agents = []
    for agent in desk.agents.values():
        slot = desk.state.agents.get(agent.id)
        load = slot.load if slot is not None else agent.load
        capacity = agent.capacity
        free = {
            media: limit - load.get(media, 0)
            if agent.state in ROUTABLE_STATES and capacity.accepts(load, media)
            else 0
            for media, limit in capacity.limits.items()
            if limit > 0
        }
        reason = agent.reason if agent.state is AgentState.NOT_READY else None
        agents.append(AgentEntry(agent.id, agent.name or agent.id, agent.state, reason, free))
    queues = [
        QueueEntry(
            queue_id,
            queue.name or queue_id,
            sum(1 for key in desk.state.per_queue.get(queue_id, {}) if contact_of(key) == key),
        )
        for queue_id, queue in desk.config.queues.items()
    ]
    return Directory(
        agents=tuple(sorted(agents, key=lambda a: (a.name.casefold(), a.id))),
        queues=tuple(sorted(queues, key=lambda q: (q.name.casefold(), q.id))),
    )
