"""The agent index: which agents have a key, and which of them can take work now.

A key is ``(kind, value, level)``: ``("queue", "sales", 1)``, ``("skill", "billing", 3)``
(an agent with proficiency 4 holds levels 1..4), ``("language", "ru", 1)``,
``("group", "vip", 1)``, ``("id", "a-17", 1)`` and ``ANY`` for everyone. The
``available`` side keeps, per media, the agents that can take one more contact, in
the order they became available, so "longest idle" is the first entry that qualifies.
Both sides are updated incrementally when one agent changes.
"""

from __future__ import annotations

from collections.abc import Iterable

from frontdesk.domain.agents import Agent
from frontdesk.domain.channels import Media
from frontdesk.domain.ids import AgentId

Key = tuple[str, str, int]
ANY: Key = ("*", "", 0)


def keys_of(agent: Agent) -> frozenset[Key]:
    keys: set[Key] = {ANY, ("id", agent.id, 1)}
    keys.update(("queue", q, 1) for q in agent.queues)
    keys.update(("group", g, 1) for g in agent.groups)
    keys.update(("language", lang, 1) for lang in agent.languages)
    for skill, level in agent.skills.items():
        keys.update(("skill", skill, n) for n in range(1, level + 1))
    return frozenset(keys)


class AgentIndex:
    __slots__ = ("available", "members")

    def __init__(self) -> None:
        self.members: dict[Key, set[AgentId]] = {}
        self.available: dict[Media, dict[Key, dict[AgentId, None]]] = {m: {} for m in Media}

    def add(self, agent: AgentId, keys: Iterable[Key]) -> None:
        members = self.members
        for key in keys:
            bucket = members.get(key)
            if bucket is None:
                members[key] = {agent}
            else:
                bucket.add(agent)

    def remove(self, agent: AgentId, keys: Iterable[Key]) -> None:
        members = self.members
        for key in keys:
            bucket = members.get(key)
            if bucket is not None:
                bucket.discard(agent)
                if not bucket:
                    del members[key]

    def make_available(self, agent: AgentId, media: Media, keys: Iterable[Key]) -> None:
        """Put the agent at the end of every line it belongs to, for this media."""
        lines = self.available[media]
        for key in keys:
            line = lines.get(key)
            if line is None:
                lines[key] = {agent: None}
            else:
                line.pop(agent, None)
                line[agent] = None

    def make_unavailable(self, agent: AgentId, media: Media, keys: Iterable[Key]) -> None:
        # An emptied line stays (readers treat empty as absent): agents come and go from
        # the same lines all day, and re-creating them would cost more than keeping them.
        lines = self.available[media]
        for key in keys:
            line = lines.get(key)
            if line is not None:
                line.pop(agent, None)

    def count_members(self, key: Key) -> int:
        bucket = self.members.get(key)
        return len(bucket) if bucket else 0

    def count_available(self, media: Media, key: Key) -> int:
        line = self.available[media].get(key)
        return len(line) if line else 0
