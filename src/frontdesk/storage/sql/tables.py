"""The SQL schema: one SQLAlchemy Core table per kind of record.

Every table has a ``tenant`` column that leads its key and its indexes, and every query
filters by it. Whole domain records that the store never queries inside (a live
contact, an agent, a customer) are kept as JSON in ``body`` next to the columns that
are searched. The Alembic migrations in ``migrations/versions`` build exactly this
schema; a unit test compares them.
"""

from __future__ import annotations

import sqlalchemy as sa

from frontdesk.storage.sql.column_types import ExactDecimal, UtcDateTime

metadata = sa.MetaData(
    naming_convention={
        "pk": "pk_%(table_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    }
)

# SQLite makes only an INTEGER PRIMARY KEY an auto-incrementing row id.
Serial = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _tenant() -> sa.Column[str]:
    return sa.Column("tenant", sa.String(), nullable=False)


tenants = sa.Table(
    "tenants",
    metadata,
    sa.Column("tenant", sa.String(), primary_key=True),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("timezone", sa.String(), nullable=False),
    sa.Column("locale", sa.String(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=True),
)

users = sa.Table(
    "users",
    metadata,
    _tenant(),
    sa.Column("id", sa.String(), nullable=False),
    sa.Column("username", sa.String(), nullable=False),
    sa.Column("role", sa.String(), nullable=False),
    sa.Column("password_hash", sa.Text(), nullable=False),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("agent", sa.String(), nullable=True),
    sa.Column("language", sa.String(), nullable=False),
    sa.Column("active", sa.Boolean(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=True),
    sa.PrimaryKeyConstraint("tenant", "id"),
    sa.UniqueConstraint("tenant", "username"),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_hash", sa.String(), primary_key=True),
    _tenant(),
    sa.Column("user_id", sa.String(), nullable=False),
    sa.Column("csrf", sa.String(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Index("ix_sessions_tenant_user_id", "tenant", "user_id"),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    _tenant(),
    sa.Column("id", sa.String(), nullable=False),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("role", sa.String(), nullable=False),
    sa.Column("token_hash", sa.String(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("created_by", sa.Text(), nullable=False),
    sa.Column("revoked", sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint("tenant", "id"),
    sa.UniqueConstraint("token_hash"),
)

documents = sa.Table(
    "documents",
    metadata,
    _tenant(),
    sa.Column("kind", sa.String(), nullable=False),
    sa.Column("key", sa.String(), nullable=False),
    sa.Column("body", sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint("tenant", "kind", "key"),
)

agents = sa.Table(
    "agents",
    metadata,
    _tenant(),
    sa.Column("id", sa.String(), nullable=False),
    sa.Column("state", sa.String(), nullable=False),
    sa.Column("body", sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint("tenant", "id"),
)

scenarios = sa.Table(
    "scenarios",
    metadata,
    _tenant(),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("author", sa.Text(), nullable=False),
    sa.Column("comment", sa.Text(), nullable=False),
    sa.Column("published_at", UtcDateTime(), nullable=True),
    sa.PrimaryKeyConstraint("tenant", "version"),
)

contacts = sa.Table(
    "contacts",
    metadata,
    _tenant(),
    sa.Column("id", sa.String(), nullable=False),
    sa.Column("state", sa.String(), nullable=False),
    sa.Column("channel", sa.String(), nullable=False),
    sa.Column("ani", sa.String(), nullable=False),
    sa.Column("customer", sa.String(), nullable=True),
    sa.Column("agent", sa.String(), nullable=True),
    sa.Column("queue", sa.String(), nullable=True),
    sa.Column("arrived_at", UtcDateTime(), nullable=False),
    # NULLs are distinct in a unique constraint on both databases: only keys are unique.
    sa.Column("idempotency_key", sa.String(), nullable=True),
    sa.Column("body", sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint("tenant", "id"),
    sa.UniqueConstraint("tenant", "idempotency_key"),
    sa.Index("ix_contacts_tenant_state_arrived_at", "tenant", "state", "arrived_at"),
    sa.Index("ix_contacts_tenant_arrived_at", "tenant", "arrived_at"),
    sa.Index("ix_contacts_tenant_customer", "tenant", "customer"),
    sa.Index("ix_contacts_tenant_agent", "tenant", "agent"),
    sa.Index("ix_contacts_tenant_queue", "tenant", "queue"),
    sa.Index("ix_contacts_tenant_ani", "tenant", "ani"),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("seq", Serial, primary_key=True, autoincrement=True),
    _tenant(),
    sa.Column("contact", sa.String(), nullable=True),
    sa.Column("agent", sa.String(), nullable=True),
    sa.Column("type", sa.String(), nullable=False),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("permission", sa.String(), nullable=False),
    sa.Column("data", sa.JSON(), nullable=False),
    sa.Index("ix_events_tenant_seq", "tenant", "seq"),
    sa.Index("ix_events_tenant_contact_seq", "tenant", "contact", "seq"),
    # A seq is never handed out twice, even after the newest events are deleted.
    sqlite_autoincrement=True,
)

customers = sa.Table(
    "customers",
    metadata,
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
    sa.Column("created_at", UtcDateTime(), nullable=True),
    sa.Column("updated_at", UtcDateTime(), nullable=True),
    sa.PrimaryKeyConstraint("tenant", "id"),
    sa.Index("ix_customers_tenant_manager", "tenant", "manager"),
)

customer_identities = sa.Table(
    "customer_identities",
    metadata,
    _tenant(),
    sa.Column("kind", sa.String(), nullable=False),
    sa.Column("value", sa.String(), nullable=False),
    sa.Column("customer", sa.String(), nullable=False),
    sa.PrimaryKeyConstraint("tenant", "kind", "value"),
    sa.Index("ix_customer_identities_tenant_customer", "tenant", "customer"),
)

purchases = sa.Table(
    "purchases",
    metadata,
    _tenant(),
    sa.Column("id", sa.String(), nullable=False),
    sa.Column("customer", sa.String(), nullable=False),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("amount", ExactDecimal(), nullable=False),
    sa.Column("currency", sa.String(), nullable=False),
    sa.Column("description", sa.Text(), nullable=False),
    sa.Column("order_no", sa.String(), nullable=False),
    sa.PrimaryKeyConstraint("tenant", "id"),
    sa.Index("ix_purchases_tenant_customer_at", "tenant", "customer", "at"),
)

notes = sa.Table(
    "notes",
    metadata,
    _tenant(),
    sa.Column("id", sa.String(), nullable=False),
    sa.Column("customer", sa.String(), nullable=False),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("author", sa.Text(), nullable=False),
    sa.Column("contact", sa.String(), nullable=True),
    sa.PrimaryKeyConstraint("tenant", "id"),
    sa.Index("ix_notes_tenant_customer_at", "tenant", "customer", "at"),
)

activities = sa.Table(
    "activities",
    metadata,
    _tenant(),
    sa.Column("id", sa.String(), nullable=False),
    sa.Column("customer", sa.String(), nullable=False),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("channel", sa.String(), nullable=False),
    sa.Column("summary", sa.Text(), nullable=False),
    sa.Column("contact", sa.String(), nullable=True),
    sa.Column("direction", sa.String(), nullable=False),
    sa.Column("agent", sa.String(), nullable=True),
    sa.Column("disposition", sa.String(), nullable=True),
    sa.PrimaryKeyConstraint("tenant", "id"),
    sa.Index("ix_activities_tenant_customer_at", "tenant", "customer", "at"),
)

callbacks = sa.Table(
    "callbacks",
    metadata,
    _tenant(),
    sa.Column("id", sa.String(), nullable=False),
    sa.Column("number", sa.String(), nullable=False),
    sa.Column("due_at", UtcDateTime(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("contact", sa.String(), nullable=True),
    sa.Column("customer", sa.String(), nullable=True),
    sa.Column("agent", sa.String(), nullable=True),
    sa.Column("queue", sa.String(), nullable=True),
    sa.Column("note", sa.Text(), nullable=False),
    sa.Column("state", sa.String(), nullable=False),
    sa.Column("created_by", sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint("tenant", "id"),
    sa.Index("ix_callbacks_tenant_state_due_at", "tenant", "state", "due_at"),
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column("seq", Serial, primary_key=True, autoincrement=True),
    _tenant(),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("actor", sa.Text(), nullable=False),
    sa.Column("action", sa.String(), nullable=False),
    sa.Column("kind", sa.String(), nullable=False),
    sa.Column("key", sa.Text(), nullable=False),
    sa.Column("before", sa.JSON(none_as_null=True), nullable=True),
    sa.Column("after", sa.JSON(none_as_null=True), nullable=True),
    sa.Index("ix_audit_tenant_seq", "tenant", "seq"),
    sqlite_autoincrement=True,
)

deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("id", Serial, primary_key=True, autoincrement=True),
    _tenant(),
    sa.Column("subscription", sa.String(), nullable=False),
    sa.Column("event", sa.JSON(), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("next_at", UtcDateTime(), nullable=False),
    sa.Column("state", sa.String(), nullable=False),
    sa.Column("last_error", sa.Text(), nullable=False),
    sa.Index("ix_deliveries_tenant_subscription_id", "tenant", "subscription", "id"),
    # Due deliveries are picked across tenants by the one webhook sender.
    sa.Index("ix_deliveries_state_next_at", "state", "next_at"),
    sqlite_autoincrement=True,
)
