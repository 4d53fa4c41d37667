"""Scenario versions on SQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from frontdesk.domain.errors import ConflictError, NotFoundError
from frontdesk.domain.ids import TenantId
from frontdesk.domain.scenarios import ScenarioVersion
from frontdesk.storage.sql.connection import Statements
from frontdesk.storage.sql.tables import scenarios


class SqlScenarios:
    def __init__(self, connection: Statements) -> None:
        self._connection = connection

    async def add(self, version: ScenarioVersion) -> None:
        """ConflictError ``scenario.exists`` if the tenant has this version number."""
        if await self.get(version.tenant, version.version) is not None:
            raise ConflictError(
                f"scenario version {version.version} already exists",
                code="scenario.exists",
                version=version.version,
            )
        await self._connection.execute(
            sa.insert(scenarios).values(
                tenant=version.tenant,
                version=version.version,
                text=version.text,
                created_at=version.created_at,
                author=version.author,
                comment=version.comment,
                published_at=version.published_at,
            )
        )

    async def get(self, tenant: TenantId, version: int) -> ScenarioVersion | None:
        result = await self._connection.execute(
            sa.select(scenarios).where(scenarios.c.tenant == tenant, scenarios.c.version == version)
        )
        row = result.first()
        return None if row is None else _version(row)

    async def latest_version(self, tenant: TenantId) -> int:
        latest: int | None = await self._connection.scalar(
            sa.select(sa.func.max(scenarios.c.version)).where(scenarios.c.tenant == tenant)
        )
        return latest or 0

    async def published(self, tenant: TenantId) -> ScenarioVersion | None:
        result = await self._connection.execute(
            sa.select(scenarios)
            .where(scenarios.c.tenant == tenant, scenarios.c.published_at.is_not(None))
            .order_by(scenarios.c.published_at.desc(), scenarios.c.version.desc())
            .limit(1)
        )
        row = result.first()
        return None if row is None else _version(row)

    async def mark_published(self, tenant: TenantId, version: int, at: datetime) -> None:
        """NotFoundError ``scenario.not_found`` if the version does not exist."""
        result = await self._connection.execute(
            sa.update(scenarios)
            .where(scenarios.c.tenant == tenant, scenarios.c.version == version)
            .values(published_at=at)
        )
        if result.rowcount == 0:
            raise NotFoundError(
                f"scenario version {version} does not exist",
                code="scenario.not_found",
                version=version,
            )

    async def all(self, tenant: TenantId) -> list[ScenarioVersion]:
        result = await self._connection.execute(
            sa.select(scenarios).where(scenarios.c.tenant == tenant).order_by(scenarios.c.version)
        )
        return [_version(row) for row in result]


def _version(row: Any) -> ScenarioVersion:
    return ScenarioVersion(
        tenant=row.tenant,
        version=row.version,
        text=row.text,
        created_at=row.created_at,
        author=row.author,
        comment=row.comment,
        published_at=row.published_at,
    )
