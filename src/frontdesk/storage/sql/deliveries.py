"""Outgoing webhook deliveries on SQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.events import StoredEvent
from frontdesk.domain.ids import TenantId
from frontdesk.domain.repositories import Delivery
from frontdesk.storage.sql.codec import dump, load
from frontdesk.storage.sql.connection import Statements
from frontdesk.storage.sql.tables import deliveries

PENDING = "pending"


class SqlDeliveries:
    def __init__(self, connection: Statements) -> None:
        self._connection = connection

    async def add(
        self, tenant: TenantId, subscription: str, event: StoredEvent, at: datetime
    ) -> None:
        """A pending delivery of ``event``, due at ``at``."""
        await self._connection.execute(
            sa.insert(deliveries).values(
                tenant=tenant,
                subscription=subscription,
                event=dump(event),
                attempts=0,
                next_at=at,
                state=PENDING,
                last_error="",
            )
        )

    async def due(self, now: datetime, limit: int = 100) -> list[Delivery]:
        """Pending deliveries of every tenant due by ``now``, oldest first (then by id)."""
        result = await self._connection.execute(
            sa.select(deliveries)
            .where(deliveries.c.state == PENDING, deliveries.c.next_at <= now)
            .order_by(deliveries.c.next_at, deliveries.c.id)
            .limit(limit)
        )
        return [_delivery(row) for row in result]

    async def update(self, delivery: Delivery) -> None:
        """Replace a stored delivery; NotFoundError ``delivery.not_found`` if absent."""
        result = await self._connection.execute(
            sa.update(deliveries)
            .where(deliveries.c.id == delivery.id, deliveries.c.tenant == delivery.tenant)
            .values(
                subscription=delivery.subscription,
                event=dump(delivery.event),
                attempts=delivery.attempts,
                next_at=delivery.next_at,
                state=delivery.state,
                last_error=delivery.last_error,
            )
        )
        if result.rowcount == 0:
            raise NotFoundError(
                f"delivery {delivery.id} does not exist",
                code="delivery.not_found",
                delivery=delivery.id,
            )

    async def all(self, tenant: TenantId, subscription: str, limit: int = 50) -> list[Delivery]:
        """The subscription's deliveries, newest first."""
        result = await self._connection.execute(
            sa.select(deliveries)
            .where(deliveries.c.tenant == tenant, deliveries.c.subscription == subscription)
            .order_by(deliveries.c.id.desc())
            .limit(limit)
        )
        return [_delivery(row) for row in result]


def _delivery(row: Any) -> Delivery:
    return Delivery(
        id=row.id,
        tenant=row.tenant,
        subscription=row.subscription,
        event=load(row.event, StoredEvent),
        attempts=row.attempts,
        next_at=row.next_at,
        state=row.state,
        last_error=row.last_error,
    )
