"""The simulator against queueing theory: M/M/c runs must reproduce Erlang C and Erlang A.

The site is the textbook queue: one queue, c agents logged in all the time, Poisson
arrivals, exponential handle times, first come first served, and (for Erlang A)
exponential patience. It runs through the real scenario compiler and router, like any
other simulation.

Every simulated day of every seed gives one estimate per figure (batch means), taken
from the records by the analytics metrics over the contacts queued between 01:00 and
23:00 of that day: the first hour of a run is the warm-up from an empty centre, contacts
of the last hour might still be waiting or talking at the end, and the two-hour gaps
make the days' estimates independent in practice (the queue forgets its state within
minutes at this load). With n such estimates, mean ± t·s/√n at 99.9 % is a confidence
interval for what the simulator converges to; it must contain the Erlang value. A floor
on the half-width keeps a lucky small spread from making the check brittle. The same
check must reject the Erlang values of a centre with c − 2 agents (and the figures of a
simulation of one): the test would notice a simulator that is off by that much.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

import pytest

from frontdesk.analytics.metrics import QueueMetrics
from frontdesk.domain.agents import Agent
from frontdesk.domain.channels import Channel
from frontdesk.domain.ids import AgentId, QueueId
from frontdesk.domain.queues import AccessPoint, Queue
from frontdesk.routing.scenario import Catalog, compile_scenario
from frontdesk.sim.arrivals import ArrivalProfile, Distribution, Shape
from frontdesk.sim.engine import Simulation
from frontdesk.sim.model import RosterEntry, SiteModel, Stream
from frontdesk.wfm.erlang import mmc, mmc_abandon

AGENTS = 20
LOAD = 0.85  # offered load per agent: A = 17 erlangs; with 18 agents still stable
AHT = 240.0
PATIENCE = 120.0
TARGET = 20.0
ARRIVAL_RATE = LOAD * AGENTS / AHT  # about 6,100 contacts a day
SEEDS = (1, 2, 3, 4, 5)
DAYS = 3  # 15 estimates per figure
DAY = 86_400.0
MARGIN = 3600.0  # seconds left out at the start and the end of each day
#: Two-sided 99.9 % quantiles of Student's t, by degrees of freedom.
T_999 = {4: 8.610, 9: 4.781, 14: 4.140, 19: 3.883, 29: 3.659}
QUEUE = QueueId("main")
SCENARIO = "scenario: mmc\nversion: 1\nrules: [{queue: main}]\n"


@dataclass(frozen=True, slots=True)
class Estimate:
    """One day's figures."""

    wait_probability: float
    asa: float
    service_level: float
    abandon_rate: float


@dataclass(frozen=True, slots=True)
class Interval:
    low: float
    high: float

    def __contains__(self, value: float) -> bool:
        return self.low <= value <= self.high


def confidence(values: Sequence[float], floor: float) -> Interval:
    """mean ± t·s/√n at 99.9 %, the half-width at least ``floor``."""
    n = len(values)
    mean = statistics.fmean(values)
    half = T_999[n - 1] * statistics.stdev(values) / math.sqrt(n)
    half = max(half, floor)
    return Interval(mean - half, mean + half)


# Half-width floors: a spread much smaller than these would be luck.
FLOORS = {"wait_probability": 0.01, "asa": 0.5, "service_level": 0.01, "abandon_rate": 0.003}


def intervals(estimates: Sequence[Estimate]) -> dict[str, Interval]:
    return {
        name: confidence([getattr(e, name) for e in estimates], floor)
        for name, floor in FLOORS.items()
    }


def site(agents: int, patience: float | None) -> SiteModel:
    queues = {QUEUE: Queue(QUEUE)}
    roster = tuple(
        RosterEntry(Agent(AgentId(f"a{i}"), queues=frozenset({QUEUE})), shifts=None)
        for i in range(agents)
    )
    stream = Stream(
        access_point=AccessPoint("+74950000000", Channel.VOICE),
        arrivals=ArrivalProfile.constant(ARRIVAL_RATE),
        handle=Distribution(Shape.EXPONENTIAL, AHT),
        patience=Distribution(Shape.EXPONENTIAL, patience) if patience else None,
    )
    epoch = datetime(2025, 3, 3, tzinfo=ZoneInfo("Europe/Moscow"))
    return SiteModel(epoch, queues, roster, (stream,))


@cache
def simulate(agents: int, patience: float | None) -> tuple[Estimate, ...]:
    """One estimate per seed and day (cached: several tests look at the same runs)."""
    model = site(agents, patience)
    plan = compile_scenario(SCENARIO, Catalog(queues=model.queues))
    estimates = []
    for seed in SEEDS:
        result = Simulation(plan, model, seed).run(DAYS)
        days = [QueueMetrics() for _ in range(DAYS)]
        for record in result.records:
            queued = record.queued_at
            if queued is None:
                continue
            day, second = divmod(queued, DAY)
            if MARGIN <= second < DAY - MARGIN:
                days[int(day)].add(record, TARGET)
        for metrics in days:
            assert metrics.offered > 0.9 * ARRIVAL_RATE * (DAY - 2 * MARGIN)
            assert metrics.wait_probability is not None
            assert metrics.asa is not None
            assert metrics.service_level is not None
            assert metrics.abandon_rate is not None
            estimates.append(
                Estimate(
                    metrics.wait_probability,
                    metrics.asa,
                    metrics.service_level,
                    metrics.abandon_rate,
                )
            )
    return tuple(estimates)


def erlang_c(agents: int) -> dict[str, float]:
    result = mmc(agents, ARRIVAL_RATE, AHT, TARGET)
    return {
        "wait_probability": result.p_wait,
        "asa": result.asa,  # over all arrivals; here every one is answered
        "service_level": result.service_level,
        "abandon_rate": 0.0,
    }


def erlang_a(agents: int) -> dict[str, float]:
    result = mmc_abandon(agents, ARRIVAL_RATE, AHT, PATIENCE, TARGET)
    return {
        "wait_probability": result.p_wait,
        "asa": result.asa_answered,  # the metrics' ASA is over answered contacts
        "service_level": result.service_level,  # abandoners count as failures
        "abandon_rate": result.p_abandon,
    }


def misses(found: dict[str, Interval], expected: dict[str, float]) -> dict[str, str]:
    """The figures whose expected value lies outside the interval, with the evidence."""
    return {
        name: f"{expected[name]:.4f} not in [{found[name].low:.4f}, {found[name].high:.4f}]"
        for name in FLOORS
        if expected[name] not in found[name]
    }


# --- the check itself ------------------------------------------------------------------
def test_confidence_interval_is_mean_plus_minus_t_s_over_root_n() -> None:
    values = [1.0, 2.0, 3.0, 4.0, 5.0]
    found = confidence(values, floor=0.0)
    half = 8.610 * statistics.stdev(values) / math.sqrt(5)
    assert found.low == pytest.approx(3.0 - half)
    assert found.high == pytest.approx(3.0 + half)
    assert confidence([2.0, 2.0, 2.0, 2.0, 2.0], floor=0.1) == Interval(1.9, 2.1)


# --- Erlang C ----------------------------------------------------------------------------
def test_mmc_matches_erlang_c() -> None:
    found = intervals(simulate(AGENTS, None))
    assert misses(found, erlang_c(AGENTS)) == {}


def test_mmc_check_rejects_a_centre_with_two_agents_fewer() -> None:
    found = intervals(simulate(AGENTS, None))
    wrong = erlang_c(AGENTS - 2)
    assert wrong["wait_probability"] < 1.0  # still a stable queue, just a different one
    rejected = misses(found, wrong)
    assert set(rejected) == {"wait_probability", "asa", "service_level"}  # no abandons either way


# --- Erlang A ----------------------------------------------------------------------------
def test_mmc_with_patience_matches_erlang_a() -> None:
    found = intervals(simulate(AGENTS, PATIENCE))
    assert misses(found, erlang_a(AGENTS)) == {}


def test_mmc_with_patience_check_rejects_a_centre_with_two_agents_fewer() -> None:
    found = intervals(simulate(AGENTS, PATIENCE))
    rejected = misses(found, erlang_a(AGENTS - 2))
    assert set(rejected) == set(FLOORS)


def test_a_simulation_with_two_agents_fewer_fails_the_erlang_a_check() -> None:
    found = intervals(simulate(AGENTS - 2, PATIENCE))
    assert misses(found, erlang_a(AGENTS - 2)) == {}  # right against its own model ...
    rejected = misses(found, erlang_a(AGENTS))  # ... and wrong against the centre's
    assert set(rejected) == set(FLOORS)
