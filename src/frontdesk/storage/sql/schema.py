"""Schema migrations: bring a database to the schema this version of Frontdesk needs.

Alembic is configured here, without an ``alembic.ini``: its scripts live in the
``migrations`` folder of this package and run on the caller's connection.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from frontdesk.storage.sql.engine import create_engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration; ``connection`` is the one its ``env.py`` migrates."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The revision this version of Frontdesk needs."""
    (head,) = ScriptDirectory.from_config(alembic_config()).get_heads()
    return head


async def current_revision(url: str) -> str | None:
    """The revision the database at ``url`` is at; None when it was never migrated."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(revision_of)
    finally:
        await engine.dispose()


def revision_of(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def migrate(url: str) -> None:
    """Upgrade the database at ``url`` to :func:`head_revision`, in one transaction.

    Running it again on an up-to-date database changes nothing."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade)
    finally:
        await engine.dispose()


def _upgrade(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")
