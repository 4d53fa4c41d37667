"""Fixtures for every suite: a migrated PostgreSQL database of this test session.

The PostgreSQL server is reached through ``FRONTDESK_TEST_POSTGRES`` (an async
SQLAlchemy URL of a user allowed to create databases; default
``postgresql+asyncpg://postgres@127.0.0.1:5432/postgres``). The session creates the
database ``frontdesk_test_<pid>`` once (dropping a leftover of that name), migrates it,
and drops it at the end; ``empty_tables`` empties it before a test. Without a reachable
server the PostgreSQL tests fail with a message saying how to start one; they never skip.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


async def recreate_database(admin_url: str, name: str, *, create: bool) -> None:
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if create:
                await connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()


async def empty_tables(url: str) -> None:
    from frontdesk.storage.sql.tables import metadata

    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            quote = connection.dialect.identifier_preparer.format_table
            names = ", ".join(quote(table) for table in metadata.sorted_tables)
            await connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A migrated PostgreSQL database of its own for this test session."""
    from frontdesk.storage.sql import migrate

    admin_url = os.environ.get("FRONTDESK_TEST_POSTGRES", DEFAULT_POSTGRES)
    name = f"frontdesk_test_{os.getpid()}"
    try:
        asyncio.run(recreate_database(admin_url, name, create=True))
    except (OSError, DBAPIError) as error:
        unreachable: Exception | None = error
    else:
        unreachable = None
    if unreachable is not None:
        pytest.fail(
            f"PostgreSQL is not reachable at {admin_url}: {unreachable}\n"
            "Start it (Debian: `sudo pg_ctlcluster 15 main start`; or `docker run -d "
            "-p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:15`) or point "
            "FRONTDESK_TEST_POSTGRES at a server where this user may create databases.",
            pytrace=False,
        )
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    asyncio.run(migrate(url))
    yield url
    asyncio.run(recreate_database(admin_url, name, create=False))
