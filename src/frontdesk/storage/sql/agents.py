"""Agents on SQL: profile and live state as one JSON record, the state as a column."""

from __future__ import annotations

import sqlalchemy as sa

from frontdesk.domain.agents import Agent
from frontdesk.domain.ids import AgentId, TenantId
from frontdesk.storage.sql.codec import dump, load
from frontdesk.storage.sql.connection import Statements
from frontdesk.storage.sql.tables import agents
from frontdesk.storage.sql.upsert import upsert


class SqlAgents:
    def __init__(self, connection: Statements) -> None:
        self._connection = connection

    async def get(self, tenant: TenantId, agent: AgentId) -> Agent | None:
        body = await self._connection.scalar(
            sa.select(agents.c.body).where(agents.c.tenant == tenant, agents.c.id == agent)
        )
        return None if body is None else load(body, Agent)

    async def put(self, agent: Agent) -> None:
        row = {
            "tenant": agent.tenant,
            "id": agent.id,
            "state": str(agent.state),
            "body": dump(agent),
        }
        await upsert(self._connection, agents, row, ("tenant", "id"))

    async def delete(self, tenant: TenantId, agent: AgentId) -> None:
        await self._connection.execute(
            sa.delete(agents).where(agents.c.tenant == tenant, agents.c.id == agent)
        )

    async def all(self, tenant: TenantId) -> list[Agent]:
        result = await self._connection.scalars(
            sa.select(agents.c.body).where(agents.c.tenant == tenant).order_by(agents.c.id)
        )
        return [load(body, Agent) for body in result]
