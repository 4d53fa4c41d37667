"""Configuration changes: checked documents and agent profiles, audited, applied live.

Every change is written with an audit entry (who, what, before and after) in the same
transaction, and the tenant's desk is rebuilt so routing uses it at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from frontdesk.domain.agents import Agent
from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.errors import ConflictError, NotFoundError
from frontdesk.domain.events import ConfigurationChanged, StoredEvent
from frontdesk.domain.ids import AgentId, TenantId
from frontdesk.domain.ports import Clock
from frontdesk.domain.repositories import Store, Transaction
from frontdesk.routing.scenario import ScenarioError
from frontdesk.services.catalog import (
    agent_document,
    agent_from,
    check_document,
    check_key,
    check_kind,
)
from frontdesk.services.dispatcher import Dispatcher
from frontdesk.services.scenarios import compile_for

#: Kinds the routing desk reads: changing one rebuilds the desk.
_ROUTING_KINDS = frozenset({"queues", "access_points", "calendars", "lists", "dispositions",
                            "reasons", "settings"})  # fmt: skip
#: Kinds a scenario refers to by key: deleting one may break the published scenario.
_SCENARIO_KINDS = frozenset({"queues", "calendars", "lists"})
#: The documents that name a key of another kind: kind → (referring kind, field) pairs.
REFERENCES: Mapping[str, tuple[tuple[str, str], ...]] = {
    "queues": (("queues", "overflow"),),
    "calendars": (("queues", "calendar"), ("access_points", "calendar")),
}


class ConfigurationService:
    def __init__(self, store: Store, dispatcher: Dispatcher, clock: Clock) -> None:
        self.store = store
        self.dispatcher = dispatcher
        self.clock = clock

    async def all(self, tenant: TenantId, kind: str) -> dict[str, Mapping[str, Any]]:
        check_kind(kind)
        async with self.store.transaction() as tx:
            return await tx.documents.all(tenant, kind)

    async def get(self, tenant: TenantId, kind: str, key: str) -> Mapping[str, Any]:
        check_kind(kind)
        async with self.store.transaction() as tx:
            body = await tx.documents.get(tenant, kind, key)
        if body is None:
            raise NotFoundError(f"{kind} {key!r} does not exist", code="config.not_found")
        return body

    async def put(
        self, tenant: TenantId, kind: str, key: str, body: Mapping[str, Any], actor: str
    ) -> bool:
        """Create or replace; returns True when it was created."""
        check_document(kind, key, body)
        now = self.clock.now()
        async with self.store.transaction() as tx:
            before = await tx.documents.get(tenant, kind, key)
            await tx.documents.put(tenant, kind, key, dict(body))
            await tx.audit.add(AuditEntry(
                tenant, now, actor, "create" if before is None else "update", kind, key,
                before=_redacted(before), after=_redacted(body),
            ))  # fmt: skip
            tx.events.append(ConfigurationChanged(
                tenant=tenant, at=now, kind=kind, key=key,
                change="created" if before is None else "updated",
            ))  # fmt: skip
        await self._applied(tenant, kind, tx.events.committed)
        return before is None

    async def delete(self, tenant: TenantId, kind: str, key: str, actor: str) -> None:
        """Delete a document. ConflictError ``config.in_use`` when another document names
        it (a queue's overflow, an access point's calendar ...) or the published scenario
        would no longer compile without it; nothing changes then."""
        now = self.clock.now()
        async with self.store.transaction() as tx:
            before = await tx.documents.get(tenant, kind, key)
            if before is None:
                raise NotFoundError(f"{kind} {key!r} does not exist", code="config.not_found")
            await _check_unreferenced(tx, tenant, kind, key)
            broken = await _scenario_problem(tx, tenant) if kind in _SCENARIO_KINDS else None
            await tx.documents.delete(tenant, kind, key)
            if kind in _SCENARIO_KINDS and broken is None:
                await _check_scenario_compiles(tx, tenant, kind, key)
            await tx.audit.add(AuditEntry(
                tenant, now, actor, "delete", kind, key, before=_redacted(before)
            ))  # fmt: skip
            tx.events.append(ConfigurationChanged(
                tenant=tenant, at=now, kind=kind, key=key, change="deleted"
            ))  # fmt: skip
        await self._applied(tenant, kind, tx.events.committed)

    async def _applied(self, tenant: TenantId, kind: str, events: list[StoredEvent]) -> None:
        """Routing uses the change at once; then the streams hear of it."""
        if kind in _ROUTING_KINDS:
            await self.dispatcher.reload(tenant)
        await self.dispatcher.publisher.publish(events)

    async def agents(self, tenant: TenantId) -> list[Agent]:
        return list(self.dispatcher.desk(tenant).agents.values())

    async def put_agent(
        self, tenant: TenantId, key: str, body: Mapping[str, Any], actor: str
    ) -> tuple[Agent, bool]:
        check_key("agents", key)
        agent = agent_from(tenant, key, body)
        desk = self.dispatcher.desk(tenant)
        before = desk.agents.get(agent.id)
        entry = AuditEntry(
            tenant, self.clock.now(), actor, "create" if before is None else "update",
            "agent", key, before=agent_document(before) if before else None,
            after=agent_document(agent),
        )  # fmt: skip
        stored = await desk.put_agent(agent, entry)
        return stored, before is None

    async def delete_agent(self, tenant: TenantId, key: str, actor: str) -> None:
        desk = self.dispatcher.desk(tenant)
        agent = desk.agents.get(AgentId(key))
        if agent is None:
            raise NotFoundError(f"agent {key!r} does not exist", code="agent.not_found")
        async with self.store.transaction() as tx:
            published = await tx.scenarios.published(tenant)
            if published is not None and _named_in_scenario(published.text, key):
                raise ConflictError(
                    f"the published scenario routes to agent {key!r}", code="agent.in_use"
                )
        await desk.remove_agent(agent.id, AuditEntry(
            tenant, self.clock.now(), actor, "delete", "agent", key,
            before=agent_document(agent),
        ))  # fmt: skip


async def _check_unreferenced(tx: Transaction, tenant: TenantId, kind: str, key: str) -> None:
    users = [
        f"{other}.{name}.{field}"
        for other, field in REFERENCES.get(kind, ())
        for name, body in sorted((await tx.documents.all(tenant, other)).items())
        if body.get(field) == key and not (other == kind and name == key)
    ]
    if users:
        raise ConflictError(
            f"{kind} {key!r} is in use: {', '.join(users)} names it",
            code="config.in_use",
            used_by=users,
        )


async def _scenario_problem(tx: Transaction, tenant: TenantId) -> ScenarioError | None:
    """Why the published scenario does not compile against the configuration as it
    stands in ``tx``; None when it does, or when none is published."""
    published = await tx.scenarios.published(tenant)
    if published is None:
        return None
    try:
        await compile_for(tx, tenant, published.text)
    except ScenarioError as error:
        return error
    return None


async def _check_scenario_compiles(tx: Transaction, tenant: TenantId, kind: str, key: str) -> None:
    """The published scenario still compiles once ``kind``/``key`` is gone (a scenario
    broken before is not this change's fault, and is not checked)."""
    error = await _scenario_problem(tx, tenant)
    if error is not None:
        problem = error.problems[0]
        raise ConflictError(
            f"the published scenario uses {kind} {key!r}: {problem}",
            code="config.in_use",
            used_by=["scenario"],
        )


def _named_in_scenario(text: str, agent: str) -> bool:
    return f'"{agent}"' in text or f"'{agent}'" in text


#: Fields never written to the audit log: a webhook's signing secret, a phone's password hash.
_SECRETS = frozenset({"secret", "ha1"})


def _redacted(body: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if body is None:
        return None
    return {k: ("***" if k in _SECRETS else v) for k, v in body.items()}
