"""The initial schema.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

Written by hand to build exactly ``frontdesk.storage.sql.tables``; plain SQLAlchemy
types stand in for the store's column types, which emit the same DDL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Serial = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)
Amount = sa.Numeric().with_variant(sa.String(), "sqlite")


def _tenant() -> sa.Column[str]:
    return sa.Column("tenant", sa.String(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("tenant", sa.String(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("timezone", sa.String(), nullable=False),
        sa.Column("locale", sa.String(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=True),
        sa.PrimaryKeyConstraint("tenant", name="pk_tenants"),
    )
    op.create_table(
        "users",
        _tenant(),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("agent", sa.String(), nullable=True),
        sa.Column("language", sa.String(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=True),
        sa.PrimaryKeyConstraint("tenant", "id", name="pk_users"),
        sa.UniqueConstraint("tenant", "username", name="uq_users_tenant_username"),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(), nullable=False),
        _tenant(),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("csrf", sa.String(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("expires_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_sessions"),
    )
    op.create_index("ix_sessions_tenant_user_id", "sessions", ["tenant", "user_id"])
    op.create_table(
        "api_tokens",
        _tenant(),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "id", name="pk_api_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )
    op.create_table(
        "documents",
        _tenant(),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "kind", "key", name="pk_documents"),
    )
    op.create_table(
        "agents",
        _tenant(),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "id", name="pk_agents"),
    )
    op.create_table(
        "scenarios",
        _tenant(),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("published_at", Timestamp, nullable=True),
        sa.PrimaryKeyConstraint("tenant", "version", name="pk_scenarios"),
    )
    op.create_table(
        "contacts",
        _tenant(),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("ani", sa.String(), nullable=False),
        sa.Column("customer", sa.String(), nullable=True),
        sa.Column("agent", sa.String(), nullable=True),
        sa.Column("arrived_at", Timestamp, nullable=False),
        sa.Column("idempotency_key", sa.String(), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "id", name="pk_contacts"),
        sa.UniqueConstraint("tenant", "idempotency_key", name="uq_contacts_tenant_idempotency_key"),
    )
    op.create_index(
        "ix_contacts_tenant_state_arrived_at", "contacts", ["tenant", "state", "arrived_at"]
    )
    op.create_index("ix_contacts_tenant_arrived_at", "contacts", ["tenant", "arrived_at"])
    op.create_index("ix_contacts_tenant_customer", "contacts", ["tenant", "customer"])
    op.create_index("ix_contacts_tenant_agent", "contacts", ["tenant", "agent"])
    op.create_index("ix_contacts_tenant_ani", "contacts", ["tenant", "ani"])
    op.create_table(
        "events",
        sa.Column("seq", Serial, nullable=False, autoincrement=True),
        _tenant(),
        sa.Column("contact", sa.String(), nullable=True),
        sa.Column("agent", sa.String(), nullable=True),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("at", Timestamp, nullable=False),
        sa.Column("permission", sa.String(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_events"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_events_tenant_seq", "events", ["tenant", "seq"])
    op.create_index("ix_events_tenant_contact_seq", "events", ["tenant", "contact", "seq"])
    op.create_table(
        "customers",
        _tenant(),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("company", sa.Text(), nullable=False),
        sa.Column("category", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=True),
        sa.Column("manager", sa.String(), nullable=True),
        sa.Column("vip", sa.Boolean(), nullable=False),
        sa.Column("blacklisted", sa.Boolean(), nullable=False),
        sa.Column("merged_into", sa.String(), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=True),
        sa.Column("updated_at", Timestamp, nullable=True),
        sa.PrimaryKeyConstraint("tenant", "id", name="pk_customers"),
    )
    op.create_index("ix_customers_tenant_manager", "customers", ["tenant", "manager"])
    op.create_table(
        "customer_identities",
        _tenant(),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.Column("customer", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "kind", "value", name="pk_customer_identities"),
    )
    op.create_index(
        "ix_customer_identities_tenant_customer", "customer_identities", ["tenant", "customer"]
    )
    op.create_table(
        "purchases",
        _tenant(),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("customer", sa.String(), nullable=False),
        sa.Column("at", Timestamp, nullable=False),
        sa.Column("amount", Amount, nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("order_no", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "id", name="pk_purchases"),
    )
    op.create_index("ix_purchases_tenant_customer_at", "purchases", ["tenant", "customer", "at"])
    op.create_table(
        "notes",
        _tenant(),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("customer", sa.String(), nullable=False),
        sa.Column("at", Timestamp, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("tenant", "id", name="pk_notes"),
    )
    op.create_index("ix_notes_tenant_customer_at", "notes", ["tenant", "customer", "at"])
    op.create_table(
        "activities",
        _tenant(),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("customer", sa.String(), nullable=False),
        sa.Column("at", Timestamp, nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(), nullable=True),
        sa.Column("direction", sa.String(), nullable=False),
        sa.Column("agent", sa.String(), nullable=True),
        sa.Column("disposition", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("tenant", "id", name="pk_activities"),
    )
    op.create_index("ix_activities_tenant_customer_at", "activities", ["tenant", "customer", "at"])
    op.create_table(
        "callbacks",
        _tenant(),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("number", sa.String(), nullable=False),
        sa.Column("due_at", Timestamp, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("contact", sa.String(), nullable=True),
        sa.Column("customer", sa.String(), nullable=True),
        sa.Column("agent", sa.String(), nullable=True),
        sa.Column("queue", sa.String(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "id", name="pk_callbacks"),
    )
    op.create_index("ix_callbacks_tenant_state_due_at", "callbacks", ["tenant", "state", "due_at"])
    op.create_table(
        "audit",
        sa.Column("seq", Serial, nullable=False, autoincrement=True),
        _tenant(),
        sa.Column("at", Timestamp, nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("before", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("after", sa.JSON(none_as_null=True), nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_audit"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_audit_tenant_seq", "audit", ["tenant", "seq"])
    op.create_table(
        "deliveries",
        sa.Column("id", Serial, nullable=False, autoincrement=True),
        _tenant(),
        sa.Column("subscription", sa.String(), nullable=False),
        sa.Column("event", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_at", Timestamp, nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_deliveries"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_deliveries_tenant_subscription_id", "deliveries", ["tenant", "subscription", "id"]
    )
    op.create_index("ix_deliveries_state_next_at", "deliveries", ["state", "next_at"])


def downgrade() -> None:
    for table in (
        "deliveries",
        "audit",
        "callbacks",
        "activities",
        "notes",
        "purchases",
        "customer_identities",
        "customers",
        "events",
        "contacts",
        "scenarios",
        "agents",
        "documents",
        "api_tokens",
        "sessions",
        "users",
        "tenants",
    ):
        op.drop_table(table)
