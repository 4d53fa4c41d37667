"""Agents: profile and live state stored together, per tenant."""

from __future__ import annotations

from dataclasses import replace

from frontdesk.domain.agents import Agent, AgentState
from frontdesk.domain.channels import Media
from frontdesk.domain.ids import AgentId
from frontdesk.domain.repositories import Store
from tests.contract.samples import A, B, at, full_agent


async def test_an_agent_comes_back_with_capacity_skills_and_load(store: Store) -> None:
    original = full_agent()
    async with store.transaction() as tx:
        await tx.agents.put(original)
    async with store.transaction() as tx:
        stored = await tx.agents.get(A, AgentId("ann"))
    assert stored == original
    assert stored is not None
    assert stored.capacity.limits == {Media.CALL: 1, Media.CHAT: 3, Media.EMAIL: 0}
    assert stored.capacity.blocks == frozenset({(Media.CALL, Media.CHAT), (Media.CHAT, Media.CALL)})
    assert not stored.can_take(Media.CALL)  # a chat in progress blocks calls
    assert stored.load == {Media.CHAT: 2}


async def test_put_replaces_the_agent_and_delete_removes_it(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.agents.put(full_agent())
        await tx.agents.put(Agent(AgentId("bob"), "Bob", A))
    ready = replace(full_agent(), state=AgentState.READY, reason=None, state_since=at(20), load={})
    async with store.transaction() as tx:
        await tx.agents.put(ready)
        await tx.agents.delete(A, AgentId("bob"))
        await tx.agents.delete(A, AgentId("never-was"))
    async with store.transaction() as tx:
        assert await tx.agents.get(A, AgentId("ann")) == ready
        assert await tx.agents.get(A, AgentId("bob")) is None
        assert await tx.agents.all(A) == [ready]


async def test_all_lists_the_tenants_agents_by_id(store: Store) -> None:
    async with store.transaction() as tx:
        for name in ("zoe", "ann", "max"):
            await tx.agents.put(Agent(AgentId(name), name.title(), A))
        await tx.agents.put(Agent(AgentId("bob"), "Bob", B))
    async with store.transaction() as tx:
        assert [a.id for a in await tx.agents.all(A)] == ["ann", "max", "zoe"]


async def test_agents_of_one_tenant_are_invisible_to_another(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.agents.put(full_agent(A))
    async with store.transaction() as tx:
        assert await tx.agents.get(B, AgentId("ann")) is None
        assert await tx.agents.all(B) == []
        await tx.agents.delete(B, AgentId("ann"))
        await tx.agents.put(replace(full_agent(B), name="Другая Анна"))
    async with store.transaction() as tx:
        assert await tx.agents.get(A, AgentId("ann")) == full_agent(A)
        b = await tx.agents.get(B, AgentId("ann"))
    assert b is not None
    assert b.name == "Другая Анна"
