"""Configuration documents on SQL: a JSON body by tenant, kind and key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from frontdesk.domain.ids import TenantId
from frontdesk.storage.sql.connection import Statements
from frontdesk.storage.sql.tables import documents
from frontdesk.storage.sql.upsert import upsert


class SqlDocuments:
    def __init__(self, connection: Statements) -> None:
        self._connection = connection

    def _where(self, tenant: TenantId, kind: str) -> sa.ColumnElement[bool]:
        return sa.and_(documents.c.tenant == tenant, documents.c.kind == kind)

    async def get(self, tenant: TenantId, kind: str, key: str) -> Mapping[str, Any] | None:
        body: Mapping[str, Any] | None = await self._connection.scalar(
            sa.select(documents.c.body).where(self._where(tenant, kind), documents.c.key == key)
        )
        return body

    async def put(self, tenant: TenantId, kind: str, key: str, body: Mapping[str, Any]) -> None:
        row = {"tenant": tenant, "kind": kind, "key": key, "body": dict(body)}
        await upsert(self._connection, documents, row, ("tenant", "kind", "key"))

    async def delete(self, tenant: TenantId, kind: str, key: str) -> bool:
        result = await self._connection.execute(
            sa.delete(documents).where(self._where(tenant, kind), documents.c.key == key)
        )
        return result.rowcount > 0

    async def all(self, tenant: TenantId, kind: str) -> dict[str, Mapping[str, Any]]:
        result = await self._connection.execute(
            sa.select(documents.c.key, documents.c.body)
            .where(self._where(tenant, kind))
            .order_by(documents.c.key)
        )
        return {row.key: row.body for row in result}
