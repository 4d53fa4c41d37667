"""Database URLs and engines: PostgreSQL through asyncpg; SQLite through aiosqlite for the
schema's tools, and in the store's own thread (:func:`create_inline_engine`)."""

from __future__ import annotations

import contextlib
import functools
import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from frontdesk.domain.errors import ValidationError

#: Accepted URL schemes and the async driver each one runs on.
DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}

#: How long a SQLite connection waits for another process's write lock, in milliseconds.
SQLITE_BUSY_TIMEOUT_MS = 10_000


def async_url(url: str) -> URL:
    """``url`` on its async driver: ``sqlite:///x.db`` becomes ``sqlite+aiosqlite:///x.db``,
    ``postgresql://...`` becomes ``postgresql+asyncpg://...``.

    ValidationError ``storage.invalid_url`` for text that is not a database URL, or one
    of a database or driver Frontdesk does not run on.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValidationError(
            f"{url!r} is not a database URL: expected sqlite:///path or postgresql://...",
            code="storage.invalid_url",
        ) from None
    driver = DRIVERS.get(parsed.drivername)
    if driver is None:
        raise ValidationError(
            f"unsupported database URL scheme {parsed.drivername!r}: "
            f"expected one of {', '.join(sorted(DRIVERS))}",
            code="storage.invalid_url",
        )
    return parsed.set(drivername=driver)


def create_engine(url: str) -> AsyncEngine:
    """An engine for ``url``. SQLite gets a durable, concurrent set-up on every connection
    (WAL journal, full sync, foreign keys, busy timeout), transactions that take the
    write lock when they begin, and the database file's directory is created if missing."""
    target = async_url(url)
    if target.get_backend_name() != "sqlite":
        return create_async_engine(target, pool_pre_ping=True, json_serializer=_json)
    _make_folder(target)
    engine = create_async_engine(target, json_serializer=_json)
    configure = functools.partial(_configure_sqlite, busy_timeout=SQLITE_BUSY_TIMEOUT_MS)
    event.listen(engine.sync_engine, "connect", configure)
    event.listen(engine.sync_engine, "begin", _begin_immediate)
    event.listen(engine.sync_engine, "invalidate", _roll_back_before_closing)
    return engine


def create_inline_engine(url: str) -> Engine:
    """A synchronous engine on the SQLite database at ``url``, for statements run on the
    caller's thread (:class:`~frontdesk.storage.sql.connection.InlineConnection`): the
    same durable set-up as :func:`create_engine`, but a transaction that finds the write
    lock taken fails at once (``database is locked``) instead of blocking its thread, so
    that its caller can wait without blocking."""
    target = async_url(url).set(drivername="sqlite+pysqlite")
    _make_folder(target)
    # Any thread may use a pooled connection: the store's transactions take turns, and a
    # test's or a server's event loop need not run in the thread that opened the store.
    engine = create_sync_engine(
        target, json_serializer=_json, connect_args={"check_same_thread": False}
    )
    event.listen(engine, "connect", functools.partial(_configure_sqlite, busy_timeout=0))
    event.listen(engine, "begin", _begin_immediate)
    return engine


def _make_folder(url: URL) -> None:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _json(value: Any) -> str:
    # Text as it is written (Cyrillic names stay readable in the database, and shorter).
    return json.dumps(value, ensure_ascii=False)


def _configure_sqlite(dbapi_connection: Any, _record: Any, *, busy_timeout: int) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN instead of the driver's implicit
    # transactions, which start only at the first write and so read outside them.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=FULL",
        "foreign_keys=ON",
        f"busy_timeout={busy_timeout}",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _roll_back_before_closing(dbapi_connection: Any, _record: Any, _error: Any) -> None:
    # A statement cut off by a cancellation makes SQLAlchemy close the connection without
    # a rollback; a statement of the cut-off cursor then keeps the closed connection and
    # its transaction alive, and every other writer waits out the busy timeout.
    with contextlib.suppress(Exception):  # a connection broken for good is closed anyway
        dbapi_connection.rollback()


def _begin_immediate(connection: Connection) -> None:
    # Take the write lock up front: a transaction that read and then tries to write
    # could otherwise fail with "database is locked" instead of waiting its turn.
    connection.exec_driver_sql("BEGIN IMMEDIATE")
