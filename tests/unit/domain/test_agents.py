"""Agents: proficiency bounds and per-media capacity."""

from __future__ import annotations

import pytest

from frontdesk.domain.agents import Agent, AgentState, Capacity
from frontdesk.domain.channels import Media
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.ids import AgentId

CHATTY = Capacity({Media.CALL: 1, Media.CHAT: 3}, frozenset({(Media.CALL, Media.CHAT)}))


def test_proficiency_outside_one_to_five_is_refused_with_the_skill_named() -> None:
    with pytest.raises(ValidationError, match="billing") as raised:
        Agent(AgentId("a"), skills={"billing": 6})
    assert raised.value.code == "agent.invalid_proficiency"


def test_negative_capacity_is_refused() -> None:
    with pytest.raises(ValidationError):
        Capacity({Media.CHAT: -1})


def test_chats_up_to_the_limit() -> None:
    assert CHATTY.accepts({Media.CHAT: 2}, Media.CHAT)
    assert not CHATTY.accepts({Media.CHAT: 3}, Media.CHAT)


def test_a_call_blocks_chats_but_chats_do_not_block_a_call() -> None:
    assert not CHATTY.accepts({Media.CALL: 1}, Media.CHAT)
    assert CHATTY.accepts({Media.CHAT: 2}, Media.CALL)


def test_only_working_states_take_work() -> None:
    for state, expected in (
        (AgentState.READY, True),
        (AgentState.NOT_READY, False),
        (AgentState.WRAP_UP, False),
        (AgentState.LOGGED_OUT, False),
    ):
        assert Agent(AgentId("a"), state=state).can_take(Media.CALL) is expected
    assert not Agent(AgentId("a"), state=AgentState.READY).can_take(Media.EMAIL)
