"""The router: scenario decisions for arriving contacts, and contact–agent matching.

``Router.classify`` is stage 3 of the processing model for one contact: it walks the
tenant's published scenario and returns a :class:`Treatment` (reject, queue with
steps, callback, self-service menu) with the outputs (greeting, card, script,
recording) and the trail of rules that explains it.

``Router.decide(state, now)`` matches waiting contacts with agents. It is
deterministic and does no I/O: given the same state and time it makes the same
offers. It applies its own offers to the state before returning them (a contact is
never offered twice, an agent never beyond capacity), so the caller only reports
what happens next (accepted, declined, released).
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType
from zoneinfo import ZoneInfo

from frontdesk.domain.contacts import Contact
from frontdesk.domain.customers import CustomerProfile
from frontdesk.domain.dayparts import day_part
from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.ids import AgentId, ContactId, QueueId
from frontdesk.domain.queues import Queue
from frontdesk.routing.context import Facts, RoutingEnv
from frontdesk.routing.index import Key
from frontdesk.routing.plan import (
    NO_OUTPUTS,
    Action,
    ActionKind,
    OrderBy,
    Outputs,
    Rule,
    ScenarioPlan,
    StepPlan,
)
from frontdesk.routing.state import AgentSlot, RoutingState, Waiting

_NO_TRAIL: tuple[tuple[Rule, bool], ...] = ()


@dataclass(frozen=True, slots=True)
class Treatment:
    """What the scenario decided for one contact, and why."""

    kind: ActionKind  # REJECT, QUEUE, CALLBACK or MENU (agent/manager routes are QUEUE)
    rule: Rule
    trail: tuple[tuple[Rule, bool], ...]  # every rule looked at, and whether it matched
    outputs: Outputs
    greeting: str | None
    queue: QueueId | None = None
    steps: tuple[StepPlan, ...] = ()
    priority: int = 0
    offer_callback: bool = False
    reason: str = ""
    announcement: str | None = None
    menu: str = ""

    def explain(self) -> tuple[str, ...]:
        lines = [
            f"rule {rule.name!r} ({rule.path}, {rule.location}) "
            + (f"matched: {rule.when_source}" if rule.when_source else "matched (no condition)")
            if matched
            else f"rule {rule.name!r} did not match: {rule.when_source}"
            for rule, matched in self.trail
        ]
        target = f" to queue {self.queue}" if self.queue else ""
        lines.append(f"action: {self.rule.action.kind.value}{target}")
        if self.kind is ActionKind.QUEUE:
            for step in self.steps:
                lines.append(f"  step {step.index + 1}: {_describe_step(step)}")
        if self.offer_callback:
            lines.append("a callback is offered: the wait is expected to be long")
        return tuple(lines)


def _describe_step(step: StepPlan) -> str:
    parts = []
    if step.queue is not None:
        parts.append(f"members of {step.queue}")
    if step.require:
        parts.append(f"require {step.require}")
    parts.append(f"order by {step.order_by.value}")
    if step.expire is not None:
        parts.append(f"for {step.expire:g}s")
    return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Offer:
    """An offer of a contact to an agent, with what is needed to explain it."""

    contact: ContactId
    agent: AgentId
    queue: QueueId | None
    step: StepPlan
    waited: float
    trigger: str  # "contact" (a contact looked for an agent) or "agent" (the reverse)
    skipped_steps: tuple[int, ...] = ()

    def explain(self) -> tuple[str, ...]:
        lines = [f"step {self.step.index + 1}: {_describe_step(self.step)}"]
        lines.extend(
            f"step {index + 1} skipped: a value it needs is missing (no personal manager, say)"
            for index in self.skipped_steps
        )
        if self.trigger == "agent":
            lines.append(
                f"agent {self.agent} became available; this was the first contact in line "
                f"it qualifies for, after waiting {self.waited:.1f}s"
            )
        elif self.step.order_by is OrderBy.LONGEST_IDLE:
            lines.append(f"chose {self.agent}: of the agents who qualify, available longest")
        else:
            lines.append(
                f"chose {self.agent}: of the agents who qualify, the best by "
                f"{self.step.order_by.value}"
            )
        return tuple(lines)


class Router:
    """Runs one published scenario. Pure: no I/O, clock or randomness of its own."""

    def __init__(self, plan: ScenarioPlan, queues: Mapping[QueueId, Queue], facts: Facts):
        self.plan = plan
        self.queues = MappingProxyType(dict(queues))
        # Time zone, day parts and default calendar belong to the scenario: conditions
        # such as day_part() and is_holiday() must agree with the scenario's greetings.
        self.facts = replace(
            facts,
            timezone=ZoneInfo(plan.timezone),
            day_parts=plan.day_parts,
            default_calendar=plan.calendar or facts.default_calendar,
        )
        self._step_cache: dict[int, tuple[StepPlan, ...]] = {}
        # Treatments that depend on nothing but the path through the scenario (the trail),
        # by the id of their rule; the plan holds the rules, so the ids are stable.
        self._treatments: dict[int, list[Treatment]] = {}

    # --- stage 3: the scenario ------------------------------------------------------------
    def environment(
        self, contact: Contact, customer: CustomerProfile | None, now: datetime
    ) -> RoutingEnv:
        return RoutingEnv(contact, customer, now, self.facts)

    def classify(
        self, contact: Contact, customer: CustomerProfile | None, now: datetime
    ) -> Treatment:
        """The scenario's decision for a contact that has been enriched."""
        return self.treat(RoutingEnv(contact, customer, now, self.facts))

    def treat(self, env: RoutingEnv) -> Treatment:
        """:meth:`classify` for an environment built with :meth:`environment`."""
        return self._walk(self.plan.rules, env, NO_OUTPUTS, [])

    def choose(self, env: RoutingEnv, menu: str, key: str | None) -> Treatment:
        """The treatment after the caller pressed ``key`` (None: no valid input) in a menu."""
        found = self.plan.menus.get(menu)
        if found is None:
            raise NotFoundError(f"menu {menu!r} is not in the scenario", code="menu.not_found")
        if found.collect is not None and found.then is not None:
            rule = found.then if key else found.on_fail  # the number, checked by the channel
        else:
            rule = found.options.get(key, found.on_fail) if key is not None else found.on_fail
        return self._apply(rule, env, NO_OUTPUTS, [(rule, True)])

    def _walk(
        self,
        rules: tuple[Rule, ...],
        env: RoutingEnv,
        inherited: Outputs,
        trail: list[tuple[Rule, bool]],
    ) -> Treatment:
        for rule in rules:
            when = rule.when
            if when is None or when(env) is True:
                trail.append((rule, True))
                return self._apply(rule, env, inherited, trail)
            trail.append((rule, False))
        raise AssertionError("compiled scenarios end every rule list with a catch-all")

    def _apply(
        self, rule: Rule, env: RoutingEnv, inherited: Outputs, trail: list[tuple[Rule, bool]]
    ) -> Treatment:
        action = rule.action
        if action.kind is ActionKind.USE:
            outputs = rule.outputs.over(inherited)
            return self._walk(self.plan.procedures[action.target], env, outputs, trail)
        # The rules looked at (and whether each matched) fix the inherited outputs too,
        # so a treatment that reads nothing of the contact is the same for every contact
        # that took this path: it is built once.
        path = tuple(trail)
        known = self._treatments.get(id(rule))
        if known is not None:
            for treatment in known:
                if treatment.trail == path:
                    return treatment
        treatment = self._build(rule, env, inherited, path)
        if _constant(action, treatment.outputs):
            self._treatments.setdefault(id(rule), []).append(treatment)
        return treatment

    def _build(
        self, rule: Rule, env: RoutingEnv, inherited: Outputs, trail: tuple[tuple[Rule, bool], ...]
    ) -> Treatment:
        action = rule.action
        outputs = rule.outputs.over(inherited)
        greeting = self._greeting(outputs, env)
        if action.kind in (ActionKind.QUEUE, ActionKind.AGENT, ActionKind.MANAGER):
            priority = action.priority if isinstance(action.priority, int) else action.priority(env)
            offer = action.callback_offer
            return Treatment(
                ActionKind.QUEUE, rule, trail, outputs, greeting,
                queue=action.queue,
                steps=self._steps(action),
                priority=(priority or 0) + self._queue_priority(action.queue),
                offer_callback=offer is not None and offer(env) is True,
            )  # fmt: skip
        return Treatment(
            action.kind, rule, trail, outputs, greeting,
            queue=action.queue, reason=action.reason, announcement=action.announcement,
            menu=action.target if action.kind is ActionKind.MENU else "",
        )  # fmt: skip

    def _greeting(self, outputs: Outputs, env: RoutingEnv) -> str | None:
        greeting = outputs.greeting
        if greeting is None or isinstance(greeting, str):
            return greeting
        return greeting.get(day_part(env.now, self.facts.timezone, self.plan.day_parts))

    def _queue_priority(self, queue: QueueId | None) -> int:
        found = self.queues.get(queue) if queue is not None else None
        return found.priority if found is not None else 0

    def _steps(self, action: Action) -> tuple[StepPlan, ...]:
        """The action's steps, plus the overflow step its queue's max_wait calls for."""
        cached = self._step_cache.get(id(action))
        if cached is None:
            cached = self._step_cache[id(action)] = self._with_overflow(action)
        return cached

    def _with_overflow(self, action: Action) -> tuple[StepPlan, ...]:
        queue = self.queues.get(action.queue) if action.queue is not None else None
        steps = action.steps
        if queue is None or queue.overflow is None or queue.max_wait is None or not steps:
            return steps
        before = sum(step.expire or 0.0 for step in steps[:-1])
        overflow = StepPlan(
            index=len(steps), queue=queue.overflow, require="", terms=(), residual=None
        )
        return (*steps[:-1], replace(steps[-1], expire=max(queue.max_wait - before, 0.0)), overflow)

    # --- matching -------------------------------------------------------------------------
    def enqueue(
        self, state: RoutingState, contact: ContactId, env: RoutingEnv, treatment: Treatment,
        now: float,
    ) -> Waiting:  # fmt: skip
        """Put a contact with a QUEUE treatment in line.

        Its priority is the scenario's (rule and queue) plus the one given at intake.
        """
        return state.enqueue(
            contact, env.contact.media, env, treatment.queue, treatment.steps,
            treatment.priority + env.contact.priority, now,
        )  # fmt: skip

    def decide(self, state: RoutingState, now: float) -> list[Offer]:
        """Offers for everything that changed since the last call. See the module doc."""
        state.now = max(state.now, now)
        offers: list[Offer] = []
        expiries = state.expiries
        while expiries and expiries[0][0] <= now:
            expired_at, _, waiting, step = heapq.heappop(expiries)
            if state.waiting.get(waiting.contact) is waiting and waiting.step == step:
                # From the moment the step expired, not from now: a late call must not
                # stretch the next step (and the steps after it, and the overflow).
                state.activate(waiting, step + 1, expired_at)
        pending = state.pending_contacts
        if pending:
            state.pending_contacts = []
            if len(pending) > 1:
                pending.sort(key=_place)
            for waiting in pending:
                if state.waiting.get(waiting.contact) is waiting:
                    self._serve_contact(state, waiting, now, offers)
        while state.pending_agents:
            agent_id = next(iter(state.pending_agents))
            del state.pending_agents[agent_id]
            slot = state.agents.get(agent_id)
            if slot is not None:
                self._serve_agent(state, slot, now, offers)
        return offers

    def _serve_contact(
        self, state: RoutingState, waiting: Waiting, now: float, offers: list[Offer]
    ) -> None:
        found = self._find_agent(state, waiting)
        if found is not None:
            offers.append(self._offer(state, waiting, found, now, "contact"))

    def _find_agent(self, state: RoutingState, waiting: Waiting) -> AgentId | None:
        lines = state.index.available[waiting.media]
        keys = waiting.keys or (waiting.primary,)
        shortest: dict[AgentId, None] | None = None
        others = []
        for key in keys:
            line = lines.get(key)
            if not line:
                return None
            if shortest is None or len(line) < len(shortest):
                if shortest is not None:
                    others.append(shortest)
                shortest = line
            else:
                others.append(line)
        assert shortest is not None
        step = waiting.current
        residual = step.residual
        env = waiting.env
        agents = state.agents
        best: AgentId | None = None
        best_score: tuple[float, int] | None = None
        for position, agent_id in enumerate(shortest):
            if others and not all(agent_id in line for line in others):
                continue
            if residual is not None:
                env.agent = agents[agent_id].agent
                ok = residual(env) is True
                env.agent = None
                if not ok:
                    continue
            if step.order_by is OrderBy.LONGEST_IDLE:
                return agent_id
            score = self._score(step, agents[agent_id], position)
            if best_score is None or score < best_score:
                best, best_score = agent_id, score
        return best

    @staticmethod
    def _score(step: StepPlan, slot: AgentSlot, position: int) -> tuple[float, int]:
        if step.order_by is OrderBy.LEAST_OCCUPIED:
            return (slot.agent.occupancy, position)
        return (-slot.agent.skills.get(step.order_skill or "", 0), position)

    def _serve_agent(
        self, state: RoutingState, slot: AgentSlot, now: float, offers: list[Offer]
    ) -> None:
        while slot.available:
            found = self._find_contact(state, slot)
            if found is None:
                return
            offers.append(self._offer(state, found, slot.agent.id, now, "agent"))

    def _find_contact(self, state: RoutingState, slot: AgentSlot) -> Waiting | None:
        buckets = state.buckets
        keys = slot.keys
        best: Waiting | None = None
        for media in slot.available:
            for key in keys:
                bucket = buckets.get((media, key))
                if not bucket:
                    continue
                for sort_key, waiting in bucket:
                    if best is not None and sort_key >= best.sort_key:
                        break
                    if self._qualifies(slot, waiting):
                        best = waiting
                        break
        return best

    @staticmethod
    def _qualifies(slot: AgentSlot, waiting: Waiting) -> bool:
        keys = slot.keys
        if not all(key in keys for key in waiting.keys):
            return False
        residual = waiting.current.residual
        if residual is None:
            return True
        env = waiting.env
        env.agent = slot.agent
        ok = residual(env) is True
        env.agent = None
        return ok

    def _offer(
        self, state: RoutingState, waiting: Waiting, agent: AgentId, now: float, trigger: str
    ) -> Offer:
        state.offer(waiting, agent)
        step = waiting.steps[waiting.step]
        skipped = waiting.skipped
        return Offer(
            waiting.contact, agent, step.queue or waiting.queue, step,
            now - waiting.enqueued_at, trigger, tuple(skipped) if skipped else (),
        )  # fmt: skip


def _place(waiting: Waiting) -> tuple[float, float, int]:
    return waiting.sort_key


_ROUTED = frozenset({ActionKind.QUEUE, ActionKind.AGENT, ActionKind.MANAGER})


def _constant(action: Action, outputs: Outputs) -> bool:
    """Whether a treatment of ``action`` with ``outputs`` reads nothing of the contact."""
    greeting = outputs.greeting
    if greeting is not None and not isinstance(greeting, str):
        return False  # one greeting per day part
    if action.kind in _ROUTED:
        return isinstance(action.priority, int) and action.callback_offer is None
    return True


__all__ = ["Key", "Offer", "Router", "Treatment"]
