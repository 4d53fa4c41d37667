"""Alembic's entry point: migrate the connection that ``frontdesk.storage.sql.schema``
hands over in ``config.attributes["connection"]`` (there is no offline SQL mode)."""

from __future__ import annotations

from alembic import context

from frontdesk.storage.sql.tables import metadata

context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=metadata,
    # SQLite alters tables by copying them; batch mode does that for later revisions.
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
