"""Events are immutable facts that say who may see them."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from frontdesk.domain.agents import AgentState
from frontdesk.domain.contacts import ContactState
from frontdesk.domain.events import AgentStateChanged, ContactStateChanged
from frontdesk.domain.ids import AgentId, ContactId, TenantId

AT = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)


def test_an_event_cannot_be_changed_after_the_fact() -> None:
    event = ContactStateChanged(
        tenant=TenantId("t"), at=AT, contact=ContactId("c"),
        old=ContactState.QUEUED, new=ContactState.OFFERED,
    )  # fmt: skip
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.new = ContactState.ABANDONED  # type: ignore[misc]


def test_agent_events_need_a_different_permission_than_contact_events() -> None:
    agent = AgentStateChanged(
        tenant=TenantId("t"), at=AT, agent=AgentId("a"),
        old=AgentState.READY, new=AgentState.NOT_READY, reason="lunch",
    )  # fmt: skip
    assert agent.permission == "agents.read"
    assert ContactStateChanged.permission == "contacts.read"
