"""The store contract: every test here runs on each Store implementation.

The ``store`` fixture is parametrised over ``memory`` (``MemoryStore``), ``sqlite`` (a
fresh, migrated database file per test) and ``postgresql``. Pick backends with ``-k``,
e.g. ``pytest tests/contract -k memory``.

The PostgreSQL part needs a server, reached through ``FRONTDESK_TEST_POSTGRES`` (an
async SQLAlchemy URL of a user allowed to create databases; default
``postgresql+asyncpg://postgres@127.0.0.1:5432/postgres``). To run it locally:

* Debian or Ubuntu packages: ``sudo pg_ctlcluster 15 main start`` (with ``trust`` for
  local TCP in ``pg_hba.conf``, or a password in the URL);
* or a container: ``docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust
  postgres:15``.

The suite creates the database ``frontdesk_test_<pid>`` once (dropping a leftover of
that name), migrates it, empties every table before each test and drops the database at
the end. Without a reachable server the PostgreSQL tests fail; they never skip.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from frontdesk.domain.repositories import Store
from frontdesk.storage.memory import MemoryStore
from tests.conftest import empty_tables

BACKENDS = ("memory", "sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The backend's name, or its database URL. A plain fixture: the PostgreSQL set-up
    runs its own event loop, which it cannot do inside a test's running loop."""
    if request.param == "memory":
        return "memory"
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('store')}/frontdesk.db"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
async def store(backend: str) -> AsyncIterator[Store]:
    opened: Store
    if backend == "memory":
        opened = MemoryStore()
    else:
        from frontdesk.storage.sql import migrate, open_store

        if backend.startswith("sqlite"):
            await migrate(backend)
        else:
            await empty_tables(backend)
        opened = await open_store(backend)
    try:
        yield opened
    finally:
        await opened.close()
