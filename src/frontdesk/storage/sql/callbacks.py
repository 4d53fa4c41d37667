"""Scheduled callbacks on SQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from frontdesk.domain.callbacks import Callback, CallbackState
from frontdesk.domain.ids import AgentId, CustomerId, TenantId
from frontdesk.storage.sql.connection import Statements
from frontdesk.storage.sql.tables import callbacks
from frontdesk.storage.sql.upsert import upsert


class SqlCallbacks:
    def __init__(self, connection: Statements) -> None:
        self._connection = connection

    async def put(self, callback: Callback) -> None:
        row = {
            "tenant": callback.tenant,
            "id": callback.id,
            "number": callback.number,
            "due_at": callback.due_at,
            "created_at": callback.created_at,
            "contact": callback.contact,
            "customer": callback.customer,
            "agent": callback.agent,
            "queue": callback.queue,
            "note": callback.note,
            "state": str(callback.state),
            "created_by": callback.created_by,
        }
        await upsert(self._connection, callbacks, row, ("tenant", "id"))

    async def get(self, tenant: TenantId, callback: str) -> Callback | None:
        result = await self._connection.execute(
            sa.select(callbacks).where(callbacks.c.tenant == tenant, callbacks.c.id == callback)
        )
        row = result.first()
        return None if row is None else _callback(row)

    async def all(
        self,
        tenant: TenantId,
        state: CallbackState | None = None,
        customer: CustomerId | None = None,
        agent: AgentId | None = None,
    ) -> list[Callback]:
        """Ordered by due time, then id."""
        query = sa.select(callbacks).where(callbacks.c.tenant == tenant)
        for column, value in (
            (callbacks.c.state, None if state is None else str(state)),
            (callbacks.c.customer, customer),
            (callbacks.c.agent, agent),
        ):
            if value is not None:
                query = query.where(column == value)
        result = await self._connection.execute(query.order_by(callbacks.c.due_at, callbacks.c.id))
        return [_callback(row) for row in result]


def _callback(row: Any) -> Callback:
    return Callback(
        id=row.id,
        tenant=row.tenant,
        number=row.number,
        due_at=row.due_at,
        created_at=row.created_at,
        contact=row.contact,
        customer=row.customer,
        agent=row.agent,
        queue=row.queue,
        note=row.note,
        state=CallbackState(row.state),
        created_by=row.created_by,
    )
