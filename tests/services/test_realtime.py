"""Realtime views: a snapshot plus every event published after it equals a fresh snapshot.

Real operations run through a live desk (memory store and SQLite, the built-in CRM, the
in-memory bus); after each step the events are applied to the views taken before and
compared with views read afresh from the store.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from frontdesk.bus.memory import Subscription
from frontdesk.domain.agents import AgentState
from frontdesk.domain.channels import Channel
from frontdesk.domain.contacts import ContactState
from frontdesk.domain.customers import Customer
from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.events import ContactArrived, StoredEvent
from frontdesk.domain.ids import AgentId, ContactId, CustomerId, QueueId, TenantId
from frontdesk.services.conversations import Direction
from frontdesk.services.realtime import (
    AgentView,
    SupervisorView,
    agent_json,
    agent_sees,
    agent_snapshot,
    apply_event,
    last_seq,
    needs_snapshot,
    supervisor_json,
    supervisor_snapshot,
)
from frontdesk.storage.memory import MemoryStore
from tests.services.desk_support import AGENTS, Stack, T, build, open_backend

S = ContactState
ANNA, BORIS, VERA = AgentId("anna"), AgentId("boris"), AgentId("vera")
SALES, SUPPORT = QueueId("sales"), QueueId("support")


@pytest.fixture(params=["memory", "sqlite"])
async def stack(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stack]:
    store = await open_backend(request.param, tmp_path)
    built = await build(store)
    yield built
    await built.dispatcher.stop()
    await store.close()


class Watch:
    """Views taken once and kept up to date by events, checked against fresh snapshots."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.events: Subscription = stack.bus.subscribe(T)
        self.supervisor: SupervisorView | None = None
        self.agents: dict[AgentId, AgentView] = {}
        self.applied: list[StoredEvent] = []

    async def fresh(self) -> tuple[SupervisorView, dict[AgentId, AgentView]]:
        stack = self.stack
        now = stack.clock.now()
        supervisor = await supervisor_snapshot(stack.store, stack.desk, now)
        agents = {
            AgentId(a): await agent_snapshot(stack.store, stack.desk, AgentId(a), now)
            for a in AGENTS
        }
        return supervisor, agents

    async def start(self) -> None:
        self.supervisor, self.agents = await self.fresh()

    async def check(self) -> tuple[SupervisorView, dict[AgentId, AgentView]]:
        """Apply what was published since the last check; it must equal a fresh read.
        An agent view that needs a snapshot (a consult it joins) is read afresh, as the
        stream does."""
        assert self.supervisor is not None
        self.resynced: set[AgentId] = set()
        while not self.events.queue.empty():
            event = self.events.queue.get_nowait()
            assert event is not None
            self.applied.append(event)
            self.supervisor = apply_event(self.supervisor, event)
            for agent, view in self.agents.items():
                if needs_snapshot(view, event):
                    self.resynced.add(agent)
                self.agents[agent] = apply_event(view, event)
        supervisor, agents = await self.fresh()
        for agent in self.resynced:
            self.agents[agent] = agents[agent]
        assert self.supervisor == supervisor
        assert self.agents == agents
        assert supervisor_json(self.supervisor) == supervisor_json(supervisor)
        return supervisor, agents


def queue_row(view: SupervisorView, queue: str) -> dict[str, object]:
    rows = [row for row in supervisor_json(view)["queues"] if row["queue"] == queue]
    assert len(rows) == 1
    row: dict[str, object] = rows[0]
    return row


async def test_events_applied_to_snapshots_equal_fresh_snapshots(stack: Stack) -> None:
    await stack.crm.upsert(
        Customer(id=CustomerId("ivan"), tenant=T, name="Иван Петров", phones=("+79161234567",))
    )
    watch = Watch(stack)
    await watch.start()
    await stack.ready("anna", "boris")
    await watch.check()

    # Offered to anna (the longest idle), accepted after 4 s; its entry counts as answered.
    first = await stack.submit("+79161234567")
    assert stack.offered_to(first) == ANNA
    _, agents = await watch.check()
    [offer] = agent_json(agents[ANNA])["offers"]
    assert (offer["contact"], offer["queue"], offer["timeout"]) == (first, "sales", 15.0)
    stack.clock.advance(4)
    await stack.desk.accept(ANNA, first)
    _, agents = await watch.check()
    [own] = agent_json(agents[ANNA])["contacts"]
    assert (own["contact"], own["state"], own["ani"], own["customer"]) == (
        first, "connected", "+79161234567", "ivan",
    )  # fmt: skip

    # Offered to boris, who rejects it; vera takes it 30 s after it entered the line.
    second = await stack.submit("+79162222222")
    assert stack.offered_to(second) == BORIS
    await stack.desk.decline(BORIS, second, "rejected")
    await watch.check()
    stack.clock.advance(30)
    await stack.ready("vera")
    await stack.desk.accept(VERA, second)
    await watch.check()

    # Nobody is free: the third waits and hangs up.
    third = await stack.submit("+79163333333")
    stack.clock.advance(10)
    supervisor, _ = await watch.check()
    sales = queue_row(supervisor, "sales")
    assert (sales["waiting"], sales["oldest_waiting_since"]) == (
        1, (stack.clock.now() - timedelta(seconds=10)).isoformat(),
    )  # fmt: skip
    await stack.desk.abandon(third)
    await watch.check()

    # Anna wraps up, then closes; vera transfers to support, where boris answers.
    stack.clock.advance(60)
    await stack.desk.wrap_up(ANNA, first, "sale", "two filters")
    await watch.check()
    stack.clock.advance(20)
    await stack.desk.wrap_up(ANNA, first, close=True)
    await watch.check()
    await stack.desk.transfer(VERA, second, queue=SUPPORT)
    await stack.desk.set_agent_state(VERA, AgentState.NOT_READY, "break")
    await watch.check()
    stack.clock.advance(3)
    await stack.ready("boris")
    await stack.desk.accept(BORIS, second)
    await stack.desk.wrap_up(BORIS, second, close=True)
    await stack.desk.set_agent_state(BORIS, AgentState.NOT_READY, "break")
    await watch.check()

    # An offer to anna rings out; a blacklisted number is rejected.
    fourth = await stack.submit("+79164444444")
    assert stack.offered_to(fourth) == ANNA
    stack.clock.advance(16)
    await stack.dispatcher.tick()
    await stack.submit("+79990000000")
    supervisor, agents = await watch.check()

    assert stack.offered_to(fourth) is None
    assert {e.type for e in watch.applied} >= {
        "contact.arrived", "contact.enriched", "contact.routed", "contact.state_changed",
        "contact.offered", "contact.accepted", "offer.declined", "contact.wrapped_up",
        "contact.transferred", "agent.state_changed",
    }  # fmt: skip
    sales = queue_row(supervisor, "sales")
    assert {k: sales[k] for k in ("offered", "answered", "abandoned", "waiting")} == {
        "offered": 4, "answered": 2, "abandoned": 1, "waiting": 1,
    }  # fmt: skip
    assert sales["answered_in_target"] == 1  # 4 s is within 80/20; 30 s is not
    assert sales["service_level"] == 33.3  # the one still in line is not settled yet
    assert sales["asa"] == 17.0
    support = queue_row(supervisor, "support")
    assert (support["offered"], support["answered"], support["asa"]) == (1, 1, 3.0)
    wall = supervisor_json(supervisor)
    assert wall["agents_by_state"]["not_ready"] == 3
    anna = agent_json(agents[ANNA])
    assert (anna["state"], anna["reason"]) == ("not_ready", "no_answer")
    assert anna["today"] == {"handled": 1, "average_handle_time": 120.0}
    assert agent_json(agents[BORIS])["today"] == {"handled": 1, "average_handle_time": 0.0}
    assert agent_json(agents[VERA])["today"]["handled"] == 0  # transferred, not closed
    assert agent_json(agents[VERA])["reason"] == "break"


async def test_a_view_taken_late_in_the_day_still_equals_the_events(stack: Stack) -> None:
    await stack.ready("anna")
    earlier = await stack.submit("+79161111111")
    await stack.desk.accept(ANNA, earlier)
    stack.clock.advance(5)
    waiting = await stack.submit("+79162222222")
    watch = Watch(stack)
    await watch.start()
    supervisor = watch.supervisor
    assert supervisor is not None
    assert queue_row(supervisor, "sales")["offered"] == 2
    stack.clock.advance(7)
    await stack.desk.wrap_up(ANNA, earlier, close=True)  # anna is free: the second is offered
    await stack.desk.accept(ANNA, waiting)
    supervisor, agents = await watch.check()
    assert queue_row(supervisor, "sales")["answered"] == 2
    assert agent_json(agents[ANNA])["today"]["handled"] == 1


async def test_today_starts_again_at_local_midnight(stack: Stack) -> None:
    # 23:59:30 in Moscow: a contact arrives and is answered before midnight.
    stack.clock.at = datetime(2026, 11, 23, 20, 59, 30, tzinfo=UTC)
    await stack.ready("anna")
    late = await stack.submit("+79161111111")
    await stack.desk.accept(ANNA, late)
    watch = Watch(stack)
    await watch.start()
    assert watch.supervisor is not None
    assert watch.supervisor.day == date(2026, 11, 23)
    stack.clock.advance(60)  # 00:00:30: closing yesterday's contact counts for nobody today
    await stack.desk.wrap_up(ANNA, late, close=True)
    supervisor, agents = await watch.check()
    assert supervisor.day == date(2026, 11, 24)
    assert queue_row(supervisor, "sales")["offered"] == 0
    assert agent_json(agents[ANNA])["today"]["handled"] == 0
    await stack.submit("+79162222222")
    supervisor, _ = await watch.check()
    assert queue_row(supervisor, "sales")["offered"] == 1


async def test_the_agent_stream_shows_only_the_agents_own_events(stack: Stack) -> None:
    await stack.ready("anna", "boris")
    watch = Watch(stack)
    await watch.start()
    initial = dict(watch.agents)
    contact = await stack.submit("+79161111111")
    assert stack.offered_to(contact) == ANNA
    await stack.desk.accept(ANNA, contact)
    await watch.check()
    shown: dict[AgentId, list[str]] = {}
    for agent in (ANNA, BORIS):
        view, shown[agent] = initial[agent], []
        for event in watch.applied:
            after = apply_event(view, event)
            if agent_sees(view, after, event):
                shown[agent].append(event.type)
            view = after
    assert shown[ANNA] == [
        "contact.offered", "agent.state_changed",  # ringing: anna is reserved
        "contact.state_changed", "contact.accepted", "agent.state_changed",
    ]  # fmt: skip
    assert shown[BORIS] == []


async def test_a_consult_is_followed_by_both_agents_and_counts_as_no_queue_entry(
    stack: Stack,
) -> None:
    await stack.ready("anna", "boris")
    watch = Watch(stack)
    await watch.start()
    contact = await stack.submit("+79161111111")
    assert stack.offered_to(contact) == ANNA
    await stack.desk.accept(ANNA, contact)
    await watch.check()

    await stack.desk.consult(ANNA, contact, to_agent=BORIS)
    _, agents = await watch.check()
    assert watch.resynced == {BORIS}
    [line] = agent_json(agents[ANNA])["contacts"]
    assert (line["consult"], line["consultant"]) == ("agent:boris", None)
    boris = agent_json(agents[BORIS])
    assert [(o["contact"], o["consult"], o["timeout"]) for o in boris["offers"]] == [
        (contact, True, 15.0)
    ]
    assert boris["contacts"] == []  # not his until he joins

    stack.clock.advance(5)
    await stack.desk.accept(BORIS, contact)
    _, agents = await watch.check()
    [line] = agent_json(agents[ANNA])["contacts"]
    assert line["consultant"] == "boris"
    boris = agent_json(agents[BORIS])
    assert boris["offers"] == []
    assert [(c["contact"], c["agent"], c["consultant"]) for c in boris["contacts"]] == [
        (contact, "anna", "boris")
    ]

    await stack.desk.end_consult(ANNA, contact, hand_over=True)
    supervisor, agents = await watch.check()
    assert agent_json(agents[ANNA])["contacts"] == []
    [line] = agent_json(agents[BORIS])["contacts"]
    assert (line["agent"], line["consult"], line["consultant"]) == ("boris", None, None)
    sales = queue_row(supervisor, "sales")
    assert (sales["offered"], sales["answered"]) == (1, 1)  # the consult is no entry

    stack.clock.advance(30)
    await stack.desk.wrap_up(BORIS, contact, "sale", "handed over")
    _, agents = await watch.check()
    [line] = agent_json(agents[BORIS])["contacts"]
    assert (line["state"], line["wrap_up_at"]) == ("wrap_up", stack.clock.now().isoformat())
    await stack.desk.wrap_up(BORIS, contact, close=True)
    _, agents = await watch.check()
    assert agent_json(agents[BORIS])["today"]["handled"] == 1


async def test_a_consult_refused_or_withdrawn_leaves_the_agent_asked(stack: Stack) -> None:
    await stack.ready("anna", "boris")
    watch = Watch(stack)
    await watch.start()
    contact = await stack.submit("+79161111111")
    await stack.desk.accept(ANNA, contact)
    await stack.desk.consult(ANNA, contact, to_agent=BORIS)
    await stack.desk.decline(BORIS, contact, "rejected")
    _, agents = await watch.check()
    assert agent_json(agents[BORIS])["offers"] == []
    [line] = agent_json(agents[ANNA])["contacts"]
    assert line["consult"] == "agent:boris"  # still asked for, until anna ends it
    await stack.desk.end_consult(ANNA, contact, hand_over=False)
    _, agents = await watch.check()
    [line] = agent_json(agents[ANNA])["contacts"]
    assert line["consult"] is None


async def test_a_linked_customer_and_messages_reach_the_serving_agent(stack: Stack) -> None:
    await stack.ready("anna")
    watch = Watch(stack)
    await watch.start()
    before = dict(watch.agents)
    contact = await stack.submit("olga@example.com")
    await stack.desk.accept(ANNA, contact)
    await stack.crm.upsert(Customer(id=CustomerId("olga"), tenant=T, name="Olga"))
    await stack.desk.link_customer(contact, CustomerId("olga"), by="anna", agent_id=ANNA)
    await stack.desk.add_message(contact, Direction.IN, "Hello", "token:widget")
    await stack.desk.add_message(contact, Direction.OUT, "Hi", "anna", agent_id=ANNA)
    supervisor, agents = await watch.check()
    [line] = agent_json(agents[ANNA])["contacts"]
    assert line["customer"] == "olga"
    assert supervisor.contacts[contact].customer == CustomerId("olga")
    view, seen = before[ANNA], []
    for event in watch.applied:
        after = apply_event(view, event)
        if agent_sees(view, after, event):
            seen.append(event.type)
        view = after
    assert seen[-3:] == ["contact.customer_linked", "contact.message", "contact.message"]


async def test_an_unknown_agent_has_no_view(stack: Stack) -> None:
    with pytest.raises(NotFoundError):
        await agent_snapshot(stack.store, stack.desk, AgentId("nobody"), stack.clock.now())


async def test_the_last_seq_is_the_tenants_newest_event() -> None:
    store = MemoryStore()
    other = TenantId("globex")
    at = datetime(2026, 11, 23, 9, tzinfo=UTC)
    async with store.transaction() as tx:
        assert await last_seq(tx.events, T) == 0
    for n in range(37):
        tenant = T if n % 3 == 0 else other
        async with store.transaction() as tx:
            tx.events.append(ContactArrived(
                tenant=tenant, at=at, contact=ContactId(f"c{n}"), channel=Channel.VOICE,
                ani="+79161234567", access_point="+74950000000",
            ))  # fmt: skip
    async with store.transaction() as tx:
        assert await last_seq(tx.events, T) == 37  # n = 36 is the 37th event
        assert await last_seq(tx.events, other) == 36


async def test_events_of_another_tenant_or_already_included_change_nothing(stack: Stack) -> None:
    view = await supervisor_snapshot(stack.store, stack.desk, stack.clock.now())
    arrived = ContactArrived(
        tenant=TenantId("globex"), at=stack.clock.now(), contact=ContactId("x"),
        channel=Channel.VOICE, ani="+79161234567", access_point="+74950000000",
    )  # fmt: skip
    assert apply_event(view, StoredEvent.of(arrived, seq=view.seq + 1)) is view
    mine = StoredEvent.of(replace_tenant(arrived), seq=view.seq)
    assert apply_event(view, mine) is view
    later = apply_event(view, StoredEvent.of(replace_tenant(arrived), seq=view.seq + 1))
    assert ContactId("x") in later.contacts


def replace_tenant(event: ContactArrived) -> ContactArrived:
    return dataclasses.replace(event, tenant=T)


async def test_the_wallboard_shows_agent_names_priorities_in_line_and_colour_levels(
    stack: Stack,
) -> None:
    await stack.configuration.put(
        T, "settings", "wallboard", {"waiting": {"warn": 1, "alarm": 2}}, "test"
    )
    await stack.crm.upsert(Customer(
        id=CustomerId("vip"), tenant=T, name="Виктор", phones=("+79165555555",), vip=True,
    ))  # fmt: skip
    watch = Watch(stack)
    await watch.start()
    plain = await stack.submit("+79161111111", priority=2)
    vip = await stack.submit("+79165555555")
    supervisor, _ = await watch.check()
    wall = supervisor_json(supervisor)
    priorities = {row["contact"]: row["priority"] for row in wall["contacts"]}
    assert priorities == {plain: 2, vip: 10}  # the vip rule's queue priority is 10
    assert [(a["agent"], a["name"]) for a in wall["agents"]] == [
        ("anna", "Anna"), ("boris", "Boris"), ("vera", "Vera"),
    ]  # fmt: skip
    assert wall["levels"]["waiting"] == {"warn": 1.0, "alarm": 2.0, "less_is_worse": False}
    assert wall["levels"]["service_level"] == {"warn": 80.0, "alarm": 60.0, "less_is_worse": True}
    assert wall["levels"]["longest_wait"]["alarm"] == 120.0

    # Offered to boris (the offer repeats the priority), answered and transferred to
    # support, which boris serves too: the new line keeps the contact's own priority, and
    # the offer rings with no service going on.
    await stack.ready("boris")
    assert stack.offered_to(plain) == BORIS
    _, agents = await watch.check()
    assert agent_json(agents[BORIS])["offers"][0]["contact"] == plain
    await stack.desk.accept(BORIS, plain)
    await watch.check()
    await stack.desk.transfer(BORIS, plain, queue=SUPPORT)
    supervisor, agents = await watch.check()
    line = supervisor.contacts[plain]
    assert (line.queue, line.state, line.agent, line.priority) == (SUPPORT, S.OFFERED, BORIS, 2)
    assert line.connected_at is None
