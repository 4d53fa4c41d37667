"""How the router matches contacts with agents, as a supervisor would observe it."""

from __future__ import annotations

import pytest

from frontdesk.domain.agents import AgentState, Capacity
from frontdesk.domain.channels import Channel, Media
from frontdesk.domain.ids import QueueId
from frontdesk.domain.queues import Queue

from .support import Desk, queues, vip

ONE_QUEUE = """
scenario: t
version: 1
rules:
  - queue: main
"""

RELAXING = """
scenario: t
version: 1
rules:
  - queue:
      name: main
      steps:
        - require: skill(agent, "billing") >= 4
          expire: 10s
        - require: skill(agent, "billing") >= 2
"""

VIP = """
scenario: t
version: 1
rules:
  - when: customer.vip
    manager:
      timeout: 20s
      then:
        name: vip
        steps:
          - require: '"vip" in agent.groups'
  - queue: main
"""


def test_longest_idle_agent_gets_the_contact() -> None:
    desk = Desk(ONE_QUEUE, queues("main"))
    desk.agent("first")
    desk.agent("second")
    desk.arrive()
    [offer] = desk.decide()
    assert offer.agent == "first"


def test_agent_back_from_a_call_goes_to_the_end_of_the_line() -> None:
    desk = Desk(ONE_QUEUE, queues("main"))
    desk.agent("first")
    desk.agent("second")
    contact = desk.arrive()
    [offer] = desk.decide()
    desk.finish(contact, offer.agent)
    desk.arrive(5)
    [offer] = desk.decide(5)
    assert offer.agent == "second"


def test_contact_waits_when_no_member_is_free_and_goes_to_the_first_who_frees() -> None:
    desk = Desk(ONE_QUEUE, queues("main"))
    desk.agent("only")
    first = desk.arrive(0)
    second = desk.arrive(1)
    offers = desk.decide(1)
    assert [o.contact for o in offers] == [first]
    desk.finish(first, offers[0].agent)
    [offer] = desk.decide(30)
    assert (offer.contact, offer.agent, offer.trigger) == (second, "only", "agent")
    assert offer.waited == 29


def test_steps_relax_on_timeout() -> None:
    desk = Desk(RELAXING, queues("main"))
    desk.agent("junior", skills={"billing": 2})
    desk.arrive(0)
    assert desk.decide(0) == []  # nobody with billing >= 4
    assert desk.decide(9.9) == []
    [offer] = desk.decide(10)
    assert offer.agent == "junior"
    assert offer.step.index == 1


def test_expert_is_preferred_while_the_first_step_lasts() -> None:
    desk = Desk(RELAXING, queues("main"))
    desk.agent("junior", skills={"billing": 2})
    desk.agent("expert", skills={"billing": 5})
    desk.arrive(0)
    [offer] = desk.decide(0)
    assert offer.agent == "expert"
    assert offer.step.index == 0


def test_agent_outside_the_queue_is_never_offered() -> None:
    desk = Desk(ONE_QUEUE, queues("main", "other"))
    desk.agent("elsewhere", queues=("other",))
    desk.arrive()
    assert desk.decide() == []


def test_personal_manager_first_even_when_others_are_idle_longer() -> None:
    desk = Desk(VIP, queues("main", "vip"))
    desk.agent("vip-desk", queues=("vip",), groups=("vip",))
    desk.agent("manager", queues=("vip",), groups=("vip",))
    desk.arrive(customer=vip("manager"))
    [offer] = desk.decide()
    assert offer.agent == "manager"


def test_busy_manager_then_vip_group_after_the_timeout() -> None:
    desk = Desk(VIP, queues("main", "vip"))
    desk.agent("manager", queues=("vip",), groups=("vip",), state=AgentState.NOT_READY)
    desk.agent("general", queues=("main",))
    desk.agent("vip-desk", queues=("vip",), groups=("vip",))
    desk.arrive(0, customer=vip("manager"))
    assert desk.decide(0) == []
    [offer] = desk.decide(20)
    assert offer.agent == "vip-desk"  # never the general queue's agent


def test_vip_without_manager_skips_the_manager_step_at_once() -> None:
    desk = Desk(VIP, queues("main", "vip"))
    desk.agent("vip-desk", queues=("vip",), groups=("vip",))
    desk.arrive(0, customer=vip(None))
    [offer] = desk.decide(0)
    assert offer.agent == "vip-desk"
    assert offer.skipped_steps == (0,)
    assert any("skipped" in line for line in offer.explain())


def test_higher_priority_wins_then_aging_lets_old_contacts_catch_up() -> None:
    scenario = """
scenario: t
version: 1
aging_per_minute: 1
rules:
  - when: contact.line == "gold"
    queue: {name: main, priority: 5}
  - queue: main
"""
    desk = Desk(scenario, queues("main"))
    desk.agent("a", state=AgentState.NOT_READY)
    old = desk.arrive(0, line="plain")
    gold = desk.arrive(60, line="gold")
    desk.agent("a")  # ready at 120 s: old has aged 2 points, gold has priority 5
    [offer] = desk.decide(120)
    assert offer.contact == gold

    desk2 = Desk(scenario, queues("main"))
    desk2.agent("a", state=AgentState.NOT_READY)
    old = desk2.arrive(0, line="plain")
    desk2.arrive(600, line="gold")  # old has aged 10 points by then
    desk2.agent("a")
    [offer] = desk2.decide(600)
    assert offer.contact == old


def test_agent_serving_two_queues_takes_the_longest_waiting_of_equal_priority() -> None:
    scenario = """
scenario: t
version: 1
rules:
  - when: contact.line == "sales"
    queue: sales
  - queue: main
"""
    desk = Desk(scenario, queues("main", "sales"))
    desk.agent("both", queues=("main", "sales"), state=AgentState.NOT_READY)
    desk.arrive(0, line="support")
    sales = desk.arrive(-5, line="sales")  # arrived earlier
    desk.agent("both", queues=("main", "sales"))
    [offer] = desk.decide(1)
    assert offer.contact == sales


def test_chat_capacity_is_respected_and_a_call_blocks_chats() -> None:
    desk = Desk(ONE_QUEUE, queues("main"))
    capacity = Capacity({Media.CALL: 1, Media.CHAT: 2}, frozenset({(Media.CALL, Media.CHAT)}))
    desk.agent("multi", capacity=capacity)
    chats = [desk.arrive(i, channel=Channel.CHAT) for i in range(3)]
    offers = desk.decide(3)
    assert [o.contact for o in offers] == chats[:2]
    for offer in offers:
        desk.finish(offer.contact, offer.agent, Media.CHAT)
    call = desk.arrive(4)
    [offer] = desk.decide(4)
    assert offer.contact in (chats[2], call)
    # whichever came first, while the call is on no chat may follow
    if offer.contact == call:
        assert desk.decide(5) == []


def test_declined_offer_goes_back_to_its_place_in_line() -> None:
    desk = Desk(ONE_QUEUE, queues("main"))
    desk.agent("a")
    first = desk.arrive(0)
    second = desk.arrive(1)
    [offer] = desk.decide(1)
    assert offer.contact == first
    desk.state.declined(first, 10)
    desk.agent("a", state=AgentState.NOT_READY)  # no answer: not ready
    desk.agent("b")
    [offer] = desk.decide(11)
    assert offer.contact == first  # still ahead of the second
    assert second in desk.state.waiting


def test_queue_overflow_after_max_wait_keeps_the_contact_eligible() -> None:
    known = queues("backup", main=Queue(QueueId("main"), max_wait=60, overflow=QueueId("backup")))
    desk = Desk(ONE_QUEUE, known)
    desk.agent("backup-agent", queues=("backup",))
    desk.arrive(0)
    assert desk.decide(59) == []
    [offer] = desk.decide(60)
    assert offer.agent == "backup-agent"
    assert offer.queue == "backup"


def test_abandoned_contact_is_not_offered() -> None:
    desk = Desk(ONE_QUEUE, queues("main"))
    contact = desk.arrive(0)
    desk.state.remove(contact)
    desk.agent("a")
    assert desk.decide(5) == []


def test_decisions_are_deterministic() -> None:
    def run() -> list[tuple[int, str, float]]:
        desk = Desk(RELAXING, queues("main"))
        for n in range(5):
            desk.agent(f"a{n}", skills={"billing": 1 + n % 5}, state=AgentState.NOT_READY)
        arrivals = [desk.arrive(n) for n in range(8)]
        for n in range(5):
            desk.agent(f"a{n}", skills={"billing": 1 + n % 5})
        return [(arrivals.index(o.contact), o.agent, o.waited) for o in desk.decide(30)]

    assert run() == run()


def test_release_without_load_is_refused() -> None:
    desk = Desk(ONE_QUEUE, queues("main"))
    desk.agent("a")
    with pytest.raises(Exception, match="no call to release"):
        desk.state.release(desk.state.agents["a"].agent.id, Media.CALL)  # type: ignore[index]


def test_a_late_decide_starts_each_step_when_the_previous_one_expired() -> None:
    scenario = """
scenario: t
version: 1
rules:
  - queue:
      name: main
      steps:
        - require: skill(agent, "x") >= 5
          expire: 20s
        - require: skill(agent, "x") >= 4
          expire: 30s
        - require: skill(agent, "x") >= 1
"""
    desk = Desk(scenario, queues("main"))
    desk.agent("novice", skills={"x": 1})
    desk.arrive(0)
    [offer] = desk.decide(100)  # nobody called decide at 20 s or 50 s
    assert offer.step.index == 2


def test_intake_priority_adds_to_the_scenario_priority() -> None:
    desk = Desk(ONE_QUEUE, queues("main"))
    desk.agent("a", state=AgentState.NOT_READY)
    desk.arrive(0)
    urgent = desk.arrive(5, priority=3)
    desk.agent("a")
    [offer] = desk.decide(6)
    assert offer.contact == urgent


def test_manager_without_a_fallback_is_refused() -> None:
    from frontdesk.routing.scenario import ScenarioError

    with pytest.raises(ScenarioError, match="needs 'then'"):
        Desk("scenario: t\nversion: 1\nrules:\n  - manager: {timeout: 10s}\n", queues("main"))


LEAST_OCCUPIED = """
scenario: t
version: 1
rules:
  - queue:
      name: main
      steps:
        - order_by: least_occupied
"""


def test_least_occupied_follows_the_live_occupancy() -> None:
    desk = Desk(LEAST_OCCUPIED, queues("main"))
    assert desk.router.plan.reads_occupancy
    desk.agent("idle-longest")
    desk.agent("fresh")
    desk.state.set_occupancy(desk.state.agents["idle-longest"].agent.id, 0.8)  # type: ignore[index]
    desk.state.set_occupancy(desk.state.agents["fresh"].agent.id, 0.1)  # type: ignore[index]
    desk.arrive(0)
    [offer] = desk.decide(0)
    assert offer.agent == "fresh"
    assert "least_occupied" in offer.explain()[-1]


def test_longest_idle_scenarios_do_not_read_occupancy() -> None:
    assert not Desk(ONE_QUEUE, queues("main")).router.plan.reads_occupancy


def test_a_waiting_contacts_place_counts_who_goes_before_it() -> None:
    desk = Desk(ONE_QUEUE, queues("main"))
    desk.agent("a", state=AgentState.NOT_READY)  # logged in, not free: the line waits
    first = desk.arrive(0)
    second = desk.arrive(5)
    urgent = desk.arrive(10, priority=3)
    assert desk.state.place(urgent) == (1, 180.0)  # one member: a handle time per place
    assert desk.state.place(first) == (2, 360.0)
    assert desk.state.place(second) == (3, 540.0)
    desk.agent("a")
    [offer] = desk.decide(11)
    assert offer.contact == urgent
    assert desk.state.place(urgent) is None  # offered: no longer waiting
    assert desk.state.place(first) == (1, 180.0)


def test_a_place_without_anyone_logged_in_has_no_wait_to_tell() -> None:
    desk = Desk(ONE_QUEUE, queues("main"))
    waiting = desk.arrive(0)
    place = desk.state.place(waiting)
    assert place is not None
    assert place[0] == 1
    assert place[1] == float("inf")
