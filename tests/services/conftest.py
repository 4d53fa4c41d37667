"""A running desk on each store: the in-memory one, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.services.desk_support import Stack, build, open_backend


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """A plain fixture: setting up PostgreSQL runs an event loop of its own."""
    if request.param == "postgresql":
        url: str = request.getfixturevalue("postgres_url")
        return url
    return str(request.param)


@pytest.fixture
async def stack(backend: str, tmp_path: Path) -> AsyncIterator[Stack]:
    store = await open_backend(backend, tmp_path)
    built = await build(store)
    yield built
    await built.dispatcher.stop()
    await store.close()
