"""The store on SQLAlchemy: one database transaction per ``store.transaction()``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from frontdesk.domain.errors import ConflictError
from frontdesk.domain.repositories import (
    Agents,
    Audit,
    Callbacks,
    Contacts,
    Customers,
    Deliveries,
    Documents,
    EventLog,
    Scenarios,
    Tenants,
    Transaction,
    Users,
)
from frontdesk.storage.sql.agents import SqlAgents
from frontdesk.storage.sql.audit import SqlAudit
from frontdesk.storage.sql.callbacks import SqlCallbacks
from frontdesk.storage.sql.contacts import SqlContacts
from frontdesk.storage.sql.customers import SqlCustomers
from frontdesk.storage.sql.deliveries import SqlDeliveries
from frontdesk.storage.sql.documents import SqlDocuments
from frontdesk.storage.sql.engine import create_engine
from frontdesk.storage.sql.events import SqlEventLog
from frontdesk.storage.sql.scenarios import SqlScenarios
from frontdesk.storage.sql.schema import head_revision, revision_of
from frontdesk.storage.sql.tenants import SqlTenants
from frontdesk.storage.sql.users import SqlUsers


class SqlTransaction:
    """The repositories of one open database transaction."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.log = SqlEventLog(connection)
        self.tenants: Tenants = SqlTenants(connection)
        self.contacts: Contacts = SqlContacts(connection)
        self.events: EventLog = self.log
        self.agents: Agents = SqlAgents(connection)
        self.customers: Customers = SqlCustomers(connection)
        self.documents: Documents = SqlDocuments(connection)
        self.scenarios: Scenarios = SqlScenarios(connection)
        self.users: Users = SqlUsers(connection)
        self.callbacks: Callbacks = SqlCallbacks(connection)
        self.audit: Audit = SqlAudit(connection)
        self.deliveries: Deliveries = SqlDeliveries(connection)


class SqlStore:
    """A :class:`~frontdesk.domain.repositories.Store` on SQLite or PostgreSQL.

    On SQLite, which has one writer at a time, the transactions of this store take
    turns (in the order they asked), so concurrent tasks wait instead of failing with
    "database is locked"; a transaction must therefore not open another one inside it.
    On PostgreSQL they run side by side, each on its own pooled connection.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._turn: AbstractAsyncContextManager[Any] = (
            asyncio.Lock() if engine.dialect.name == "sqlite" else nullcontext()
        )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """Commit when the block ends, events included; roll everything back if it raises."""
        async with self._turn, self._engine.connect() as connection:
            async with connection.begin():
                tx = SqlTransaction(connection)
                yield tx
                await tx.log.write()
            tx.log.commit()

    async def close(self) -> None:
        """Close every pooled connection."""
        await self._engine.dispose()


async def open_store(url: str) -> SqlStore:
    """The store on the database at ``url`` (``sqlite:///path`` or ``postgresql://...``).

    ConflictError ``storage.not_migrated`` when its schema is not the one this version
    needs: ``frontdesk migrate`` brings it there.
    """
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            revision = await connection.run_sync(revision_of)
        head = head_revision()
        if revision != head:
            raise ConflictError(
                f"the database schema is at revision {revision or '(none)'} and this version "
                f"of Frontdesk needs {head}: run `frontdesk migrate` first",
                code="storage.not_migrated",
                revision=revision,
                head=head,
            )
    except BaseException:
        await engine.dispose()
        raise
    return SqlStore(engine)
