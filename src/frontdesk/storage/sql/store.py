"""The store on SQLAlchemy: one database transaction per ``store.transaction()``."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

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
from frontdesk.storage.sql.connection import InlineConnection, Statements
from frontdesk.storage.sql.contacts import SqlContacts
from frontdesk.storage.sql.customers import SqlCustomers
from frontdesk.storage.sql.deliveries import SqlDeliveries
from frontdesk.storage.sql.documents import SqlDocuments
from frontdesk.storage.sql.engine import (
    SQLITE_BUSY_TIMEOUT_MS,
    async_url,
    create_engine,
    create_inline_engine,
)
from frontdesk.storage.sql.events import SqlEventLog
from frontdesk.storage.sql.scenarios import SqlScenarios
from frontdesk.storage.sql.schema import head_revision, revision_of
from frontdesk.storage.sql.tenants import SqlTenants
from frontdesk.storage.sql.users import SqlUsers


class SqlTransaction:
    """The repositories of one open database transaction."""

    def __init__(self, connection: Statements) -> None:
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

    On SQLite (a synchronous ``Engine``) the statements run on the event loop's thread
    (:mod:`.connection` says why), and the transactions of this store take turns in the
    order they asked, so a transaction must not open another one inside it. One that
    finds the write lock held by another process waits for it without blocking the
    loop, for up to ``SQLITE_BUSY_TIMEOUT_MS``. On PostgreSQL (an ``AsyncEngine``) they
    run side by side, each on its own pooled connection.
    """

    def __init__(self, engine: AsyncEngine | Engine) -> None:
        self._engine = engine
        self._turn: AbstractAsyncContextManager[Any] = (
            asyncio.Lock() if isinstance(engine, Engine) else nullcontext()
        )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """Commit when the block ends, events included; roll everything back if it raises."""
        engine = self._engine
        if isinstance(engine, Engine):
            async with self._turn:
                connection = await _begin(engine)
                try:
                    tx = SqlTransaction(InlineConnection(connection))
                    yield tx
                    await tx.log.write()
                    connection.commit()
                finally:
                    connection.close()  # rolls back what was not committed
        else:
            async with engine.connect() as async_connection, async_connection.begin():
                tx = SqlTransaction(async_connection)
                yield tx
                await tx.log.write()
        tx.log.commit()

    async def close(self) -> None:
        """Close every pooled connection."""
        if isinstance(self._engine, Engine):
            self._engine.dispose()
        else:
            await self._engine.dispose()


async def _begin(engine: Engine) -> Connection:
    """A connection in a transaction that holds SQLite's write lock (``BEGIN IMMEDIATE``):
    while another process holds it, try again every few milliseconds, yielding the loop."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SQLITE_BUSY_TIMEOUT_MS / 1000
    pause = 0.001
    while True:
        connection = engine.connect()
        try:
            connection.begin()
        except OperationalError as error:
            connection.close()
            if not _busy(error) or loop.time() >= deadline:
                raise
        else:
            return connection
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.05)


def _busy(error: OperationalError) -> bool:
    code = getattr(error.orig, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_BUSY


async def open_store(url: str) -> SqlStore:
    """The store on the database at ``url`` (``sqlite:///path`` or ``postgresql://...``).

    ConflictError ``storage.not_migrated`` when its schema is not the one this version
    needs: ``frontdesk migrate`` brings it there.
    """
    if async_url(url).get_backend_name() == "sqlite":
        inline = create_inline_engine(url)
        try:
            connection = await _begin(inline)
            with connection:
                _check_revision(revision_of(connection))
        except BaseException:
            inline.dispose()
            raise
        return SqlStore(inline)
    engine = create_engine(url)
    try:
        async with engine.connect() as async_connection:
            _check_revision(await async_connection.run_sync(revision_of))
    except BaseException:
        await engine.dispose()
        raise
    return SqlStore(engine)


def _check_revision(revision: str | None) -> None:
    head = head_revision()
    if revision != head:
        raise ConflictError(
            f"the database schema is at revision {revision or '(none)'} and this version "
            f"of Frontdesk needs {head}: run `frontdesk migrate` first",
            code="storage.not_migrated",
            revision=revision,
            head=head,
        )
