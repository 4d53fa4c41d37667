"""Empty databases for the SQL store's own tests: a SQLite file and a PostgreSQL database.

PostgreSQL is reached through ``FRONTDESK_TEST_POSTGRES`` (a URL of a user allowed to
create databases; default ``postgresql+asyncpg://postgres@127.0.0.1:5432/postgres``),
as in the store contract suite. Without a server the PostgreSQL tests fail.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import DEFAULT_POSTGRES, recreate_database


@pytest.fixture
async def postgresql_url() -> AsyncIterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    admin_url = os.environ.get("FRONTDESK_TEST_POSTGRES", DEFAULT_POSTGRES)
    name = f"frontdesk_sql_unit_{os.getpid()}"
    await recreate_database(admin_url, name, create=True)
    yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    await recreate_database(admin_url, name, create=False)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A plain ``sqlite:///`` URL of a database file whose folder does not exist yet."""
    return f"sqlite:///{tmp_path}/data/frontdesk.db"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest) -> str:
    """The URL of an empty database, on each backend in turn."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url
