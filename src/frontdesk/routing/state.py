"""The routing state: agents with their load, and the contacts waiting, indexed.

The state is the router's snapshot of the world. The dispatcher (live) or the
simulator feeds it changes — an agent logs in, a contact is enqueued, an offer is
declined, a contact ends — and :meth:`Router.decide` turns it into offers. Times are
POSIX seconds (floats): virtual in the simulator, wall-clock in the live service.

Waiting contacts sit in buckets keyed by ``(media, primary key)`` where the primary
key is the most selective index term of their current step, sorted by their place
in line: ``(-rank, enqueued_at, seq)``. ``rank`` is the priority minus the aging
credit of the enqueue time, so "priority with aging" needs no re-sorting as time
passes. Overflow and step changes keep ``enqueued_at``: a contact keeps its place.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, insort
from dataclasses import replace

from frontdesk.domain.agents import ROUTABLE_STATES, Agent
from frontdesk.domain.channels import Media
from frontdesk.domain.errors import ConflictError, NotFoundError
from frontdesk.domain.ids import AgentId, ContactId, QueueId
from frontdesk.routing.context import QueueFigures, RoutingEnv
from frontdesk.routing.index import ANY, AgentIndex, Key, keys_of
from frontdesk.routing.plan import StepPlan

SortKey = tuple[float, float, int]
_ALL_MEDIA = tuple(Media)
DEFAULT_HANDLE_TIME = 180.0
_HANDLE_TIME_WEIGHT = 0.05


class AgentSlot:
    """An agent profile with the live load the state counts for it."""

    __slots__ = ("agent", "available", "keys", "load", "media")

    def __init__(self, agent: Agent) -> None:
        self.agent = agent
        self.keys = keys_of(agent)
        self.load: dict[Media, int] = dict(agent.load)
        self.available: set[Media] = set()
        self.media = _capable(agent)

    def can_take(self, media: Media) -> bool:
        agent = self.agent
        if agent.state not in ROUTABLE_STATES:
            return False
        capacity = agent.capacity
        load = self.load
        if load.get(media, 0) >= capacity.limits.get(media, 0):
            return False
        return not capacity.blocks or capacity.accepts(load, media)


def _capable(agent: Agent) -> tuple[Media, ...]:
    """The media the agent's capacity allows at all (a zero limit never accepts)."""
    limits = agent.capacity.limits
    return tuple(media for media in Media if limits.get(media, 0) > 0)


class Waiting:
    """A contact in line: its treatment, current step and place."""

    __slots__ = (
        "base_priority",
        "contact",
        "enqueued_at",
        "env",
        "keys",
        "media",
        "primary",
        "queue",
        "seq",
        "skipped",
        "sort_key",
        "step",
        "step_since",
        "steps",
    )  # fmt: skip

    def __init__(
        self,
        contact: ContactId,
        media: Media,
        env: RoutingEnv,
        queue: QueueId | None,
        steps: tuple[StepPlan, ...],
        priority: int,
        enqueued_at: float,
        seq: int,
    ) -> None:
        self.contact = contact
        self.media = media
        self.env = env
        self.queue = queue  # the home queue, for figures
        self.steps = steps
        self.base_priority = priority
        self.enqueued_at = enqueued_at
        self.seq = seq
        self.step = 0
        self.step_since = enqueued_at
        self.keys: tuple[Key, ...] = ()
        self.primary: Key = ANY
        self.sort_key: SortKey = (0.0, enqueued_at, seq)
        self.skipped: list[int] = []  # steps passed over because a key was missing

    @property
    def current(self) -> StepPlan:
        return self.steps[self.step]


class RoutingState:
    """Agents, waiting contacts and the indexes over them. See the module docstring."""

    def __init__(self, aging_per_minute: float = 0.0) -> None:
        self.aging = aging_per_minute / 60.0
        self.index = AgentIndex()
        self.agents: dict[AgentId, AgentSlot] = {}
        self.waiting: dict[ContactId, Waiting] = {}
        self.offered: dict[ContactId, tuple[Waiting, AgentId]] = {}
        self.buckets: dict[tuple[Media, Key], list[tuple[SortKey, Waiting]]] = {}
        self.expiries: list[tuple[float, int, Waiting, int]] = []
        self.pending_contacts: list[Waiting] = []
        self.pending_agents: dict[AgentId, None] = {}
        self.per_queue: dict[QueueId, dict[ContactId, Waiting]] = {}
        self.handle_time: dict[QueueId, float] = {}
        self.now = 0.0  # the latest time the state was told about
        self._seq = 0
        self._step_keys: dict[int, tuple[StepPlan, tuple[Key, ...] | None]] = {}

    # --- agents ----------------------------------------------------------------------
    def set_agent(self, agent: Agent) -> None:
        """Add or replace an agent's profile and state; its current load is kept."""
        slot = self.agents.get(agent.id)
        if slot is None:
            slot = AgentSlot(agent)
            self.agents[agent.id] = slot
            self.index.add(agent.id, slot.keys)
        else:
            keys = keys_of(agent)
            if keys != slot.keys:
                self.index.remove(agent.id, slot.keys - keys)
                for media in slot.available:
                    # every old line, not only the dropped keys: ``_refresh`` puts the
                    # agent back only if it can still take work
                    self.index.make_unavailable(agent.id, media, slot.keys)
                self.index.add(agent.id, keys - slot.keys)
                slot.keys = keys
                slot.available = set()
            slot.agent = agent
            slot.media = _capable(agent)
        self._refresh(slot, every=True)

    def remove_agent(self, agent: AgentId) -> None:
        slot = self._slot(agent)
        for media in slot.available:
            self.index.make_unavailable(agent, media, slot.keys)
        self.index.remove(agent, slot.keys)
        del self.agents[agent]
        self.pending_agents.pop(agent, None)

    def set_occupancy(self, agent: AgentId, occupancy: float) -> None:
        """Update the agent's occupancy today; nothing else about it changes."""
        slot = self._slot(agent)
        slot.agent = replace(slot.agent, occupancy=occupancy)

    def release(self, agent: AgentId, media: Media) -> None:
        """The agent finished (or gave back) one contact of ``media``."""
        slot = self.agents.get(agent) or self._slot(agent)
        load = slot.load
        if load.get(media, 0) <= 0:
            raise ConflictError(f"agent {agent} has no {media} to release", code="agent.no_load")
        load[media] -= 1
        self._refresh(slot, moved=True)

    def take(self, agent: AgentId, media: Media) -> None:
        slot = self.agents.get(agent) or self._slot(agent)
        load = slot.load
        load[media] = load.get(media, 0) + 1
        self._refresh(slot, moved=True)

    def _slot(self, agent: AgentId) -> AgentSlot:
        slot = self.agents.get(agent)
        if slot is None:
            raise NotFoundError(f"agent {agent} is not known to routing", code="agent.not_found")
        return slot

    def _refresh(self, slot: AgentSlot, moved: bool = False, every: bool = False) -> None:
        """Re-derive which media the agent can take; requeue it in line if anything moved.

        Only the media the capacity allows can change (``slot.media``); ``every`` looks
        at all media, for a new profile whose capacity may have dropped one.
        """
        agent = slot.agent
        agent_id = agent.id
        available = slot.available
        routable = agent.state in ROUTABLE_STATES
        capacity = agent.capacity
        limits = capacity.limits
        blocks = capacity.blocks
        load = slot.load
        for media in _ALL_MEDIA if every else slot.media:
            can = (
                routable
                and load.get(media, 0) < limits.get(media, 0)
                and (not blocks or capacity.accepts(load, media))
            )
            was = media in available
            if can and (moved or not was):
                self.index.make_available(agent_id, media, slot.keys)
                available.add(media)
                self.pending_agents[agent_id] = None
            elif was and not can:
                self.index.make_unavailable(agent_id, media, slot.keys)
                available.discard(media)

    # --- contacts --------------------------------------------------------------------
    def enqueue(
        self,
        contact: ContactId,
        media: Media,
        env: RoutingEnv,
        queue: QueueId | None,
        steps: tuple[StepPlan, ...],
        priority: int,
        now: float,
    ) -> Waiting:
        if contact in self.waiting or contact in self.offered:
            raise ConflictError(f"contact {contact} is already in line", code="contact.queued")
        self._seq += 1
        waiting = Waiting(contact, media, env, queue, steps, priority, now, self._seq)
        self.waiting[contact] = waiting
        if queue is not None:
            line = self.per_queue.get(queue)
            if line is None:
                self.per_queue[queue] = {contact: waiting}
            else:
                line[contact] = waiting
        self.activate(waiting, 0, now, filed=False)
        return waiting

    def activate(self, waiting: Waiting, step: int, now: float, *, filed: bool = True) -> None:
        """Move a waiting contact to ``step``, skipping steps whose keys cannot resolve.

        ``filed=False``: the contact is new and sits in no bucket yet.
        """
        if filed:
            self._unfile(waiting)
        steps = waiting.steps
        last = len(steps) - 1
        while True:
            plan = steps[step]
            keys = self._resolve(plan, waiting.env)
            if keys is not None or step == last:
                break
            waiting.skipped.append(step)
            step += 1
        self.now = max(self.now, now)
        waiting.step = step
        waiting.step_since = now
        primary: Key
        if keys is None:
            waiting.keys = ()
            primary = ("none", "", 0)  # a key that no agent holds: wait for nobody
        else:
            waiting.keys = keys
            if len(keys) == 1:
                primary = keys[0]
            else:
                primary = min(keys, key=self.index.count_members) if keys else ANY
        waiting.primary = primary
        enqueued_at = waiting.enqueued_at
        rank = waiting.base_priority + plan.priority - self.aging * enqueued_at
        sort_key = waiting.sort_key = (-rank, enqueued_at, waiting.seq)
        where = (waiting.media, primary)
        bucket = self.buckets.get(where)
        if bucket is None:
            self.buckets[where] = [(sort_key, waiting)]
        elif not bucket or bucket[-1][0] < sort_key:
            bucket.append((sort_key, waiting))  # the usual case: last in line
        else:
            insort(bucket, (sort_key, waiting))
        if plan.expire is not None and step < last:
            heapq.heappush(self.expiries, (now + plan.expire, waiting.seq, waiting, step))
        self.pending_contacts.append(waiting)

    def _resolve(self, plan: StepPlan, env: RoutingEnv) -> tuple[Key, ...] | None:
        """The index keys of a step for this contact; None if one cannot be computed.

        Steps whose terms are all constant resolve once (cached with the plan itself, so
        a recycled ``id`` cannot alias a step of an older scenario).
        """
        cached = self._step_keys.get(id(plan))
        if cached is not None and cached[0] is plan:
            return cached[1]
        keys = self._resolve_keys(plan, env)
        if all(term.value is None for term in plan.terms):
            self._step_keys[id(plan)] = (plan, keys)
        return keys

    @staticmethod
    def _resolve_keys(plan: StepPlan, env: RoutingEnv) -> tuple[Key, ...] | None:
        keys: list[Key] = []
        if plan.queue is not None:
            keys.append(("queue", plan.queue, 1))
        for term in plan.terms:
            key = term.key(env)
            if key is None:
                return None
            keys.append(key)
        return tuple(keys)

    def _unfile(self, waiting: Waiting) -> None:
        bucket = self.buckets.get((waiting.media, waiting.primary))
        if not bucket:
            return
        entry = (waiting.sort_key, waiting)
        at = bisect_left(bucket, entry)
        if at < len(bucket) and bucket[at][1] is waiting:
            del bucket[at]  # an emptied bucket stays: readers treat empty as absent

    def remove(self, contact: ContactId) -> Waiting:
        """Take a contact out of line (abandoned, answered elsewhere, cancelled)."""
        waiting = self.waiting.pop(contact, None)
        if waiting is None:
            raise NotFoundError(f"contact {contact} is not waiting", code="contact.not_waiting")
        self._unfile(waiting)
        if waiting.queue is not None:
            self.per_queue[waiting.queue].pop(contact, None)
        return waiting

    def offer(self, waiting: Waiting, agent: AgentId) -> None:
        """Reserve ``agent`` for the contact: it leaves the line, the agent's load grows."""
        self.remove(waiting.contact)
        self.offered[waiting.contact] = (waiting, agent)
        self.take(agent, waiting.media)

    def accepted(self, contact: ContactId) -> AgentId:
        """The offer was answered; the agent keeps the load until :meth:`release`."""
        _waiting, agent = self._offered(contact)
        del self.offered[contact]
        return agent

    def declined(self, contact: ContactId, now: float) -> AgentId:
        """The offer was refused or timed out: the contact goes back to its place."""
        waiting, agent = self._offered(contact)
        del self.offered[contact]
        if agent in self.agents:
            self.release(agent, waiting.media)
        self.waiting[contact] = waiting
        if waiting.queue is not None:
            self.per_queue.setdefault(waiting.queue, {})[contact] = waiting
        waiting.primary = ANY  # not filed anywhere now
        self.activate(waiting, waiting.step, now)
        return agent

    def _offered(self, contact: ContactId) -> tuple[Waiting, AgentId]:
        entry = self.offered.get(contact)
        if entry is None:
            raise NotFoundError(f"contact {contact} has no open offer", code="offer.not_found")
        return entry

    def record_handle_time(self, queue: QueueId, seconds: float) -> None:
        """Feed a finished contact's handle time into the queue's wait estimate."""
        previous = self.handle_time.get(queue, DEFAULT_HANDLE_TIME)
        self.handle_time[queue] = previous + _HANDLE_TIME_WEIGHT * (seconds - previous)

    # --- figures ---------------------------------------------------------------------
    def place(self, contact: ContactId) -> tuple[int, float] | None:
        """A waiting contact's place in its queue's line (1: next) and its estimated wait
        in seconds (inf when nobody of the queue is logged in); None when not waiting.

        The estimate divides the work ahead of the contact among the queue's logged-in
        members, as :meth:`figures` does for a new contact."""
        waiting = self.waiting.get(contact)
        if waiting is None or waiting.queue is None:
            return None
        line = self.per_queue.get(waiting.queue, {})
        place = 1 + sum(1 for other in line.values() if other.sort_key < waiting.sort_key)
        members = self.index.count_members(("queue", waiting.queue, 1))
        handle = self.handle_time.get(waiting.queue, DEFAULT_HANDLE_TIME)
        return place, place * handle / members if members else float("inf")

    def figures(self, queue: QueueId) -> QueueFigures:
        """Live figures for conditions such as ``estimated_wait("sales") > 120``.

        The estimate is the work ahead of a new contact divided among the queue's
        logged-in members: (waiting + 1) × average handle time / members.
        """
        line = self.per_queue.get(queue, {})
        key: Key = ("queue", queue, 1)
        members = self.index.count_members(key)
        oldest = min((w.enqueued_at for w in line.values()), default=None)
        available = self.index.count_available(Media.CALL, key)
        handle = self.handle_time.get(queue, DEFAULT_HANDLE_TIME)
        if available and not line:
            estimate = 0.0
        elif members:
            estimate = (len(line) + 1) * handle / members
        else:
            estimate = float("inf")
        return QueueFigures(
            waiting=len(line),
            longest_wait=0.0 if oldest is None else max(0.0, self.now - oldest),
            estimated_wait=estimate,
            agents_available=available,
            agents_logged_in=members,
        )
