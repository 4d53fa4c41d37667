"""The simulation loop: virtual time, an event heap, and the real router.

Every contact is classified by the published scenario (``Router.classify``), menus
are answered by ``Router.choose``, and waiting contacts are matched by
``Router.decide`` over a ``RoutingState`` — the code the live service runs. The
simulator only supplies what people do: when contacts arrive, how long they talk,
how long they are willing to wait, which key they press, when agents work. Contacts
come from streams (drawn as the run goes) or are replayed one by one
(:class:`~frontdesk.sim.model.Arrival`: recorded traffic, or traffic drawn in advance).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from heapq import heappop, heappush
from zoneinfo import ZoneInfo

from frontdesk.analytics.metrics import Report, report
from frontdesk.analytics.records import AgentInterval, Outcome, SegmentRecord
from frontdesk.domain.agents import Agent, AgentState
from frontdesk.domain.channels import Channel
from frontdesk.domain.contacts import Contact
from frontdesk.domain.customers import CustomerProfile
from frontdesk.domain.ids import AgentId, ContactId, QueueId
from frontdesk.routing.context import Facts, RoutingEnv
from frontdesk.routing.engine import Router, Treatment
from frontdesk.routing.plan import ActionKind, ScenarioPlan
from frontdesk.routing.state import RoutingState
from frontdesk.sim.clock import SimClock
from frontdesk.sim.model import Arrival, SiteModel, Stream

_Samplers = tuple[Callable[[], float], Callable[[], float] | None, Callable[[], float] | None]
_ARRIVAL, _END, _WRAP_END, _ABANDON, _IVR, _AGENT, _REPLAY = range(7)
MAX_MENU_DEPTH = 10
DAY = 86_400.0
_OUTCOMES = {ActionKind.REJECT: Outcome.REJECTED, ActionKind.CALLBACK: Outcome.CALLBACK}
_CHANNEL_NAMES = {channel: channel.value for channel in Channel}


@dataclass(slots=True)
class SimResult:
    records: list[SegmentRecord]
    agent_intervals: list[AgentInterval]
    report: Report
    duration: float
    events: int


class _Source:
    """Where a contact comes from: what it does (``samplers``: talk, patience, wrap-up),
    how long a menu takes, and how it answers menus: by ``choices`` (weights by key, or
    any option alike) for a stream, from its own ``digits`` for a replayed arrival."""

    __slots__ = ("choices", "digits", "ivr_seconds", "samplers")

    def __init__(
        self,
        samplers: _Samplers,
        ivr_seconds: float,
        choices: Mapping[str, Mapping[str, float]],
        digits: Mapping[str, str] | None = None,
    ) -> None:
        self.samplers = samplers
        self.ivr_seconds = ivr_seconds
        self.choices = choices
        self.digits = digits


_IvrPayload = tuple[SegmentRecord, _Source, RoutingEnv, str, str | None, int]


def _fixed(value: float) -> Callable[[], float]:
    return lambda: value


class _Busy:
    """Per-agent accounting for occupancy: busy and logged-in spans spread by interval."""

    __slots__ = ("busy", "busy_total", "interval", "logged", "logged_since", "logged_total")

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.busy: dict[int, float] = {}
        self.logged: dict[int, float] = {}
        self.logged_since: float | None = None
        self.busy_total = 0.0
        self.logged_total = 0.0  # closed logged-in spans only

    def add_busy(self, start: float, end: float) -> None:
        self.busy_total += end - start
        self.add(self.busy, start, end)

    def add_logged(self, start: float, end: float) -> None:
        self.logged_total += end - start
        self.add(self.logged, start, end)

    def occupancy(self, now: float) -> float:
        """Busy share of the time logged in so far (busy time booked up to ``now``)."""
        since = self.logged_since
        logged = self.logged_total + (now - since if since is not None else 0.0)
        return min(self.busy_total / logged, 1.0) if logged > 0 else 0.0

    def add(self, table: dict[int, float], start: float, end: float) -> None:
        interval = self.interval
        slot = int(start // interval)
        if start < end <= (slot + 1) * interval:  # within one interval: the usual case
            table[slot] = table.get(slot, 0.0) + (end - start)
            return
        while start < end:
            slot = int(start // interval)
            stop = min(end, (slot + 1) * interval)
            table[slot] = table.get(slot, 0.0) + (stop - start)
            start = stop


class Simulation:
    """One run of a scenario against a site model, seeded."""

    def __init__(self, plan: ScenarioPlan, site: SiteModel, seed: int) -> None:
        self.site = site
        self.rng = random.Random(seed)
        self.state = RoutingState(plan.aging_per_minute)
        self.facts = Facts(
            timezone=ZoneInfo(plan.timezone),
            calendars=site.calendars,
            default_calendar=plan.calendar,
            lists=site.lists,
            day_parts=plan.day_parts,
            queues=self.state,
        )
        self.router = Router(plan, site.queues, self.facts)
        self.records: list[SegmentRecord] = []
        self._heap: list[tuple[float, int, int, object]] = []
        self._seq = 0
        self._contacts = 0
        self._busy = {entry.agent.id: _Busy(site.interval) for entry in site.roster}
        # Keeping agents' occupancy current costs a little per contact: only when the
        # scenario looks at it (least_occupied, agent.occupancy).
        self._reads_occupancy = plan.reads_occupancy
        self._profiles: dict[AgentId, Agent] = {}
        self._open: dict[ContactId, tuple[SegmentRecord, _Samplers, RoutingEnv]] = {}
        # Patience timers of contacts queued by the current event, filed after dispatch:
        # most are answered at once, and their timers need never enter the heap.
        self._timers: list[tuple[float, int, int, object]] = []
        self.clock = SimClock(site.epoch)
        self._targets: dict[str | None, float] = {}
        rng = self.rng
        self._sources = [
            _Source(
                (
                    s.handle.sampler(rng),
                    s.patience.sampler(rng) if s.patience else None,
                    s.wrap_up.sampler(rng) if s.wrap_up else None,
                ),
                s.ivr_seconds,
                s.menu_choices,
            )
            for s in site.streams
        ]

    # --- scheduling ------------------------------------------------------------------------
    def _push(self, at: float, kind: int, payload: object) -> None:
        self._seq = seq = self._seq + 1
        heappush(self._heap, (at, seq, kind, payload))

    def run(self, days: float = 1.0, progress: Callable[[float], None] | None = None) -> SimResult:
        """Simulate ``days`` days; contacts still in line at the end stay unserved."""
        until = days * DAY
        self._start(until)
        heap = self._heap
        state = self.state
        timers = self._timers
        clock = self.clock
        arrival, end, abandon, dispatch = self._arrival, self._end, self._abandon, self._dispatch
        events = 0
        step = until / 100
        next_report = step if progress is not None else math.inf
        now = 0.0
        while True:
            # the next event, or the next step expiry if it comes first
            at = heap[0][0] if heap else math.inf
            expiries = state.expiries
            if expiries and expiries[0][0] < at:
                if expiries[0][0] > until:
                    break  # a step would expire after the end: nothing happens any more
                now = clock.seconds = expiries[0][0]
                dispatch(now)
                continue
            if at > until:
                break
            now, _, kind, payload = heappop(heap)
            clock.seconds = now
            events += 1
            if now >= next_report:
                progress(now / until)  # type: ignore[misc]
                next_report += step
            if kind == _ARRIVAL:
                arrival(now, payload, until)  # type: ignore[arg-type]
            elif kind == _END:
                end(now, payload)  # type: ignore[arg-type]
            elif kind == _ABANDON:
                abandon(now, payload)  # type: ignore[arg-type]
            elif kind == _WRAP_END:
                self._resume(payload, AgentState.WRAP_UP)  # type: ignore[arg-type]
            elif kind == _IVR:
                self._ivr(now, payload)  # type: ignore[arg-type]
            elif kind == _REPLAY:
                self._replay(now, payload)  # type: ignore[arg-type]
            else:
                self._agent_event(now, payload)  # type: ignore[arg-type]
            if state.pending_contacts or state.pending_agents:
                dispatch(now)
            if timers:
                self._file_timers()
        self._finish(until)
        if progress is not None:
            progress(1.0)
        return self._result(until, events)

    def _result(self, until: float, events: int) -> SimResult:
        intervals = self._intervals()
        result = report(
            self.records,
            intervals,
            interval=self.site.interval,
            target=self._target,
        )
        return SimResult(self.records, intervals, result, until, events)

    def _start(self, until: float) -> None:
        self._plan_roster(until)
        for number, stream in enumerate(self.site.streams):
            first = stream.arrivals.next_after(0.0, self.rng)
            if first < until:
                self._push(first, _ARRIVAL, number)
        for arrival in self.site.arrivals:
            if 0.0 <= arrival.at < until:
                self._push(arrival.at, _REPLAY, arrival)

    def _file_timers(self) -> None:
        """File the patience timers of contacts still waiting after the dispatch."""
        waiting = self.state.waiting
        heap = self._heap
        for timer in self._timers:
            if timer[3] in waiting:
                heappush(heap, timer)
        self._timers.clear()

    def _target(self, queue: str | None) -> float:
        seconds = self._targets.get(queue)
        if seconds is None:
            found = self.site.queues.get(QueueId(queue)) if queue is not None else None
            seconds = found.service_level.seconds if found is not None else 20.0
            self._targets[queue] = seconds
        return seconds

    # --- contacts --------------------------------------------------------------------------
    def _arrival(self, now: float, number: int, until: float) -> None:
        stream = self.site.streams[number]
        following = stream.arrivals.next_after(now, self.rng)
        if following < until:
            self._seq = seq = self._seq + 1
            heappush(self._heap, (following, seq, _ARRIVAL, number))
        self._contacts = count = self._contacts + 1
        customer = self._customer(stream) if self.site.customers else None
        ap = stream.access_point
        contact = Contact(
            id=ContactId(f"c{count}"),
            tenant=ap.tenant,
            channel=ap.channel,
            ani=self._ani(customer),
            access_point=ap.address,
            arrived_at=self.clock.at(now),
            line=ap.line,
            channel_data={"agent": ap.agent} if ap.agent else {},
            customer=customer.id if customer else None,
            category=customer.category if customer else None,
            language=stream.language,
        )
        self._admit(now, contact, customer, self._sources[number])

    def _replay(self, now: float, arrival: Arrival) -> None:
        self._contacts = count = self._contacts + 1
        customer = arrival.customer
        ap = arrival.access_point
        data = dict(arrival.channel_data)
        if ap.agent:
            data.setdefault("agent", ap.agent)
        contact = Contact(
            id=ContactId(f"c{count}"),
            tenant=ap.tenant,
            channel=ap.channel,
            ani=arrival.ani,
            access_point=ap.address,
            arrived_at=self.clock.at(now),
            line=ap.line,
            channel_data=data,
            digits=arrival.digits,
            customer=customer.id if customer else None,
            category=customer.category if customer else None,
            language=arrival.language,
            priority=arrival.priority,
        )
        patience = arrival.patience
        samplers: _Samplers = (
            _fixed(arrival.talk),
            _fixed(patience) if patience is not None else None,
            _fixed(arrival.wrap_up) if arrival.wrap_up > 0 else None,
        )
        self._admit(now, contact, customer, _Source(samplers, 0.0, {}, arrival.digits))

    def _admit(
        self, now: float, contact: Contact, customer: CustomerProfile | None, source: _Source
    ) -> None:
        """Classify a contact that has just arrived and treat it."""
        router = self.router
        env = router.environment(contact, customer, contact.arrived_at)
        treatment = router.treat(env)
        record = SegmentRecord(
            contact=contact.id,
            segment=0,
            channel=_CHANNEL_NAMES[contact.channel],
            queue=None,
            category=contact.category,
            rule=treatment.rule.name,
            arrived_at=now,
        )
        self.records.append(record)
        self._treat(now, record, source, env, treatment, 0)

    def _customer(self, stream: Stream) -> CustomerProfile | None:
        population = self.site.customers
        if population and self.rng.random() < stream.known_share:
            return population[self.rng.randrange(len(population))]
        return None

    def _ani(self, customer: CustomerProfile | None) -> str:
        if customer is not None and customer.phones:
            return str(customer.phones[0])
        return f"+7900{self.rng.randrange(10_000_000):07d}"

    def _treat(
        self,
        now: float,
        record: SegmentRecord,
        source: _Source,
        env: RoutingEnv,
        treatment: Treatment,
        depth: int,
    ) -> None:
        kind = treatment.kind
        record.rule = treatment.rule.name
        if kind is ActionKind.QUEUE:
            record.queue = treatment.queue
            record.queued_at = now
            contact = env.contact.id
            self.router.enqueue(self.state, contact, env, treatment, now)
            samplers = source.samplers
            self._open[contact] = (record, samplers, env)
            patience = samplers[1]
            if patience is not None:
                self._seq = seq = self._seq + 1
                self._timers.append((now + patience(), seq, _ABANDON, contact))
            return
        if kind is ActionKind.MENU and depth < MAX_MENU_DEPTH:
            key = self._press(source, treatment.menu)
            payload = (record, source, env, treatment.menu, key, depth + 1)
            self._push(now + source.ivr_seconds, _IVR, payload)
            return
        record.ended_at = now
        record.outcome = _OUTCOMES.get(kind, Outcome.SELF_SERVED)

    def _press(self, source: _Source, menu: str) -> str | None:
        if source.digits is not None:
            return source.digits.get(menu)
        choices = source.choices.get(menu)
        options = list(choices) if choices else list(self.router.plan.menus[menu].options)
        if not options:
            return None
        weights = list(choices.values()) if choices else None
        return self.rng.choices(options, weights)[0]

    def _ivr(self, now: float, payload: _IvrPayload) -> None:
        record, source, env, menu, key, depth = payload
        env.now = self.clock.at(now)
        treatment = self.router.choose(env, menu, key)
        self._treat(now, record, source, env, treatment, depth)

    def _abandon(self, now: float, contact: ContactId) -> None:
        state = self.state
        if contact not in state.waiting:
            return  # answered (or offered) before the caller gave up
        state.remove(contact)
        record, _, _ = self._open.pop(contact)
        record.outcome = Outcome.ABANDONED
        record.ended_at = now

    def _dispatch(self, now: float) -> None:
        state = self.state
        opened = self._open
        heap = self._heap
        for offer in self.router.decide(state, now):
            contact = offer.contact
            state.accepted(contact)
            record, samplers, _ = opened[contact]
            record.answered_at = now
            record.outcome = Outcome.ANSWERED
            record.agent = offer.agent
            record.step = offer.step.index
            handle = samplers[0]()
            record.talk = handle
            self._seq = seq = self._seq + 1
            heappush(heap, (now + handle, seq, _END, contact))

    def _end(self, now: float, contact: ContactId) -> None:
        record, samplers, env = self._open.pop(contact)
        agent = AgentId(record.agent or "")
        wrap = samplers[2]
        wrap_up = wrap() if wrap is not None else 0.0
        record.wrap_up = wrap_up
        record.ended_at = now
        answered_at = record.answered_at
        assert answered_at is not None
        busy = self._busy[agent]
        busy.add_busy(answered_at, now + wrap_up)
        if self._reads_occupancy:
            self.state.set_occupancy(agent, busy.occupancy(now + wrap_up))
        state = self.state
        if record.queue is not None:
            state.record_handle_time(QueueId(record.queue), record.talk + wrap_up)
        if wrap_up > 0:
            self._set_state(agent, AgentState.WRAP_UP)
            state.release(agent, env.contact.media)
            self._push(now + wrap_up, _WRAP_END, agent)
        else:
            state.release(agent, env.contact.media)

    # --- agents ----------------------------------------------------------------------------
    def _plan_roster(self, until: float) -> None:
        days = math.ceil(until / DAY) + 1
        for entry in self.site.roster:
            agent = entry.agent
            self._profiles[agent.id] = agent
            if entry.shifts is None:
                self._login(agent.id, 0.0)
                continue
            self.state.set_agent(replace(agent, state=AgentState.LOGGED_OUT))
            for day in range(-1, days):
                weekday = (self.site.epoch + timedelta(days=day)).isoweekday()
                if weekday not in entry.days:
                    continue
                base = day * DAY
                for shift in entry.shifts:
                    start, end = base + shift.start, base + shift.end
                    if end <= 0 or start >= until:
                        continue
                    self._push(max(start, 0.0), _AGENT, (agent.id, "login"))
                    for break_start, length in shift.breaks:
                        self._push(base + break_start, _AGENT, (agent.id, "break"))
                        self._push(base + break_start + length, _AGENT, (agent.id, "back"))
                    self._push(end, _AGENT, (agent.id, "logout"))

    def _login(self, agent: AgentId, now: float) -> None:
        busy = self._busy[agent]
        if busy.logged_since is None:
            busy.logged_since = now
        self._set_state(agent, AgentState.READY)

    def _agent_event(self, now: float, payload: tuple[AgentId, str]) -> None:
        agent, what = payload
        if what == "login":
            self._login(agent, now)
            return
        busy = self._busy[agent]
        if busy.logged_since is None:
            return
        if what == "break":
            self._set_state(agent, AgentState.NOT_READY, "break")
        elif what == "back":
            self._resume(agent, AgentState.NOT_READY)
        else:
            busy.add_logged(busy.logged_since, now)
            busy.logged_since = None
            self._set_state(agent, AgentState.LOGGED_OUT)

    def _resume(self, agent: AgentId, only_from: AgentState) -> None:
        """Back to ready, unless something else (a break, a logout) came in between."""
        if self._profiles[agent].state is only_from:
            self._set_state(agent, AgentState.READY)

    def _set_state(self, agent: AgentId, state: AgentState, reason: str | None = None) -> None:
        profile = replace(self._profiles[agent], state=state, reason=reason)
        self._profiles[agent] = profile
        self.state.set_agent(profile)

    def _finish(self, until: float) -> None:
        """Close the books at the end of the run.

        A contact still talking counts as answered, with its talk time up to the end
        (and that time as busy); one still in line stays unserved, having waited until
        the end.
        """
        for record, _, _ in self._open.values():
            if record.answered_at is None:
                record.ended_at = until
                continue
            record.talk = until - record.answered_at
            busy = self._busy[AgentId(record.agent or "")]
            busy.add_busy(record.answered_at, until)
        for busy in self._busy.values():
            if busy.logged_since is not None:
                busy.add_logged(busy.logged_since, until)
                busy.logged_since = None

    def _intervals(self) -> list[AgentInterval]:
        rows: list[AgentInterval] = []
        for agent, busy in self._busy.items():
            for slot in sorted(busy.logged.keys() | busy.busy.keys()):
                rows.append(
                    AgentInterval(agent, slot, busy.logged.get(slot, 0.0), busy.busy.get(slot, 0.0))
                )
        return rows


__all__ = ["SimResult", "Simulation"]
