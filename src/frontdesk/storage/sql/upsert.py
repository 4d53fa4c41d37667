"""Insert-or-replace, in the dialect of the connection (both databases say ON CONFLICT)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from frontdesk.storage.sql.connection import Statements


async def upsert(
    connection: Statements,
    table: sa.Table,
    row: Mapping[str, Any],
    keys: Sequence[str],
) -> None:
    """Insert ``row`` into ``table``, or overwrite the row with the same ``keys``."""
    statement = _statement(connection.dialect.name, table, tuple(row), tuple(keys))
    await connection.execute(statement, dict(row))


@cache
def _statement(
    dialect: str, table: sa.Table, columns: tuple[str, ...], keys: tuple[str, ...]
) -> sa.Executable:
    """Built once per table and set of columns: the row comes as parameters, so
    SQLAlchemy compiles it once too (an agent's state is written several times a call)."""
    insert = sqlite.insert(table) if dialect == "sqlite" else postgresql.insert(table)
    return insert.on_conflict_do_update(
        index_elements=[table.c[key] for key in keys],
        set_={name: insert.excluded[name] for name in columns if name not in keys},
    )
