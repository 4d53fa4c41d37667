"""Database URLs, and the SQLite set-up that makes the embedded store durable and safe."""

from __future__ import annotations

import asyncio
import contextlib
import random
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import exc as sa_exc

from frontdesk.domain.errors import ValidationError
from frontdesk.domain.ids import TenantId
from frontdesk.domain.repositories import Tenant
from frontdesk.storage.sql import migrate, open_store
from frontdesk.storage.sql.engine import (
    SQLITE_BUSY_TIMEOUT_MS,
    async_url,
    create_engine,
    create_inline_engine,
)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///data/frontdesk.db", "sqlite+aiosqlite:///data/frontdesk.db"),
        ("sqlite+aiosqlite:////var/lib/fd.db", "sqlite+aiosqlite:////var/lib/fd.db"),
        ("postgresql://fd:secret@db:5432/fd", "postgresql+asyncpg://fd:secret@db:5432/fd"),
        ("postgres://fd@db/fd", "postgresql+asyncpg://fd@db/fd"),
        ("postgresql+asyncpg://fd@db/fd", "postgresql+asyncpg://fd@db/fd"),
    ],
)
def test_urls_are_run_on_the_async_drivers(given: str, expected: str) -> None:
    assert async_url(given).render_as_string(hide_password=False) == expected


@pytest.mark.parametrize(
    "url", ["mysql://fd@db/fd", "postgresql+psycopg2://fd@db/fd", "not a url", ""]
)
def test_other_urls_are_refused(url: str) -> None:
    with pytest.raises(ValidationError) as raised:
        async_url(url)
    assert raised.value.code == "storage.invalid_url"


async def test_sqlite_creates_the_folder_of_its_file(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "frontdesk.db"
    await migrate(f"sqlite:///{path}")
    assert path.is_file()


async def test_sqlite_connections_are_durable_and_check_foreign_keys(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    try:
        async with engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert (await pragma("PRAGMA journal_mode")).scalar() == "wal"
            assert (await pragma("PRAGMA synchronous")).scalar() == 2  # FULL
            assert (await pragma("PRAGMA foreign_keys")).scalar() == 1
            assert (await pragma("PRAGMA busy_timeout")).scalar() == SQLITE_BUSY_TIMEOUT_MS
    finally:
        await engine.dispose()


async def test_two_stores_on_one_sqlite_file_lose_no_update(sqlite_url: str) -> None:
    """Each transaction reads a counter and writes it back plus one, from two stores (as
    from two processes): a transaction takes the write lock when it begins, so the other
    store's transactions wait for it instead of failing or overwriting its update."""
    await migrate(sqlite_url)
    stores = [await open_store(sqlite_url), await open_store(sqlite_url)]
    tenant = TenantId("acme")

    async def increment(n: int) -> None:
        async with stores[n % 2].transaction() as tx:
            body = await tx.documents.get(tenant, "counter", "c")
            count = 0 if body is None else body["n"]
            await asyncio.sleep(0)  # let the other tasks run between read and write
            await tx.documents.put(tenant, "counter", "c", {"n": count + 1})

    try:
        await asyncio.gather(*(increment(n) for n in range(20)))
        async with stores[0].transaction() as tx:
            assert await tx.documents.get(tenant, "counter", "c") == {"n": 20}
    finally:
        for store in stores:
            await store.close()


async def test_a_transaction_cut_off_by_a_cancellation_leaves_no_lock_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A client leaving a stream, or the CRM's deadline, cancels a task in the middle of
    # a statement. Each next transaction must get the database: with a short busy
    # timeout, a left-over write lock fails it with "database is locked".
    monkeypatch.setattr("frontdesk.storage.sql.store.SQLITE_BUSY_TIMEOUT_MS", 300)
    url = f"sqlite+aiosqlite:///{tmp_path / 'frontdesk.db'}"
    await migrate(url)
    store = await open_store(url)
    rng = random.Random(4)

    async def write(n: int) -> None:
        async with store.transaction() as tx:
            await tx.tenants.put(Tenant(id=TenantId(f"t{n}"), name="cut off"))
            await tx.tenants.all()

    try:
        for n in range(150):
            task = asyncio.create_task(write(n))
            await asyncio.sleep(rng.uniform(0, 0.004))  # somewhere inside the transaction
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            async with store.transaction() as tx:
                await tx.tenants.put(Tenant(id=TenantId(f"after-{n}"), name="next"))
        async with store.transaction() as tx:
            names = {tenant.id for tenant in await tx.tenants.all()}
        assert {f"after-{n}" for n in range(150)} <= names
    finally:
        await store.close()


def test_the_stores_own_sqlite_connections_are_durable_too(sqlite_url: str) -> None:
    engine = create_inline_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA synchronous").scalar() == 2  # FULL
            assert pragma("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


async def test_a_write_lock_held_by_another_process_is_waited_for_without_blocking(
    tmp_path: Path,
) -> None:
    """While another process holds SQLite's write lock, a transaction of the store waits
    for it, and the service's other work goes on meanwhile; then it commits."""
    path = tmp_path / "frontdesk.db"
    await migrate(f"sqlite:///{path}")
    store = await open_store(f"sqlite:///{path}")
    other = sqlite3.connect(path, isolation_level=None)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    async def write() -> None:
        async with store.transaction() as tx:
            await tx.tenants.put(Tenant(id=TenantId("acme"), name="waited"))

    ticker = asyncio.create_task(tick())
    try:
        other.execute("BEGIN IMMEDIATE")
        writing = asyncio.create_task(write())
        await asyncio.sleep(0.5)
        assert not writing.done()  # it waits for the other process
        assert ticks >= 20  # and the loop went on meanwhile
        other.execute("COMMIT")
        await asyncio.wait_for(writing, 2)
        async with store.transaction() as tx:
            assert [tenant.name for tenant in await tx.tenants.all()] == ["waited"]
    finally:
        ticker.cancel()
        other.close()
        await store.close()


async def test_a_write_lock_never_released_fails_the_transaction_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("frontdesk.storage.sql.store.SQLITE_BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "frontdesk.db"
    await migrate(f"sqlite:///{path}")
    store = await open_store(f"sqlite:///{path}")
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(sa_exc.OperationalError, match="database is locked"):
            async with store.transaction() as tx:
                await tx.tenants.put(Tenant(id=TenantId("acme"), name="never"))
        other.execute("ROLLBACK")
        async with store.transaction() as tx:  # the store is fine afterwards
            await tx.tenants.put(Tenant(id=TenantId("acme"), name="later"))
    finally:
        other.close()
        await store.close()
