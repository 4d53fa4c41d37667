"""What a run's records say about contacts that were not finished when it ended."""

from __future__ import annotations

from frontdesk.analytics.records import Outcome
from frontdesk.routing.scenario import Catalog, compile_scenario
from frontdesk.sim.engine import Simulation

from .test_validation import SCENARIO, site


def test_contacts_talking_at_the_end_are_answered_and_waiting_ones_waited() -> None:
    model = site(5, None)  # 5 agents for 17 erlangs: a growing line, everyone busy
    plan = compile_scenario(SCENARIO, Catalog(queues=model.queues))
    result = Simulation(plan, model, 7).run(1 / 24)
    end = result.duration
    talking = [r for r in result.records if r.answered_at is not None and r.ended_at is None]
    waiting = [r for r in result.records if r.queued_at is not None and r.answered_at is None]
    assert len(talking) == 5
    assert all(r.outcome is Outcome.ANSWERED for r in talking)
    assert all(r.answered_at is not None and r.talk == end - r.answered_at for r in talking)
    assert waiting
    assert all(r.outcome is Outcome.UNSERVED for r in waiting)
    assert all(r.wait == end - r.queued_at for r in waiting if r.queued_at is not None)
    queue = result.report.by_queue["main"]
    assert queue.answered == sum(r.answered_at is not None for r in result.records)
    last = result.report.occupancy[max(result.report.occupancy)]
    assert last.ratio is not None
    assert abs(last.ratio - 1.0) < 1e-9  # with a line waiting, busy to the last second


def test_agents_occupancy_is_kept_current_when_the_scenario_orders_by_it() -> None:
    scenario = (
        "scenario: lo\nversion: 1\nrules:\n"
        "  - queue: {name: main, steps: [{order_by: least_occupied}]}\n"
    )
    model = site(20, None)
    plan = compile_scenario(scenario, Catalog(queues=model.queues))
    simulation = Simulation(plan, model, 3)
    result = simulation.run(0.25)
    shares = [slot.agent.occupancy for slot in simulation.state.agents.values()]
    assert all(0.0 < share <= 1.0 for share in shares)
    overall = result.report.total_occupancy
    assert overall is not None
    # each agent's figure is its own busy share; together they sit around the total
    assert min(shares) <= overall <= max(shares)
