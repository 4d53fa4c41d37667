"""Simulator benchmark: Frontdesk's simulator against SimPy and Ciw on the same M/M/c day.

Run ``python bench/sim.py`` (``--quick`` for a small version). Results go to
``bench/results/sim.json``. The exit code is 0 whatever the figures: this is a report.

The model
---------
One queue, c agents logged in all day, Poisson arrivals at load 0.9 (λ = 0.9·c/AHT),
exponential handle times with AHT 240 s, first come first served, for 24 hours from an
empty system: c = 100 (about 32,000 calls) and c = 1,000 (about 320,000 calls), each
without and with exponential patience (mean 60 s; a caller still waiting then hangs up).

The three implementations
-------------------------
* **Frontdesk**: ``frontdesk.sim.engine.Simulation`` with a one-rule scenario
  (``rules: [{queue: main}]``) compiled by the real scenario compiler. Every call is a
  ``Contact`` classified by ``Router.treat``, queued by ``Router.enqueue`` and matched
  by ``Router.decide`` over the ``RoutingState`` indexes; the run ends with the full
  per-queue and per-interval report and agent occupancy. The timed part is
  ``Simulation(plan, site, seed).run(1.0)``.
* **SimPy**: the textbook model: a source process, one process per caller, a
  ``simpy.Resource`` of c agents; with patience ``yield request | env.timeout(patience)``.
  Each caller appends (arrival, wait, answered) to a list.
* **Ciw**: ``ciw.create_network`` with exponential arrival and service distributions,
  ``number_of_servers=[c]`` and, for patience, ``reneging_time_distributions``;
  ``simulate_until_max_time`` and ``get_all_records``.

Each wall time is the best of N runs (``--repeat``, 3 by default); run i uses seed i
in all three. Ciw at c = 1,000 takes a minute or more per run, so it runs once
(``--skip-slow`` leaves it out); the output says so.

The results shown
-----------------
SL (answered within 20 s / offered), ASA (mean wait of answered calls) and the abandon
rate are computed the same way for all three, from each implementation's own per-call
output, over the calls that arrived between 01:00 and 23:00: the first hour is the
warm-up from an empty system, and every call that arrived before 23:00 has left by
midnight, so none is cut off. Each is the mean over the N runs, with the half-width of
its 95 % confidence interval (t·s/√N), next to the Erlang C (no patience) or Erlang A
(patience) steady-state value from ``frontdesk.wfm.erlang``. One day at c = 100 and
load 0.9 is a small sample of a slowly mixing queue: days differ by several points of
SL, so agreement means "within the interval", not "to the decimal".

Targets: Frontdesk at least 3× faster than SimPy and 6× faster than Ciw, per case.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Generator, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import ciw
import simpy

from frontdesk.analytics.records import Outcome
from frontdesk.domain.agents import Agent
from frontdesk.domain.channels import Channel
from frontdesk.domain.ids import AgentId, QueueId
from frontdesk.domain.queues import AccessPoint, Queue
from frontdesk.routing.plan import ScenarioPlan
from frontdesk.routing.scenario import Catalog, compile_scenario
from frontdesk.sim.arrivals import ArrivalProfile, Distribution, Shape
from frontdesk.sim.engine import Simulation
from frontdesk.sim.model import RosterEntry, SiteModel, Stream
from frontdesk.wfm.erlang import mmc, mmc_abandon

AHT = 240.0
LOAD = 0.9
PATIENCE = 60.0
TARGET = 20.0
HOURS = 24.0
WARM_UP = 3600.0  # calls arriving in the first hour are not measured ...
COOL_DOWN = 3600.0  # ... nor those of the last hour (they all leave before the end)
SEED = 1  # run i of a measurement uses seed SEED + i
TARGET_VS_SIMPY = 3.0
TARGET_VS_CIW = 6.0
RESULTS = Path(__file__).resolve().parent / "results" / "sim.json"

Call = tuple[float, float, bool]  # arrival time, wait, answered (False: abandoned)


@dataclass(frozen=True, slots=True)
class Case:
    servers: int
    patience: float | None
    hours: float = HOURS

    @property
    def rate(self) -> float:
        return LOAD * self.servers / AHT

    @property
    def name(self) -> str:
        return f"c={self.servers} " + ("patience 60s" if self.patience else "no patience")


@dataclass(slots=True)
class Figures:
    calls: int  # every arrival of the day
    measured: int  # arrivals in the measured window
    service_level: float
    asa: float
    abandon_rate: float


#: Two-sided 95 % quantiles of Student's t, by degrees of freedom.
T_95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306}


@dataclass(slots=True)
class Timing:
    engine: str
    runs: list[float] = field(default_factory=list)
    figures: list[Figures] = field(default_factory=list)
    note: str = ""

    @property
    def best(self) -> float | None:
        return min(self.runs) if self.runs else None

    def summary(self) -> dict[str, Any] | None:
        """Mean figures over the runs, with the 95 % half-widths (None for one run)."""
        if not self.figures:
            return None
        out: dict[str, Any] = {"calls": self.figures[0].calls}
        for name in ("measured", "service_level", "asa", "abandon_rate"):
            values = [float(getattr(f, name)) for f in self.figures]
            out[name] = statistics.fmean(values)
            n = len(values)
            out[f"{name}_half_width"] = (
                T_95[n - 1] * statistics.stdev(values) / math.sqrt(n) if n - 1 in T_95 else None
            )
        return out


def figures(calls: Iterable[Call], total: int, until: float) -> Figures:
    start, stop = WARM_UP, until - COOL_DOWN
    offered = answered = in_target = abandoned = 0
    waited = 0.0
    for arrival, wait, ok in calls:
        if not start <= arrival < stop:
            continue
        offered += 1
        if ok:
            answered += 1
            waited += wait
            if wait <= TARGET:
                in_target += 1
        else:
            abandoned += 1
    return Figures(
        calls=total,
        measured=offered,
        service_level=in_target / offered if offered else float("nan"),
        asa=waited / answered if answered else float("nan"),
        abandon_rate=abandoned / offered if offered else float("nan"),
    )


# --- Frontdesk -------------------------------------------------------------------------
SCENARIO = "scenario: mmc\nversion: 1\nrules: [{queue: main}]\n"


def frontdesk_model(case: Case) -> tuple[ScenarioPlan, SiteModel]:
    queue = QueueId("main")
    queues = {queue: Queue(queue)}
    plan = compile_scenario(SCENARIO, Catalog(queues=queues))
    roster = tuple(
        RosterEntry(Agent(AgentId(f"a{i}"), queues=frozenset({queue}))) for i in range(case.servers)
    )
    stream = Stream(
        access_point=AccessPoint("+74950000000", Channel.VOICE),
        arrivals=ArrivalProfile.constant(case.rate),
        handle=Distribution(Shape.EXPONENTIAL, AHT),
        patience=Distribution(Shape.EXPONENTIAL, case.patience) if case.patience else None,
    )
    epoch = datetime(2025, 3, 3, tzinfo=ZoneInfo("Europe/Moscow"))
    return plan, SiteModel(epoch, queues, roster, (stream,))


def run_frontdesk(case: Case, seed: int) -> tuple[float, Figures]:
    plan, site = frontdesk_model(case)
    gc.collect()
    started = time.perf_counter()
    result = Simulation(plan, site, seed).run(case.hours / 24.0)
    wall = time.perf_counter() - started
    calls: list[Call] = []
    for record in result.records:
        if record.queued_at is None:
            continue
        if record.answered_at is not None:
            calls.append((record.queued_at, record.answered_at - record.queued_at, True))
        elif record.outcome is Outcome.ABANDONED:
            calls.append((record.queued_at, record.wait, False))
    return wall, figures(calls, len(result.records), result.duration)


# --- SimPy -----------------------------------------------------------------------------
def run_simpy(case: Case, seed: int) -> tuple[float, Figures]:
    rng = random.Random(seed)
    expo = rng.expovariate
    rate, mu = case.rate, 1.0 / AHT
    theta = 1.0 / case.patience if case.patience else None
    until = case.hours * 3600.0
    log: list[Call] = []

    def caller(env: Any, agents: Any) -> Generator[Any, Any, None]:
        arrival = env.now
        with agents.request() as request:
            if theta is None:
                yield request
            else:
                done = yield request | env.timeout(expo(theta))
                if request not in done:
                    log.append((arrival, env.now - arrival, False))
                    return
            log.append((arrival, env.now - arrival, True))
            yield env.timeout(expo(mu))

    def source(env: Any, agents: Any) -> Generator[Any, Any, None]:
        while True:
            yield env.timeout(expo(rate))
            env.process(caller(env, agents))

    gc.collect()
    started = time.perf_counter()
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=case.servers)
    env.process(source(env, agents))
    env.run(until=until)
    wall = time.perf_counter() - started
    arrivals = len(log) + len(agents.queue)  # those still waiting at the end have no row
    return wall, figures(log, arrivals, until)


# --- Ciw -------------------------------------------------------------------------------
def run_ciw(case: Case, seed: int) -> tuple[float, Figures]:
    until = case.hours * 3600.0
    extra: dict[str, Any] = {}
    if case.patience:
        extra["reneging_time_distributions"] = [ciw.dists.Exponential(1.0 / case.patience)]
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(case.rate)],
        service_distributions=[ciw.dists.Exponential(1.0 / AHT)],
        number_of_servers=[case.servers],
        **extra,
    )
    ciw.seed(seed)
    gc.collect()
    started = time.perf_counter()
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_time(until)
    records = simulation.get_all_records()
    wall = time.perf_counter() - started
    # calls still in service or waiting at the end have no record, but they all arrived
    # after the measured window
    calls: list[Call] = [
        (r.arrival_date, r.waiting_time, r.record_type == "service")
        for r in records
        if r.record_type in ("service", "renege")
    ]
    return wall, figures(calls, simulation.nodes[0].number_of_individuals, until)


# --- the report ------------------------------------------------------------------------
Runner = Callable[[Case, int], tuple[float, Figures]]


def measure(engine: str, runner: Runner, case: Case, repeat: int, note: str = "") -> Timing:
    timing = Timing(engine, note=note)
    for run in range(repeat):
        wall, result = runner(case, SEED + run)
        timing.runs.append(wall)
        timing.figures.append(result)
        print(f"  {engine:<9} {case.name:<24} {wall:8.2f} s", file=sys.stderr, flush=True)
    return timing


def erlang(case: Case) -> Figures:
    if case.patience is None:
        c = mmc(case.servers, case.rate, AHT, TARGET)
        return Figures(0, 0, c.service_level, c.asa, 0.0)
    a = mmc_abandon(case.servers, case.rate, AHT, case.patience, TARGET)
    return Figures(0, 0, a.service_level, a.asa_answered, a.p_abandon)


def ratio(slow: float | None, fast: float | None) -> float | None:
    return slow / fast if slow is not None and fast else None


def verdict(value: float | None, target: float) -> str:
    if value is None:
        return "n/a"
    return "PASS" if value >= target else "MISS"


def _fmt(value: float | None, spec: str, suffix: str = "") -> str:
    return "—" if value is None else f"{value:{spec}}{suffix}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="c = 100 only, one run each")
    parser.add_argument("--repeat", type=int, default=None, help="runs per measurement (3)")
    parser.add_argument(
        "--skip-slow", action="store_true", help="leave out Ciw at c = 1,000 (minutes per run)"
    )
    args = parser.parse_args(argv)
    repeat = args.repeat or (1 if args.quick else 3)
    sizes = (100,) if args.quick else (100, 1000)
    cases = [Case(c, patience) for c in sizes for patience in (None, PATIENCE)]

    rows: list[dict[str, Any]] = []
    for case in cases:
        print(f"{case.name}: {case.rate * case.hours * 3600:,.0f} calls expected",
              file=sys.stderr)  # fmt: skip
        slow = case.servers >= 1000
        ours = measure("frontdesk", run_frontdesk, case, repeat)
        simpy_timing = measure("simpy", run_simpy, case, repeat)
        if slow and args.skip_slow:
            ciw_timing = Timing("ciw", note="skipped (--skip-slow)")
        elif slow:
            ciw_timing = measure("ciw", run_ciw, case, 1, note="1 run only (slow)")
        else:
            ciw_timing = measure("ciw", run_ciw, case, repeat)
        rows.append(
            {
                "case": case.name,
                "servers": case.servers,
                "patience": case.patience,
                "hours": case.hours,
                "erlang": asdict(erlang(case)),
                "engines": {
                    t.engine: {
                        "runs": t.runs,
                        "best": t.best,
                        "note": t.note,
                        "figures": t.summary(),
                        "per_run": [asdict(f) for f in t.figures],
                    }
                    for t in (ours, simpy_timing, ciw_timing)
                },
                "vs_simpy": ratio(simpy_timing.best, ours.best),
                "vs_ciw": ratio(ciw_timing.best, ours.best),
            }
        )
    print(render(rows, repeat))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "sim",
                "quick": args.quick,
                "repeat": repeat,
                "python": sys.version.split()[0],
                "machine": platform.platform(),
                "model": {
                    "aht": AHT,
                    "load": LOAD,
                    "target": TARGET,
                    "seed": SEED,
                    "measured_window": [WARM_UP, HOURS * 3600 - COOL_DOWN],
                },
                "targets": {"vs_simpy": TARGET_VS_SIMPY, "vs_ciw": TARGET_VS_CIW},
                "cases": rows,
            },
            indent=2,
        )
    )
    print(f"\nresults written to {RESULTS}")
    return 0


def _cell(values: dict[str, Any], name: str, scale: float, unit: str) -> str:
    text = f"{scale * values[name]:.3f}{unit}"
    half = values.get(f"{name}_half_width")
    return text + (f" ±{scale * half:.3f}" if half is not None else "")


def render(rows: list[dict[str, Any]], repeat: int) -> str:
    lines = [
        f"Wall time, best of {repeat} (Ciw at c = 1,000: one run); results over calls "
        "arriving 01:00-23:00",
        "",
        f"{'case':<24} {'calls':>8} {'Frontdesk':>10} {'SimPy':>9} {'Ciw':>9} "
        f"{'vs SimPy':>9} {'vs Ciw':>8}",
    ]
    for row in rows:
        engines = row["engines"]
        calls = engines["frontdesk"]["figures"]["calls"]
        lines.append(
            f"{row['case']:<24} {calls:>8,} "
            f"{_fmt(engines['frontdesk']['best'], '9.2f', 's'):>10} "
            f"{_fmt(engines['simpy']['best'], '8.2f', 's'):>9} "
            f"{_fmt(engines['ciw']['best'], '8.2f', 's'):>9} "
            f"{_fmt(row['vs_simpy'], '8.2f', '×'):>9} {_fmt(row['vs_ciw'], '7.2f', '×'):>8}"
        )
    lines += [
        "",
        "Results: mean of the runs ± half-width of its 95 % confidence interval",
        f"{'case':<24} {'':<10} {'SL 20s':>17} {'ASA':>17} {'abandon':>16} {'calls/run':>9}",
    ]
    for row in rows:
        for label, key in (("Erlang", None), ("Frontdesk", "frontdesk"), ("SimPy", "simpy"),
                           ("Ciw", "ciw")):  # fmt: skip
            values = row["erlang"] if key is None else row["engines"][key]["figures"]
            if values is None:
                lines.append(f"{row['case']:<24} {label:<10} {row['engines'][key]['note']}")
                continue
            measured = f"{values['measured']:,.0f}" if key else "steady"
            lines.append(
                f"{row['case']:<24} {label:<10} "
                f"{_cell(values, 'service_level', 100, '%'):>17} "
                f"{_cell(values, 'asa', 1, 's'):>17} "
                f"{_cell(values, 'abandon_rate', 100, '%'):>16} {measured:>9}"
            )
    notes = sorted(
        {f"{e}: {d['note']}" for row in rows for e, d in row["engines"].items() if d["note"]}
    )
    lines += ["", "Targets (per case)"]
    for row in rows:
        lines.append(
            f"{row['case']:<24} vs SimPy ≥ {TARGET_VS_SIMPY:g}×: "
            f"{verdict(row['vs_simpy'], TARGET_VS_SIMPY):<5} "
            f"vs Ciw ≥ {TARGET_VS_CIW:g}×: {verdict(row['vs_ciw'], TARGET_VS_CIW)}"
        )
    if notes:
        lines += ["", "Notes: " + "; ".join(notes)]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
