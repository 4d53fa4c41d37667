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
from frontdesk.domain.repositories import Store
from frontdesk.services.catalog import (
    agent_document,
    agent_from,
    check_document,
    check_key,
    check_kind,
)
from frontdesk.services.dispatcher import Dispatcher

#: Kinds the routing desk reads: changing one rebuilds the desk.
_ROUTING_KINDS = frozenset({"queues", "access_points", "calendars", "lists", "dispositions",
                            "reasons", "settings"})  # fmt: skip


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
        now = self.clock.now()
        async with self.store.transaction() as tx:
            before = await tx.documents.get(tenant, kind, key)
            if before is None:
                raise NotFoundError(f"{kind} {key!r} does not exist", code="config.not_found")
            await tx.documents.delete(tenant, kind, key)
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


def _named_in_scenario(text: str, agent: str) -> bool:
    return f'"{agent}"' in text or f"'{agent}'" in text


def _redacted(body: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Secrets (a webhook's signing secret) never reach the audit log."""
    if body is None:
        return None
    return {k: ("***" if k == "secret" else v) for k, v in body.items()}
