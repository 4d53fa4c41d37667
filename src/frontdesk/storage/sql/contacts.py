"""Live contacts on SQL: the whole record as JSON, the searched fields as columns.

The statements a call runs at each step (get, put, add) are built once and take their
values as parameters: SQLAlchemy then compiles each once, and a statement costs its
execution alone, not its construction (a call makes some twenty of them).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from frontdesk.domain.contacts import ContactState
from frontdesk.domain.errors import ConflictError, NotFoundError
from frontdesk.domain.handling import LiveContact
from frontdesk.domain.ids import ContactId, TenantId
from frontdesk.domain.repositories import ContactFilter
from frontdesk.storage.sql.codec import dump, load
from frontdesk.storage.sql.connection import Statements
from frontdesk.storage.sql.tables import contacts

_THIS = (
    contacts.c.tenant == sa.bindparam("this_tenant"),
    contacts.c.id == sa.bindparam("this_id"),
)
_ADD = sa.insert(contacts)
_GET = sa.select(contacts.c.body).where(*_THIS)
_EXISTS = sa.select(contacts.c.id).where(*_THIS)
_PUT = sa.update(contacts).where(*_THIS)


class SqlContacts:
    def __init__(self, connection: Statements) -> None:
        self._connection = connection

    async def add(self, live: LiveContact) -> None:
        """ConflictError ``contact.exists`` if the id is taken, and
        ``contact.idempotency_key_taken`` if another contact has its idempotency key."""
        contact = live.contact
        if await self._connection.scalar(_EXISTS, _this(contact.tenant, contact.id)) is not None:
            raise ConflictError(
                f"contact {contact.id} already exists", code="contact.exists", contact=contact.id
            )
        await self._check_key(live)
        await self._connection.execute(_ADD, _row(live))

    async def get(self, tenant: TenantId, contact: ContactId) -> LiveContact | None:
        body = await self._connection.scalar(_GET, _this(tenant, contact))
        return None if body is None else load(body, LiveContact)

    async def put(self, live: LiveContact) -> None:
        contact = live.contact
        await self._check_key(live)
        result = await self._connection.execute(
            _PUT, {**_row(live), **_this(contact.tenant, contact.id)}
        )
        if result.rowcount == 0:
            raise NotFoundError(
                f"contact {contact.id} does not exist",
                code="contact.not_found",
                contact=contact.id,
            )

    async def by_idempotency_key(self, tenant: TenantId, key: str) -> LiveContact | None:
        body = await self._connection.scalar(
            sa.select(contacts.c.body).where(
                contacts.c.tenant == tenant, contacts.c.idempotency_key == key
            )
        )
        return None if body is None else load(body, LiveContact)

    async def in_states(
        self, tenant: TenantId, states: frozenset[ContactState]
    ) -> list[LiveContact]:
        """Every contact in one of ``states`` by arrival time, then id."""
        result = await self._connection.scalars(
            sa.select(contacts.c.body)
            .where(contacts.c.tenant == tenant, contacts.c.state.in_(sorted(map(str, states))))
            .order_by(contacts.c.arrived_at, contacts.c.id)
        )
        return [load(body, LiveContact) for body in result]

    async def search(self, tenant: TenantId, where: ContactFilter) -> list[LiveContact]:
        """Newest arrival first (ties by id, descending)."""
        query = _filtered(sa.select(contacts.c.body), tenant, where)
        result = await self._connection.scalars(
            query.order_by(contacts.c.arrived_at.desc(), contacts.c.id.desc())
            .limit(where.limit)
            .offset(where.offset)
        )
        return [load(body, LiveContact) for body in result]

    async def count(self, tenant: TenantId, where: ContactFilter) -> int:
        query = _filtered(sa.select(sa.func.count()).select_from(contacts), tenant, where)
        return int(await self._connection.scalar(query) or 0)

    async def _check_key(self, live: LiveContact) -> None:
        key = live.handling.idempotency_key
        if key is None:
            return
        holder = await self._holder(
            sa.and_(contacts.c.idempotency_key == key, contacts.c.id != live.contact.id),
            live.contact.tenant,
        )
        if holder is not None:
            raise ConflictError(
                f"idempotency key {key!r} already belongs to contact {holder}",
                code="contact.idempotency_key_taken",
                contact=holder,
            )

    async def _holder(self, condition: sa.ColumnElement[bool], tenant: TenantId) -> str | None:
        holder: str | None = await self._connection.scalar(
            sa.select(contacts.c.id).where(contacts.c.tenant == tenant, condition)
        )
        return holder


def _filtered(query: sa.Select[Any], tenant: TenantId, where: ContactFilter) -> sa.Select[Any]:
    """``query`` narrowed to the tenant's contacts that match ``where``."""
    query = query.where(contacts.c.tenant == tenant)
    if where.states:
        query = query.where(contacts.c.state.in_(sorted(map(str, where.states))))
    for column, value in (
        (contacts.c.customer, where.customer),
        (contacts.c.agent, where.agent),
        (contacts.c.queue, where.queue),
        (contacts.c.channel, where.channel),
        (contacts.c.ani, where.ani),
    ):
        if value is not None:
            query = query.where(column == value)
    if where.since is not None:
        query = query.where(contacts.c.arrived_at >= where.since)
    if where.until is not None:
        query = query.where(contacts.c.arrived_at < where.until)
    return query


def _this(tenant: TenantId, contact: ContactId) -> dict[str, str]:
    """The parameters of ``_THIS``: one contact of one tenant."""
    return {"this_tenant": tenant, "this_id": contact}


def _row(live: LiveContact) -> dict[str, Any]:
    contact = live.contact
    return {
        "tenant": contact.tenant,
        "id": contact.id,
        "state": str(contact.state),
        "channel": str(contact.channel),
        "ani": contact.ani,
        "customer": contact.customer,
        "agent": live.handling.agent,
        "queue": live.handling.queue,
        "arrived_at": contact.arrived_at,
        "idempotency_key": live.handling.idempotency_key,
        "body": dump(live),
    }
