"""The append-only event log on SQL."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from frontdesk.domain.events import Event, StoredEvent
from frontdesk.domain.ids import ContactId, TenantId
from frontdesk.storage.sql.connection import Statements
from frontdesk.storage.sql.tables import events

# Any constant: the key of the PostgreSQL advisory lock that orders event writes.
_EVENT_LOCK = 0x66_64_65_76  # "fdev"
_INSERT = sa.insert(events).returning(events.c.seq)
_INSERT_IN_ORDER = sa.insert(events).returning(events.c.seq, sort_by_parameter_order=True)


class SqlEventLog:
    """Events appended in a transaction are written by :meth:`write` just before the
    commit, when the database numbers them; :attr:`committed` has them after it."""

    def __init__(self, connection: Statements) -> None:
        self._connection = connection
        self._pending: list[StoredEvent] = []
        self._written: list[StoredEvent] = []
        self._committed: list[StoredEvent] = []

    def append(self, event: Event) -> None:
        self._pending.append(StoredEvent.of(event))

    async def for_contact(self, tenant: TenantId, contact: ContactId) -> list[StoredEvent]:
        result = await self._connection.execute(
            sa.select(events)
            .where(events.c.tenant == tenant, events.c.contact == contact)
            .order_by(events.c.seq)
        )
        return [_stored(row) for row in result]

    async def since(self, tenant: TenantId, seq: int, limit: int = 1000) -> list[StoredEvent]:
        result = await self._connection.execute(
            sa.select(events)
            .where(events.c.tenant == tenant, events.c.seq > seq)
            .order_by(events.c.seq)
            .limit(limit)
        )
        return [_stored(row) for row in result]

    async def hold(self) -> None:
        """On PostgreSQL, share the lock that event writers take exclusively until they
        commit: in-flight writers finish first, new ones wait for this transaction. On
        SQLite the store's transactions take turns already."""
        if self._connection.dialect.name == "postgresql":
            await self._connection.execute(
                sa.select(sa.func.pg_advisory_xact_lock_shared(_EVENT_LOCK))
            )

    @property
    def committed(self) -> list[StoredEvent]:
        return list(self._committed)

    async def write(self) -> None:
        """Insert the pending events; called inside the transaction, before COMMIT."""
        if not self._pending:
            return
        if self._connection.dialect.name == "postgresql":
            # Concurrent transactions would otherwise commit their seqs out of order and
            # a reader of ``since`` could step past an event that commits a moment later.
            # Held to the end of the transaction, the lock makes seqs grow in commit order.
            await self._connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_EVENT_LOCK)))
        rows = [
            {
                "tenant": event.tenant,
                "contact": event.contact,
                "agent": event.agent,
                "type": event.type,
                "at": event.at,
                "permission": event.permission,
                "data": dict(event.data),
            }
            for event in self._pending
        ]
        if self._connection.dialect.name == "postgresql":
            result = await self._connection.execute(_INSERT_IN_ORDER, rows)
            seqs = list(result.scalars())
        else:
            # SQLite returns the rows of a multi-row INSERT in no promised order, so
            # SQLAlchemy would send one INSERT per event to keep it. Here the store holds
            # the write lock and seqs only grow (AUTOINCREMENT), so these rows' seqs, in
            # order, are the events' in order: one INSERT for them all.
            result = await self._connection.execute(_INSERT, rows)
            seqs = sorted(result.scalars())
        self._written = [
            replace(event, seq=seq) for seq, event in zip(seqs, self._pending, strict=True)
        ]

    def commit(self) -> None:
        """The transaction committed: the written events are now the committed ones."""
        self._committed.extend(self._written)
        self._pending.clear()
        self._written = []


def _stored(row: Any) -> StoredEvent:
    return StoredEvent(
        seq=row.seq,
        tenant=row.tenant,
        type=row.type,
        at=row.at,
        permission=row.permission,
        contact=row.contact,
        agent=row.agent,
        data=row.data,
    )
