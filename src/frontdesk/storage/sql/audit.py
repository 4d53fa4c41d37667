"""The audit log on SQL: entries numbered by the database."""

from __future__ import annotations

import sqlalchemy as sa

from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.ids import TenantId
from frontdesk.domain.repositories import EVERY_ENTRY, AuditFilter
from frontdesk.storage.sql.connection import Statements
from frontdesk.storage.sql.tables import audit


class SqlAudit:
    def __init__(self, connection: Statements) -> None:
        self._connection = connection

    async def add(self, entry: AuditEntry) -> None:
        """Append ``entry``; its ``seq`` is ignored and assigned by the log."""
        await self._connection.execute(
            sa.insert(audit).values(
                tenant=entry.tenant,
                at=entry.at,
                actor=entry.actor,
                action=entry.action,
                kind=entry.kind,
                key=entry.key,
                before=None if entry.before is None else dict(entry.before),
                after=None if entry.after is None else dict(entry.after),
            )
        )

    async def all(
        self,
        tenant: TenantId,
        limit: int = 100,
        offset: int = 0,
        where: AuditFilter = EVERY_ENTRY,
    ) -> list[AuditEntry]:
        conditions = [audit.c.tenant == tenant]
        for column, value in (
            (audit.c.actor, where.actor),
            (audit.c.kind, where.kind),
            (audit.c.action, where.action),
            (audit.c.key, where.key),
        ):
            if value is not None:
                conditions.append(column == value)
        if where.since is not None:
            conditions.append(audit.c.at >= where.since)
        if where.until is not None:
            conditions.append(audit.c.at < where.until)
        if where.skip_actions:
            conditions.append(audit.c.action.not_in(sorted(where.skip_actions)))
        result = await self._connection.execute(
            sa.select(audit)
            .where(*conditions)
            .order_by(audit.c.seq.desc())
            .limit(limit)
            .offset(offset)
        )
        return [
            AuditEntry(
                tenant=row.tenant,
                at=row.at,
                actor=row.actor,
                action=row.action,
                kind=row.kind,
                key=row.key,
                before=row.before,
                after=row.after,
                seq=row.seq,
            )
            for row in result
        ]
