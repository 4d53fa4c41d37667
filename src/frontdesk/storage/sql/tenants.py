"""Tenants on SQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from frontdesk.domain.ids import TenantId
from frontdesk.domain.repositories import Tenant
from frontdesk.storage.sql.connection import Statements
from frontdesk.storage.sql.tables import tenants
from frontdesk.storage.sql.upsert import upsert


class SqlTenants:
    def __init__(self, connection: Statements) -> None:
        self._connection = connection

    async def get(self, tenant: TenantId) -> Tenant | None:
        result = await self._connection.execute(
            sa.select(tenants).where(tenants.c.tenant == tenant)
        )
        row = result.first()
        return None if row is None else _tenant(row)

    async def put(self, tenant: Tenant) -> None:
        row = {
            "tenant": tenant.id,
            "name": tenant.name,
            "timezone": tenant.timezone,
            "locale": tenant.locale,
            "created_at": tenant.created_at,
        }
        await upsert(self._connection, tenants, row, ("tenant",))

    async def all(self) -> list[Tenant]:
        result = await self._connection.execute(sa.select(tenants).order_by(tenants.c.tenant))
        return [_tenant(row) for row in result]


def _tenant(row: Any) -> Tenant:
    return Tenant(
        id=row.tenant,
        name=row.name,
        timezone=row.timezone,
        locale=row.locale,
        created_at=row.created_at,
    )
