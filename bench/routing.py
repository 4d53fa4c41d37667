"""Routing benchmark: the real router under a large, busy contact center.

Run ``python bench/routing.py`` (``--quick`` for a small version). Results go to
``bench/results/routing.json``.

The site (seeded, deterministic)
--------------------------------
10,000 logged-in agents (READY), 500 product queues plus a ``vip`` queue, 50 skills with
proficiency 1..5. Every agent serves 3-6 queues (drawn with the queues' demand weights, so
staffing roughly follows demand) and holds the skills of those queues plus 1-3 others;
all speak Russian, 30 % also English; 5 % are in group ``vip`` (and members of the
``vip`` queue). A quarter are blended: one call, or up to two chats, never both at once.
2,000 VIP customers each have a personal manager from the vip group; 20,000 regular
customers; a blacklist of numbers.

The scenario, and why it is shaped so
-------------------------------------
The scenario language names queues literally (``queue: q137``) and a ``require``
can only index literal skills, so a tenant with 500 queues has 500 queue actions
somewhere in its scenario. One flat rule per queue (``contact.data["q"] == "q137"``)
would make every contact walk up to 500 conditions. Real tenants do not route that way:
the number dialled (access point) already says which hotline/business unit the caller
wants (``contact.line``), and the IVR in front of routing collects what the caller is
calling about (here ``contact.digits["product"]``). So the scenario is a two-level
table, as a large tenant would write it:

1. ``blacklist``: ``on_list("blacklist", contact.ani) || customer.blacklisted`` → reject;
2. ``vip``: ``customer.category == "VIP" && in_hours("support")`` → ``manager:``
   (20 s on the personal manager), ``then:`` the ``vip`` queue, first vip agents
   speaking the caller's language for 30 s, then any vip agent;
3. one rule per line (10 lines) → ``use:`` that line's procedure;
4. each procedure has one rule per product (50) → the product's queue, with a
   3-step relaxation on the queue's skill: ``skill >= 4`` and the caller's language
   and a residual ``agent.occupancy < 0.95`` for 10 s → ``skill >= 2`` and language,
   best skill first, for 20 s → any member of the queue.

A contact walks at most 2 + 10 + 50 conditions instead of 500. (A menu per line
would cost even less, but then routing is split across IVR round trips, which this
benchmark does not model.)

The load
--------
First contacts are routed until about 90 % of agents are busy; then a steady stream
runs for a while unmeasured (warm-up), then is measured: Poisson arrivals (88 % calls,
12 % chats; queue demand skewed and not quite matching staffing, so some queues
wait), agents finishing (exponential handle times), callers abandoning, and step
expiries (time advances past a step's ``expire``, so relaxation happens). Each event's
routing call is timed with ``perf_counter_ns``:

* arrival: ``treat`` + ``enqueue`` + ``decide``;
* agent free: ``release`` + ``decide`` (the agent picks the next waiting contact);
* step expiry: ``decide`` at the expiry time (the contact's next step applies).

Sanity checks (asserted, not unit tests): no contact is offered twice, no agent ever
exceeds its capacity (checked against a shadow count kept here), every offered agent
satisfies the step's conditions, and periodically: no waiting contact has an available
agent that qualifies for its current step, and the availability index agrees with
the agents' loads.

The garbage collector stays on (the site built at start-up is ``gc.freeze()``-d, as a
service would); besides wall-clock latency the report gives each call's CPU time (which
excludes preemption by other processes) and the wall clock of the calls no collection
ran in, so a tail can be told apart from the router's own cost. "calls/s" is calls per
second of routing time (1 / mean latency), i.e. what one core could sustain.

Compiled condition speed is measured separately with ``timeit``: the VIP ``when``
against a real :class:`BusinessCalendar`, and the step-1 ``require`` residual.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import heapq
import json
import math
import os
import platform
import random
import sys
import time
import timeit
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from frontdesk.domain.agents import Agent, AgentState, Capacity
from frontdesk.domain.calendar import BusinessCalendar, TimeRange
from frontdesk.domain.channels import Channel, Media
from frontdesk.domain.contacts import Contact
from frontdesk.domain.customers import CustomerProfile
from frontdesk.domain.ids import DEFAULT_TENANT, AgentId, ContactId, CustomerId, QueueId
from frontdesk.domain.queues import Queue
from frontdesk.routing.context import CONTACT_SCHEMA, Facts, RoutingEnv
from frontdesk.routing.engine import Offer, Router
from frontdesk.routing.expr import BOOL, compile_expression
from frontdesk.routing.index import keys_of
from frontdesk.routing.plan import ActionKind, ScenarioPlan, StepPlan
from frontdesk.routing.scenario import Catalog, compile_scenario
from frontdesk.routing.state import RoutingState, Waiting

RESULTS = Path(__file__).resolve().parent / "results" / "routing.json"
TARGET_P99_US = 1_000.0
TARGET_P999_US = 5_000.0
TARGET_CONDITION_US = 2.0
EPOCH = datetime(2025, 3, 12, 11, 0, tzinfo=ZoneInfo("Europe/Moscow"))  # a Wednesday
CALL_HANDLE = 180.0
CHAT_HANDLE = 300.0
CALL_PATIENCE = 120.0
CHAT_PATIENCE = 600.0
CHAT_SHARE = 0.12
EN_SHARE = 0.15
KNOWN_SHARE = 0.6
VIP_SHARE = 0.05
BLACKLIST_SHARE = 0.005
CHAT_LIMIT = 2

ARRIVAL, END, ABANDON = 0, 1, 2
KINDS = ("arrival", "agent_free", "expiry")


@dataclass(frozen=True)
class Size:
    agents: int
    lines: int
    products: int  # per line
    skills: int
    vip_customers: int
    regular_customers: int
    blacklist: int
    fill_share: float  # share of agents made busy before the stream starts
    load: float  # offered load as a share of the agents' capacity
    warm_seconds: float
    measure_seconds: float
    check_every: int  # events between the expensive consistency checks
    condition_runs: int

    @property
    def queues(self) -> int:
        return self.lines * self.products


FULL = Size(
    agents=10_000, lines=10, products=50, skills=50, vip_customers=2_000,
    regular_customers=20_000, blacklist=1_000, fill_share=0.9, load=0.95,
    warm_seconds=300.0, measure_seconds=1_200.0, check_every=5_000, condition_runs=500_000,
)  # fmt: skip
QUICK = Size(
    agents=1_000, lines=5, products=10, skills=20, vip_customers=200,
    regular_customers=2_000, blacklist=100, fill_share=0.9, load=0.95,
    warm_seconds=120.0, measure_seconds=300.0, check_every=1_000, condition_runs=100_000,
)  # fmt: skip


# --- the site ---------------------------------------------------------------------------
def queue_name(line: int, product: int, size: Size) -> str:
    return f"q{line * size.products + product:03d}"


def skill_of(queue_number: int, size: Size) -> str:
    return f"s{queue_number % size.skills}"


def quote(expression: str) -> str:
    """An expression as a single-quoted YAML scalar."""
    return "'" + expression.replace("'", "''") + "'"


def scenario_text(size: Size) -> str:
    """The scenario YAML: blacklist, VIP manager, line → procedure → product queue."""
    out = [
        "scenario: routing-bench",
        "version: 1",
        "timezone: Europe/Moscow",
        "calendar: support",
        "aging_per_minute: 1",
        "rules:",
        "  - name: blacklist",
        "    when: " + quote('on_list("blacklist", contact.ani) || customer.blacklisted'),
        "    reject: {reason: blacklisted}",
        "  - name: vip",
        "    when: " + quote('customer.category == "VIP" && in_hours("support")'),
        "    manager:",
        "      timeout: 20s",
        "      then:",
        "        name: vip",
        "        priority: 10",
        "        steps:",
        "          - require: " + quote("contact.language in agent.languages"),
        "            expire: 30s",
        "          - {order_by: longest_idle}",
    ]
    for line in range(size.lines):
        out.append(f"  - name: line{line}")
        if line < size.lines - 1:
            out.append("    when: " + quote(f'contact.line == "line{line}"'))
        out.append(f"    use: line{line}")
    out.append("procedures:")
    for line in range(size.lines):
        out.append(f"  line{line}:")
        for product in range(size.products):
            number = line * size.products + product
            name = queue_name(line, product, size)
            skill = skill_of(number, size)
            out.append(f"    - name: {name}")
            if product < size.products - 1:
                out.append("      when: " + quote(f'contact.digits["product"] == "{product:02d}"'))
            out += [
                "      queue:",
                f"        name: {name}",
                "        steps:",
                "          - require: "
                + quote(
                    f'skill(agent, "{skill}") >= 4 && contact.language in agent.languages'
                    " && agent.occupancy < 0.95"
                ),
                "            expire: 10s",
                "          - require: "
                + quote(f'skill(agent, "{skill}") >= 2 && contact.language in agent.languages'),
                "            order_by: best_skill",
                f"            skill: {skill}",
                "            expire: 20s",
                "          - {order_by: longest_idle}",
            ]
    return "\n".join(out) + "\n"


def support_calendar() -> BusinessCalendar:
    weekday = (TimeRange.parse("08:00-22:00"),)
    weekly = dict.fromkeys(range(5), weekday) | {5: (TimeRange.parse("10:00-18:00"),)}
    return BusinessCalendar("support", "Europe/Moscow", weekly, holiday_country="RU")


def weighted_sample(rng: random.Random, cumulative: Sequence[float], count: int) -> list[int]:
    """``count`` distinct indexes drawn with the weights behind ``cumulative``."""
    chosen: set[int] = set()
    population = range(len(cumulative))
    while len(chosen) < count:
        chosen.update(rng.choices(population, cum_weights=cumulative, k=count - len(chosen)))
    return sorted(chosen)


def cumulate(weights: Iterable[float]) -> list[float]:
    total = 0.0
    out = []
    for weight in weights:
        total += weight
        out.append(total)
    return out


BLENDED = Capacity(
    limits={Media.CALL: 1, Media.CHAT: CHAT_LIMIT},
    blocks=frozenset({(Media.CALL, Media.CHAT), (Media.CHAT, Media.CALL)}),
)
CALLS = Capacity(limits={Media.CALL: 1})


def make_agents(rng: random.Random, size: Size, staffing: Sequence[float]) -> list[Agent]:
    cumulative = cumulate(staffing)
    agents = []
    for n in range(size.agents):
        queues = weighted_sample(rng, cumulative, rng.randint(3, 6))
        skills: dict[str, int] = {}
        for number in queues:
            skill = skill_of(number, size)
            skills[skill] = max(skills.get(skill, 0), rng.randint(1, 5))
        for _ in range(rng.randint(1, 3)):
            skills.setdefault(f"s{rng.randrange(size.skills)}", rng.randint(1, 5))
        names = {QueueId(f"q{number:03d}") for number in queues}
        vip = rng.random() < 0.05
        if vip:
            names.add(QueueId("vip"))
        agents.append(
            Agent(
                id=AgentId(f"a{n:05d}"),
                skills=skills,
                languages=frozenset({"ru", "en"} if rng.random() < 0.3 else {"ru"}),
                groups=frozenset({"vip"} if vip else ()),
                queues=frozenset(names),
                capacity=BLENDED if rng.random() < 0.25 else CALLS,
                state=AgentState.READY,
                occupancy=rng.uniform(0.5, 1.0),
            )
        )
    return agents


def make_customers(
    rng: random.Random, size: Size, agents: Sequence[Agent]
) -> tuple[list[CustomerProfile], list[CustomerProfile]]:
    managers = [a.id for a in agents if "vip" in a.groups]
    vips = [
        CustomerProfile(
            id=CustomerId(f"v{n:05d}"),
            name=f"VIP {n}",
            category="VIP",
            vip=True,
            manager=rng.choice(managers),
            languages=frozenset({"ru"}),
        )
        for n in range(size.vip_customers)
    ]
    regulars = [
        CustomerProfile(
            id=CustomerId(f"r{n:06d}"),
            name=f"Customer {n}",
            category="regular",
            blacklisted=rng.random() < 0.01,
        )
        for n in range(size.regular_customers)
    ]
    return vips, regulars


# --- statistics -------------------------------------------------------------------------
def percentile(ordered: Sequence[int], share: float) -> float:
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1] / 1_000.0


def summary(samples: list[int]) -> dict[str, float]:
    ordered = sorted(samples)
    total = sum(ordered)
    return {
        "events": len(ordered),
        "per_second": len(ordered) / (total / 1e9) if total else 0.0,
        "mean_us": total / len(ordered) / 1_000.0 if ordered else 0.0,
        "p50_us": percentile(ordered, 0.50),
        "p99_us": percentile(ordered, 0.99),
        "p999_us": percentile(ordered, 0.999),
        "max_us": ordered[-1] / 1_000.0 if ordered else 0.0,
    }


# --- the run ----------------------------------------------------------------------------
class GcWatch:
    """Counts the garbage collector's runs and pauses (while ``active``)."""

    def __init__(self) -> None:
        self.collections = 0
        self.active = False
        self.started = 0
        self.pauses: dict[int, list[int]] = {0: [], 1: [], 2: []}

    def install(self) -> None:
        if self.callback not in gc.callbacks:
            gc.callbacks.append(self.callback)

    def callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self.collections += 1
            self.started = time.perf_counter_ns()
        elif self.active:
            self.pauses[info["generation"]].append(time.perf_counter_ns() - self.started)

    def report(self) -> dict[str, dict[str, float]]:
        return {
            f"gen{generation}": {
                "collections": len(pauses),
                "mean_us": sum(pauses) / len(pauses) / 1e3 if pauses else 0.0,
                "max_us": max(pauses, default=0) / 1e3,
            }
            for generation, pauses in self.pauses.items()
        }


GC = GcWatch()


class Bench:
    """The site, the router, the event heap and the checks."""

    def __init__(self, size: Size, seed: int) -> None:
        self.size = size
        self.rng = rng = random.Random(seed)
        queue_count = size.queues
        demand = [rng.lognormvariate(0.0, 0.8) for _ in range(queue_count)]
        # Staffing follows demand, but forecasts are never exact.
        staffing = [d * rng.lognormvariate(0.0, 0.25) for d in demand]
        self.demand = cumulate(demand)
        started = time.perf_counter()
        self.agents = make_agents(rng, size, staffing)
        self.vips, self.regulars = make_customers(rng, size, self.agents)
        self.blacklist = [f"+7999{n:07d}" for n in range(size.blacklist)]
        self.queues = {
            QueueId(f"q{n:03d}"): Queue(QueueId(f"q{n:03d}")) for n in range(queue_count)
        }
        self.queues[QueueId("vip")] = Queue(QueueId("vip"), name="VIP")
        self.text = scenario_text(size)
        catalog = Catalog(self.queues, calendars={"support"}, lists={"blacklist"})
        compiled_at = time.perf_counter()
        self.plan: ScenarioPlan = compile_scenario(self.text, catalog)
        self.compile_seconds = time.perf_counter() - compiled_at
        self.calendar = support_calendar()
        self.state = RoutingState(self.plan.aging_per_minute)
        self.facts = Facts(
            timezone=ZoneInfo(self.plan.timezone),
            calendars={"support": self.calendar},
            default_calendar="support",
            lists={"blacklist": frozenset(self.blacklist)},
            day_parts=self.plan.day_parts,
            queues=self.state,
        )
        self.router = Router(self.plan, self.queues, self.facts)
        for agent in self.agents:
            self.state.set_agent(agent)
        self.setup_seconds = time.perf_counter() - started
        self.limits = {a.id: a.capacity for a in self.agents}
        self.load: dict[AgentId, Counter[Media]] = {a.id: Counter() for a in self.agents}
        self.heap: list[tuple[float, int, int, str]] = []
        self.seq = 0
        self.contacts = 0
        self.now = 0.0
        self.envs: dict[ContactId, RoutingEnv] = {}
        self.routes: dict[ContactId, str] = {}
        self.arrived: dict[ContactId, float] = {}
        self.served: dict[ContactId, AgentId] = {}
        self.offered: set[ContactId] = set()
        self.measuring = False
        self.latency: dict[str, list[int]] = {kind: [] for kind in KINDS}  # wall clock, ns
        self.cpu: dict[str, list[int]] = {kind: [] for kind in KINDS}  # this thread's CPU time
        self.no_gc: dict[str, list[int]] = {kind: [] for kind in KINDS}  # wall, no GC inside
        self.steps: Counter[tuple[str, int]] = Counter()
        self.outcomes: Counter[str] = Counter()
        self.waits: list[float] = []
        self.samples: list[tuple[int, int]] = []  # (busy agents, waiting contacts)
        self.events = 0
        self.checks = 0
        self.busy = 0  # agents with any load
        self.measured_from = 0.0

    # --- scheduling ---------------------------------------------------------------------
    def push(self, at: float, kind: int, payload: str) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (at, self.seq, kind, payload))

    def rate(self) -> float:
        """Arrivals per second for the offered load ``size.load`` of the agents."""
        # A chat takes half an agent (two at once), a call a whole one.
        per_contact = (1 - CHAT_SHARE) * CALL_HANDLE + CHAT_SHARE * CHAT_HANDLE / CHAT_LIMIT
        return self.size.load * self.size.agents / per_contact

    # --- contacts -----------------------------------------------------------------------
    def new_contact(self, now: float) -> RoutingEnv:
        rng = self.rng
        self.contacts += 1
        number = rng.choices(range(len(self.demand)), cum_weights=self.demand)[0]
        line, product = divmod(number, self.size.products)
        customer: CustomerProfile | None = None
        ani = f"+7916{rng.randrange(10_000_000):07d}"
        draw = rng.random()
        if draw < BLACKLIST_SHARE:
            ani = rng.choice(self.blacklist)
        elif draw < BLACKLIST_SHARE + KNOWN_SHARE * VIP_SHARE:
            customer = rng.choice(self.vips)
        elif draw < KNOWN_SHARE:
            customer = rng.choice(self.regulars)
        chat = rng.random() < CHAT_SHARE
        at = EPOCH + timedelta(seconds=now)
        contact = Contact(
            id=ContactId(f"c{self.contacts:07d}"),
            tenant=DEFAULT_TENANT,
            channel=Channel.CHAT if chat else Channel.VOICE,
            ani=ani,
            access_point=f"+7495{line:07d}",
            arrived_at=at,
            line=f"line{line}",
            digits={"product": f"{product:02d}"},
            customer=customer.id if customer else None,
            category=customer.category if customer else None,
            language="en" if rng.random() < EN_SHARE else "ru",
        )
        return self.router.environment(contact, customer, at)

    def arrival(self, now: float) -> None:
        env = self.new_contact(now)
        contact = env.contact.id
        router, state = self.router, self.state
        cpu, collections = time.thread_time_ns(), GC.collections
        started = time.perf_counter_ns()
        treatment = router.treat(env)
        queued = treatment.kind is ActionKind.QUEUE
        if queued:
            router.enqueue(state, contact, env, treatment, now)
        offers = router.decide(state, now)
        elapsed = time.perf_counter_ns() - started
        cpu = time.thread_time_ns() - cpu
        if self.measuring:
            self.record("arrival", elapsed, cpu, collections)
            self.outcomes[treatment.rule.name if not queued else "queued"] += 1
        if queued:
            self.envs[contact] = env
            self.arrived[contact] = now
            self.routes[contact] = "vip" if treatment.rule.name == "vip" else "default"
            media = env.contact.media
            patience = CHAT_PATIENCE if media is Media.CHAT else CALL_PATIENCE
            self.push(now + self.rng.expovariate(1 / patience), ABANDON, contact)
        self.take(offers, now)

    def agent_free(self, now: float, contact: ContactId) -> None:
        agent = self.served.pop(contact)
        media = self.envs.pop(contact).contact.media
        load = self.load[agent]
        load[media] -= 1
        if not load.total():
            self.busy -= 1
        cpu, collections = time.thread_time_ns(), GC.collections
        started = time.perf_counter_ns()
        self.state.release(agent, media)
        offers = self.router.decide(self.state, now)
        elapsed = time.perf_counter_ns() - started
        cpu = time.thread_time_ns() - cpu
        if self.measuring:
            self.record("agent_free", elapsed, cpu, collections)
        self.take(offers, now)

    def expiry(self, at: float) -> None:
        _, _, waiting, step = self.state.expiries[0]
        live = self.state.waiting.get(waiting.contact) is waiting and waiting.step == step
        cpu, collections = time.thread_time_ns(), GC.collections
        started = time.perf_counter_ns()
        offers = self.router.decide(self.state, at)
        elapsed = time.perf_counter_ns() - started
        cpu = time.thread_time_ns() - cpu
        if self.measuring and live:
            self.record("expiry", elapsed, cpu, collections)
        self.take(offers, at)

    def record(self, kind: str, wall: int, cpu: int, collections: int) -> None:
        self.latency[kind].append(wall)
        self.cpu[kind].append(cpu)
        if GC.collections == collections:
            self.no_gc[kind].append(wall)

    def abandon(self, contact: ContactId) -> None:
        if contact in self.state.waiting:
            self.state.remove(contact)
            del self.envs[contact]
            if self.measuring:
                self.outcomes["abandoned"] += 1

    def take(self, offers: list[Offer], now: float) -> None:
        """Check each offer, accept it, and schedule the end of the contact."""
        for offer in offers:
            contact, agent = offer.contact, offer.agent
            assert contact not in self.offered, f"contact {contact} offered twice"
            self.offered.add(contact)
            env = self.envs[contact]
            media = env.contact.media
            load = self.load[agent]
            if not load.total():
                self.busy += 1
            load[media] += 1
            limits = self.limits[agent]
            assert load[media] <= limits.limits.get(media, 0), f"{agent} over capacity"
            assert not any(load[busy] and load[blocked] for busy, blocked in limits.blocks), (
                f"{agent} has blocked media together"
            )
            self.check_qualifies(offer, env)
            self.state.accepted(contact)
            self.served[contact] = agent
            handle = CHAT_HANDLE if media is Media.CHAT else CALL_HANDLE
            self.push(now + self.rng.expovariate(1 / handle), END, contact)
            if self.measuring:
                self.steps[self.routes[contact], offer.step.index] += 1
                self.waits.append(now - self.arrived[contact])
        for offer in offers:  # the state counts the same load as the shadow kept here
            mine = {m: n for m, n in self.load[offer.agent].items() if n}
            assert mine == {m: n for m, n in self.state.agents[offer.agent].load.items() if n}

    def check_qualifies(self, offer: Offer, env: RoutingEnv) -> None:
        step = offer.step
        slot = self.state.agents[offer.agent]
        needed = [term.key(env) for term in step.terms]
        if step.queue is not None:
            needed.append(("queue", step.queue, 1))
        assert all(key in slot.keys for key in needed), f"{offer.agent} lacks {needed}"
        assert keys_of(slot.agent) == slot.keys
        if step.residual is not None:
            env.agent = slot.agent
            ok = step.residual(env) is True
            env.agent = None
            assert ok, f"{offer.agent} fails the residual of step {step.index + 1}"

    def check_consistency(self) -> None:
        """No waiting contact has a qualified available agent; the index matches loads."""
        self.checks += 1
        state = self.state
        for agent_id, slot in state.agents.items():
            for media in Media:
                can = slot.can_take(media)
                assert can == (media in slot.available), f"{agent_id} availability of {media}"
                indexed = agent_id in state.index.available[media].get(("*", "", 0), {})
                assert indexed == can, f"{agent_id} index for {media}"
        for waiting in state.waiting.values():
            assert missed_agent(state, waiting) is None, f"{waiting.contact} waits needlessly"

    # --- the loop -----------------------------------------------------------------------
    def run_until(self, until: float, rate: float, busy: float = math.inf) -> None:
        """Process events up to ``until`` (or until ``busy`` agents are busy)."""
        heap, state, check_every = self.heap, self.state, self.size.check_every
        while self.busy < busy:
            at = heap[0][0]
            expiries = state.expiries
            expires = expiries[0][0] if expiries else math.inf
            if min(at, expires) > until:
                return
            if expires < at:
                self.now = expires
                self.expiry(expires)
            else:
                self.now, _, kind, payload = heapq.heappop(heap)
                if kind == ARRIVAL:
                    self.arrival(self.now)
                    self.push(self.now + self.rng.expovariate(rate), ARRIVAL, "")
                elif kind == END:
                    self.agent_free(self.now, ContactId(payload))
                else:
                    self.abandon(ContactId(payload))
            self.events += 1
            if self.measuring and self.events % 100 == 0:
                self.samples.append((self.busy, len(state.waiting)))
            if self.events % check_every == 0:
                self.check_consistency()

    def fill(self, rate: float) -> None:
        """A morning ramp: arrivals at ``rate`` until ``fill_share`` of the agents are busy."""
        self.push(self.rng.expovariate(rate), ARRIVAL, "")
        self.run_until(math.inf, rate, busy=self.size.fill_share * self.size.agents)
        self.check_consistency()

    def run(self) -> None:
        rate = self.rate()
        self.fill(3 * rate)
        warm_until = self.now + self.size.warm_seconds
        self.run_until(warm_until, rate)
        self.measuring = GC.active = True
        self.measured_from = self.now
        self.run_until(warm_until + self.size.measure_seconds, rate)
        self.measuring = GC.active = False
        self.check_consistency()


def missed_agent(state: RoutingState, waiting: Waiting) -> str | None:
    """An available agent that qualifies for the contact's current step, if any."""
    keys = waiting.keys
    if not keys:
        return None
    lines = state.index.available[waiting.media]
    found = [lines.get(key) for key in keys]
    sets = [line for line in found if line is not None]
    if len(sets) < len(found) or not all(sets):
        return None
    shortest = min(sets, key=len)
    residual = waiting.current.residual
    env = waiting.env
    for agent_id in shortest:
        if not all(agent_id in line for line in sets):
            continue
        if residual is not None:
            env.agent = state.agents[agent_id].agent
            ok = residual(env) is True
            env.agent = None
            if not ok:
                continue
        return agent_id
    return None


# --- compiled conditions ----------------------------------------------------------------
def time_call(function: Callable[[Any], Any], env: RoutingEnv, runs: int) -> float:
    """Microseconds per evaluation, best of 5 repeats."""
    best = min(timeit.repeat("f(env)", globals={"f": function, "env": env}, number=runs, repeat=5))
    return best / runs * 1e6


def condition_speed(bench: Bench) -> dict[str, float]:
    runs = bench.size.condition_runs
    vip = bench.vips[0]
    when = compile_expression(
        'customer.category == "VIP" && in_hours("support")', CONTACT_SCHEMA, BOOL
    ).evaluate
    env = bench.new_contact(bench.now)
    env = RoutingEnv(env.contact, vip, env.now, bench.facts)
    assert when(env) is True, "the VIP condition should hold during opening hours"
    regular = RoutingEnv(env.contact, bench.regulars[0], env.now, bench.facts)
    assert when(regular) is False
    step1 = first_default_step(bench.plan)
    assert step1.residual is not None
    member = next(a for a in bench.agents if a.occupancy < 0.95)
    with_agent = RoutingEnv(env.contact, vip, env.now, bench.facts, agent=member)
    assert step1.residual(with_agent) is True
    line = compile_expression('contact.line == "line3"', CONTACT_SCHEMA, BOOL).evaluate
    return {
        "vip_when_true_us": time_call(when, env, runs),
        "vip_when_short_circuit_us": time_call(when, regular, runs),
        "line_when_us": time_call(line, env, runs),
        "require_residual_us": time_call(step1.residual, with_agent, runs),
        "in_hours_us": time_call(lambda e: bench.calendar.is_open(e.now), env, runs),
    }


def first_default_step(plan: ScenarioPlan) -> StepPlan:
    rule = plan.procedures["line0"][0]
    return rule.action.steps[0]


# --- report -----------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for row in info:
                if row.startswith("model name"):
                    cpu = row.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "load_average": os.getloadavg()[0],
        "cpu": cpu,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
    }


STEP_NAMES = {
    "default": ("skill>=4 + language", "skill>=2 + language", "any member"),
    "vip": ("personal manager", "vip queue + language", "any vip agent"),
}


def step_shares(counts: Counter[tuple[str, int]]) -> dict[str, tuple[int, dict[str, float]]]:
    """Per route: its offers, and the share of them made at each step."""
    out = {}
    for route, names in STEP_NAMES.items():
        total = sum(counts[route, index] for index in range(len(names)))
        shares = {name: counts[route, index] / (total or 1) for index, name in enumerate(names)}
        out[route] = (total, shares)
    return out


def tables(samples: dict[str, list[int]]) -> dict[str, dict[str, float]]:
    rows = {kind: summary(samples[kind]) for kind in KINDS}
    rows["combined"] = summary([x for kind in KINDS for x in samples[kind]])
    return rows


def print_table(title: str, rows: dict[str, dict[str, float]]) -> None:
    print()
    print(f"{title} (µs)")
    print(f"{'event':<12}{'events':>9}{'calls/s':>10}{'mean':>9}{'p50':>9}{'p99':>9}"
          f"{'p99.9':>9}{'max':>10}")  # fmt: skip
    for kind, row in rows.items():
        print(
            f"{kind:<12}{row['events']:>9,.0f}{row['per_second']:>10,.0f}{row['mean_us']:>9.1f}"
            f"{row['p50_us']:>9.1f}{row['p99_us']:>9.1f}{row['p999_us']:>9.1f}"
            f"{row['max_us']:>10.1f}"
        )


def verdict(value: float, target: float) -> str:
    return "PASS" if value <= target else "MISS"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--quick", action="store_true", help="a small site and a short run")
    parser.add_argument("--seed", type=int, default=20250312)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--load", type=float, help="offered load as a share of capacity (default 0.95)"
    )
    args = parser.parse_args(argv)
    size = QUICK if args.quick else FULL
    if args.load is not None:
        size = dataclasses.replace(size, load=args.load)
    host = machine()
    print(
        f"routing benchmark ({'quick' if args.quick else 'full'}) — {host['cores']} cores, "
        f"{host['cpu']}, {host['implementation']} {host['python']} on {host['platform']}; "
        f"load average {host['load_average']:.2f}"
    )
    started = time.perf_counter()
    bench = Bench(size, args.seed)
    print(
        f"site: {size.agents:,} agents, {size.queues} queues + vip, {size.skills} skills, "
        f"{size.vip_customers:,} VIP customers; scenario {len(bench.text) / 1024:.0f} KiB "
        f"compiled in {bench.compile_seconds:.2f} s; setup {bench.setup_seconds:.1f} s"
    )
    gc.collect()
    gc.freeze()  # the site is long-lived, as in a running service
    GC.install()
    bench.run()
    run_seconds = time.perf_counter() - started
    conditions = condition_speed(bench)

    latency = {
        name: tables(samples)
        for name, samples in (
            ("wall", bench.latency), ("cpu", bench.cpu), ("wall_without_gc", bench.no_gc),
        )
    }  # fmt: skip
    busy = [b for b, _ in bench.samples]
    queued = [w for _, w in bench.samples]
    offers = sum(bench.steps.values())
    steps = step_shares(bench.steps)
    waits = sorted(bench.waits)
    load = {
        "virtual_seconds": bench.now - bench.measured_from,
        "arrivals_per_second": bench.rate(),
        "mean_busy_share": sum(busy) / len(busy) / size.agents if busy else 0.0,
        "mean_waiting": sum(queued) / len(queued) if queued else 0.0,
        "max_waiting": max(queued, default=0),
        "offers": offers,
        "outcomes": dict(bench.outcomes),
        "mean_wait_s": sum(waits) / len(waits) if waits else 0.0,
        "p90_wait_s": waits[int(0.9 * (len(waits) - 1))] if waits else 0.0,
    }
    print(
        f"load: {load['virtual_seconds']:.0f} s simulated, {load['arrivals_per_second']:.1f} "
        f"arrivals/s, {load['mean_busy_share']:.1%} of agents busy, "
        f"{load['mean_waiting']:.0f} waiting on average (max {load['max_waiting']}), "
        f"wait mean {load['mean_wait_s']:.1f} s / p90 {load['p90_wait_s']:.1f} s"
    )
    print(f"outcomes: {dict(sorted(bench.outcomes.items()))}")
    print_table("latency per routing call, wall clock", latency["wall"])
    print_table("the same, this thread's CPU time (no preemption)", latency["cpu"])
    print_table("wall clock of the events no garbage collection ran in", latency["wall_without_gc"])
    collected = GC.report()
    print(
        "GC while measuring: "
        + ", ".join(
            f"{name} {row['collections']:.0f}× (mean {row['mean_us']:.0f} µs, "
            f"max {row['max_us']:.0f} µs)"
            for name, row in collected.items()
        )
    )
    print()
    for route, (count, shares) in steps.items():
        listed = ", ".join(f"{name} {share:.1%}" for name, share in shares.items())
        print(f"{route} route, offers by step ({count:,}): {listed}")
    print(
        "compiled conditions (µs/eval): "
        + ", ".join(f"{name.removesuffix('_us')} {value:.3f}" for name, value in conditions.items())
    )
    combined = latency["wall"]["combined"]
    condition = max(conditions["vip_when_true_us"], conditions["require_residual_us"])
    targets = {
        "p99 <= 1 ms": (combined["p99_us"], TARGET_P99_US),
        "p99.9 <= 5 ms": (combined["p999_us"], TARGET_P999_US),
        "condition <= 2 µs": (condition, TARGET_CONDITION_US),
    }
    print()
    for name, (value, target) in targets.items():
        print(f"{verdict(value, target)}  {name}: {value:.3f} µs")
    print(
        f"sanity: {offers:,} offers checked, {bench.checks} full consistency checks, "
        f"no double offer, no agent over capacity; run {run_seconds:.0f} s"
    )
    result = {
        "machine": host,
        "mode": "quick" if args.quick else "full",
        "seed": args.seed,
        "size": {**size.__dict__, "queues": size.queues},
        "gc": "frozen after setup",
        "compile_seconds": bench.compile_seconds,
        "setup_seconds": bench.setup_seconds,
        "run_seconds": run_seconds,
        "load": load,
        "latency": latency,
        "gc_while_measuring": collected,
        "offers_by_step": {
            route: {"offers": count, "share": shares} for route, (count, shares) in steps.items()
        },
        "conditions_us": conditions,
        "targets": {
            name: {"value": value, "target": target, "pass": value <= target}
            for name, (value, target) in targets.items()
        },
        "consistency_checks": bench.checks,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"results: {args.out}")
    return 0 if all(value <= target for value, target in targets.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
