"""Alembic migration scripts; run them with :func:`frontdesk.storage.sql.migrate`."""
