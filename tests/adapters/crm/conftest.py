"""Fixtures of the CRM tests: a fixed clock, every store, every CRM adapter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from frontdesk.crm.builtin import BuiltinCrm
from frontdesk.domain.ids import TenantId
from frontdesk.domain.ports import Crm
from frontdesk.domain.repositories import Store
from frontdesk.storage.memory import MemoryStore
from frontdesk.storage.sql import migrate, open_store

TENANT = TenantId("acme")
OTHER_TENANT = TenantId("globex")


class FixedClock:
    """Time stands still until a test moves it on."""

    def __init__(self) -> None:
        self.at = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, minutes: int) -> datetime:
        self.at += timedelta(minutes=minutes)
        return self.at


async def sqlite_store(path: Path) -> Store:
    url = f"sqlite:///{path}"
    await migrate(url)
    return await open_store(url)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture(params=["memory", "sqlite"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    opened: Store = (
        MemoryStore() if request.param == "memory" else await sqlite_store(tmp_path / "crm.db")
    )
    yield opened
    await opened.close()


@pytest.fixture
def builtin(store: Store, clock: FixedClock) -> BuiltinCrm:
    return BuiltinCrm(store, clock)


@pytest.fixture(params=["builtin"])
def crm(request: pytest.FixtureRequest, builtin: BuiltinCrm) -> Crm:
    """Every CRM adapter, for the contract suite; today the built-in one."""
    adapters: dict[str, Crm] = {"builtin": builtin}
    return adapters[request.param]
