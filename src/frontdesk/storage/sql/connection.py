"""The connection the repositories talk through: SQLAlchemy's ``AsyncConnection`` on
PostgreSQL, a synchronous SQLite connection behind the same methods on SQLite.

SQLite runs in the process. Through aiosqlite every statement becomes four hand-offs to
its thread (cursor, execute, fetch, close), ~0.4 ms each on a quiet two-core machine,
so a call's fifty statements took ~90 ms; run on the caller's thread they take ~50 µs
each. The statements are short (the store's transactions take turns anyway); what could
make a caller wait long, another process holding the write lock, is waited for without
blocking (:func:`frontdesk.storage.sql.store.SqlStore.transaction`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

from sqlalchemy import Connection, CursorResult, Executable, ScalarResult
from sqlalchemy.engine import Dialect


class Statements(Protocol):
    """What a repository needs of its transaction's connection."""

    @property
    def dialect(self) -> Dialect: ...

    async def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[Any]:
        """Run ``statement``; its rows are read from the result."""
        ...

    async def scalar(self, statement: Executable, parameters: Any = None) -> Any:
        """The first column of the first row, or None."""
        ...

    async def scalars(self, statement: Executable, parameters: Any = None) -> ScalarResult[Any]:
        """The first column of every row."""
        ...

    def begin_nested(self) -> AbstractAsyncContextManager[Any]:
        """A savepoint: an error inside rolls back to it, and the transaction goes on."""
        ...


class InlineConnection:
    """A synchronous connection with the methods of :class:`Statements`: each statement
    runs when awaited, on the awaiting thread, and never suspends."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    @property
    def dialect(self) -> Dialect:
        return self._connection.dialect

    async def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[Any]:
        return self._connection.execute(statement, parameters)

    async def scalar(self, statement: Executable, parameters: Any = None) -> Any:
        return self._connection.scalar(statement, parameters)

    async def scalars(self, statement: Executable, parameters: Any = None) -> ScalarResult[Any]:
        return self._connection.scalars(statement, parameters)

    @asynccontextmanager
    async def begin_nested(self) -> AsyncIterator[None]:
        with self._connection.begin_nested():
            yield
