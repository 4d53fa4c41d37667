"""The store on SQLAlchemy Core: SQLite (embedded default) and PostgreSQL (production).

``await migrate(url)`` brings a database to the schema of this version, then
``await open_store(url)`` opens it; :func:`current_revision` and :func:`head_revision`
tell whether a database needs migrating.
"""

from frontdesk.storage.sql.schema import current_revision, head_revision, migrate
from frontdesk.storage.sql.store import SqlStore, SqlTransaction, open_store

__all__ = [
    "SqlStore",
    "SqlTransaction",
    "current_revision",
    "head_revision",
    "migrate",
    "open_store",
]
