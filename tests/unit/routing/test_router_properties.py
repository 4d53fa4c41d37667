"""Invariants of the router under random sequences of events (hypothesis).

Whatever happens — arrivals, agents changing state, offers accepted or declined,
contacts finished or abandoned — an agent never holds more than its capacity, a
contact is never offered twice at once, no contact disappears, and after ``decide``
no free agent is left idle while a contact it qualifies for is waiting.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from frontdesk.domain.agents import AgentState, Capacity
from frontdesk.domain.channels import Channel, Media
from frontdesk.domain.ids import AgentId, ContactId
from frontdesk.routing.engine import Router

from .support import Desk, queues

SCENARIO = """
scenario: props
version: 1
aging_per_minute: 2
rules:
  - when: contact.line == "sales"
    queue:
      name: sales
      steps:
        - require: skill(agent, "s") >= 3
          expire: 5s
        - require: skill(agent, "s") >= 1
  - when: contact.line == "vip"
    queue: {name: main, priority: 4}
  - queue: main
"""

agents_strategy = st.lists(
    st.tuples(
        st.sampled_from([("main",), ("sales",), ("main", "sales")]),
        st.integers(0, 5),  # skill s
        st.integers(0, 3),  # chat capacity
        st.booleans(),  # a call blocks chats
    ),
    min_size=1,
    max_size=6,
)
operation = st.one_of(
    st.tuples(
        st.just("arrive"),
        st.sampled_from(["support", "sales", "vip"]),
        st.sampled_from([Channel.VOICE, Channel.CHAT]),
    ),
    st.tuples(st.just("decide"), st.floats(0, 8)),
    st.tuples(st.just("accept"), st.integers(0, 20)),
    st.tuples(st.just("decline"), st.integers(0, 20)),
    st.tuples(st.just("finish"), st.integers(0, 20)),
    st.tuples(st.just("abandon"), st.integers(0, 20)),
    st.tuples(st.just("state"), st.integers(0, 5), st.sampled_from(list(AgentState))),
)


@dataclass
class World:
    desk: Desk
    now: float = 0.0
    arrived: list[ContactId] = field(default_factory=list)
    offered: dict[ContactId, AgentId] = field(default_factory=dict)
    connected: dict[ContactId, AgentId] = field(default_factory=dict)
    done: set[ContactId] = field(default_factory=set)
    media: dict[ContactId, Media] = field(default_factory=dict)


def _apply(world: World, op: tuple[object, ...], names: list[str]) -> None:
    desk, state = world.desk, world.desk.state
    kind = op[0]
    if kind == "arrive":
        line, channel = op[1], op[2]
        assert isinstance(line, str)
        assert isinstance(channel, Channel)
        contact = desk.arrive(world.now, line=line, channel=channel)
        world.arrived.append(contact)
        world.media[contact] = Media.CHAT if channel is Channel.CHAT else Media.CALL
    elif kind == "decide":
        assert isinstance(op[1], float)
        world.now += op[1]
        for offer in desk.decide(world.now):
            assert offer.contact not in world.offered, "offered twice"
            assert offer.contact not in world.connected, "offered while connected"
            world.offered[offer.contact] = offer.agent
        _check_work_conserving(world)
    elif kind in ("accept", "decline") and world.offered:
        assert isinstance(op[1], int)
        contact = list(world.offered)[op[1] % len(world.offered)]
        agent = world.offered.pop(contact)
        if kind == "accept":
            state.accepted(contact)
            world.connected[contact] = agent
        else:
            state.declined(contact, world.now)
    elif kind == "finish" and world.connected:
        assert isinstance(op[1], int)
        contact = list(world.connected)[op[1] % len(world.connected)]
        agent = world.connected.pop(contact)
        state.release(agent, world.media[contact])
        world.done.add(contact)
    elif kind == "abandon" and state.waiting:
        assert isinstance(op[1], int)
        contact = sorted(state.waiting)[op[1] % len(state.waiting)]
        state.remove(contact)
        world.done.add(contact)
    elif kind == "state":
        assert isinstance(op[1], int)
        assert isinstance(op[2], AgentState)
        slot = state.agents[AgentId(names[op[1] % len(names)])]
        from dataclasses import replace

        state.set_agent(replace(slot.agent, state=op[2]))


def _check_invariants(world: World) -> None:
    state = world.desk.state
    holding: dict[AgentId, dict[Media, int]] = {}
    for contact, agent in (*world.offered.items(), *world.connected.items()):
        media = holding.setdefault(agent, {})
        media[world.media[contact]] = media.get(world.media[contact], 0) + 1
    for agent_id, slot in state.agents.items():
        counted = {m: n for m, n in slot.load.items() if n}
        assert counted == holding.get(agent_id, {}), f"load of {agent_id} drifted"
        for kind, n in counted.items():
            assert n <= slot.agent.capacity.limits.get(kind, 0), f"{agent_id} over capacity"
    for contact in world.arrived:
        places = [
            contact in state.waiting,
            contact in world.offered,
            contact in world.connected,
            contact in world.done,
        ]
        assert sum(places) == 1, f"contact {contact} is in {sum(places)} places"
        assert (contact in state.offered) == (contact in world.offered)


def _check_work_conserving(world: World) -> None:
    state = world.desk.state
    for waiting in state.waiting.values():
        for slot in state.agents.values():
            if slot.can_take(waiting.media) and Router._qualifies(slot, waiting):
                raise AssertionError(
                    f"{slot.agent.id} is free and qualifies for waiting {waiting.contact}"
                )


@settings(max_examples=150, deadline=None)
@given(agents_strategy, st.lists(operation, max_size=60))
def test_router_invariants_hold_under_any_sequence(
    agents: list[tuple[tuple[str, ...], int, int, bool]], ops: list[tuple[object, ...]]
) -> None:
    world = World(Desk(SCENARIO, queues("main", "sales")))
    names = []
    for n, (member_of, skill, chats, blocks) in enumerate(agents):
        capacity = Capacity(
            {Media.CALL: 1, Media.CHAT: chats},
            frozenset({(Media.CALL, Media.CHAT)}) if blocks else frozenset(),
        )
        name = f"a{n}"
        names.append(name)
        world.desk.agent(name, queues=member_of, skills={"s": skill} if skill else {},
                         capacity=capacity)  # fmt: skip
    for op in ops:
        _apply(world, op, names)
        _check_invariants(world)
