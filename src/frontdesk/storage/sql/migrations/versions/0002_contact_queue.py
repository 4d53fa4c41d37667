"""Contacts are searched by the queue they were routed to.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

The ``queue`` column repeats ``handling.queue`` of the stored record, as ``agent`` does
``handling.agent``; existing rows get it from their JSON body.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_contacts = sa.table("contacts", sa.column("queue", sa.String()), sa.column("body", sa.JSON()))


def upgrade() -> None:
    op.add_column("contacts", sa.Column("queue", sa.String(), nullable=True))
    op.create_index("ix_contacts_tenant_queue", "contacts", ["tenant", "queue"])
    op.execute(sa.update(_contacts).values(queue=_contacts.c.body["handling"]["queue"].as_string()))


def downgrade() -> None:
    op.drop_index("ix_contacts_tenant_queue", table_name="contacts")
    op.drop_column("contacts", "queue")
