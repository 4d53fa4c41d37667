"""Migrations build exactly the schema the store's tables describe, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from frontdesk.domain.errors import ConflictError
from frontdesk.domain.ids import TenantId
from frontdesk.domain.repositories import Tenant
from frontdesk.storage.sql import current_revision, head_revision, migrate, open_store
from frontdesk.storage.sql.engine import create_engine
from frontdesk.storage.sql.schema import alembic_config
from frontdesk.storage.sql.tables import metadata


def _differences(connection: Connection, target: sa.MetaData) -> list[tuple[Any, ...]]:
    """Alembic's differences, one tuple each (it groups column changes in lists)."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    found: list[tuple[Any, ...]] = []
    for difference in compare_metadata(context, target):
        found.extend(difference if isinstance(difference, list) else [difference])
    return found


async def _compare(url: str, target: sa.MetaData) -> list[tuple[Any, ...]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_differences, target)
    finally:
        await engine.dispose()


async def _table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda c: sa.inspect(c).get_table_names())
            return set(names)
    finally:
        await engine.dispose()


async def test_migrating_an_empty_database_builds_exactly_the_tables(empty_url: str) -> None:
    await migrate(empty_url)
    assert await _compare(empty_url, metadata) == []
    assert {table.name for table in metadata.sorted_tables} <= await _table_names(empty_url)


async def test_the_comparison_notices_a_schema_that_differs(empty_url: str) -> None:
    await migrate(empty_url)
    changed = sa.MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["purchases"].c.amount.type = sa.Integer()
    differences = await _compare(empty_url, changed)
    assert [(d[0], d[2], d[3]) for d in differences] == [("modify_type", "purchases", "amount")]


async def test_a_database_starts_at_no_revision_and_migrates_to_head(empty_url: str) -> None:
    assert await current_revision(empty_url) is None
    await migrate(empty_url)
    assert await current_revision(empty_url) == head_revision()


async def test_migrating_again_changes_nothing_and_keeps_the_data(empty_url: str) -> None:
    await migrate(empty_url)
    store = await open_store(empty_url)
    try:
        async with store.transaction() as tx:
            await tx.tenants.put(Tenant(TenantId("acme"), "Acme"))
    finally:
        await store.close()
    await migrate(empty_url)
    assert await current_revision(empty_url) == head_revision()
    store = await open_store(empty_url)
    try:
        async with store.transaction() as tx:
            assert await tx.tenants.all() == [Tenant(TenantId("acme"), "Acme")]
    finally:
        await store.close()


async def test_opening_an_unmigrated_database_says_to_run_migrate(empty_url: str) -> None:
    with pytest.raises(ConflictError, match="frontdesk migrate") as raised:
        await open_store(empty_url)
    assert raised.value.code == "storage.not_migrated"
    assert raised.value.details == {"revision": None, "head": head_revision()}


async def test_downgrading_to_base_removes_every_table(empty_url: str) -> None:
    await migrate(empty_url)
    engine = create_engine(empty_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(lambda c: command.downgrade(alembic_config(c), "base"))
    finally:
        await engine.dispose()
    assert await _table_names(empty_url) == {"alembic_version"}
    assert await current_revision(empty_url) is None


async def test_contacts_stored_before_the_queue_column_get_their_queue(empty_url: str) -> None:
    engine = create_engine(empty_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(lambda c: command.upgrade(alembic_config(c), "0001"))
            old = sa.table(
                "contacts",
                *(sa.column(name) for name in ("tenant", "id", "state", "channel", "ani")),
                sa.column("arrived_at", sa.DateTime(timezone=True)),
                sa.column("body", sa.JSON()),
            )
            rows = [("queued", {"handling": {"queue": "sales"}}), ("direct", {"handling": {}})]
            for key, body in rows:
                await connection.execute(
                    sa.insert(old).values(
                        tenant="acme", id=key, state="queued", channel="voice", ani="+7",
                        arrived_at=datetime(2026, 12, 2, tzinfo=UTC), body=body,
                    )
                )  # fmt: skip
    finally:
        await engine.dispose()
    await migrate(empty_url)
    engine = create_engine(empty_url)
    try:
        async with engine.connect() as connection:
            result = await connection.execute(sa.text("SELECT id, queue FROM contacts ORDER BY id"))
            assert sorted(tuple(row) for row in result) == [("direct", None), ("queued", "sales")]
    finally:
        await engine.dispose()
