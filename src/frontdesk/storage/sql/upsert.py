"""Insert-or-replace, in the dialect of the connection (both databases say ON CONFLICT)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    insert = sqlite.insert if connection.dialect.name == "sqlite" else postgresql.insert
    statement = insert(table).values(dict(row))
    await connection.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c[key] for key in keys],
            set_={name: statement.excluded[name] for name in row if name not in keys},
        )
    )
