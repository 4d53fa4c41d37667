"""The built-in CRM's customers on SQL, with their identities, purchases, notes and
interaction history.

A customer is stored whole as JSON, with the searched fields as columns. The identities
(phones, e-mails, messenger ids) of unmerged customers are rows of
``customer_identities``, unique per tenant, which is how ``find`` avoids a scan and how
two customers are kept from sharing a phone.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from frontdesk.domain.customer_search import best_matches, query_terms, search_text, trigrams
from frontdesk.domain.customers import Activity, Customer, Identity, Note, Purchase
from frontdesk.domain.errors import ConflictError
from frontdesk.domain.ids import CustomerId, TenantId
from frontdesk.storage.sql.codec import dump, load
from frontdesk.storage.sql.connection import Statements
from frontdesk.storage.sql.tables import (
    activities,
    customer_identities,
    customers,
    notes,
    purchases,
)
from frontdesk.storage.sql.upsert import upsert

_identities = customer_identities


class SqlCustomers:
    def __init__(self, connection: Statements) -> None:
        self._connection = connection

    async def get(self, tenant: TenantId, customer: CustomerId) -> Customer | None:
        body = await self._connection.scalar(
            sa.select(customers.c.body).where(
                customers.c.tenant == tenant, customers.c.id == customer
            )
        )
        return None if body is None else load(body, Customer)

    async def put(self, customer: Customer) -> None:
        """Insert or replace. ConflictError ``customer.identity_taken`` when another
        unmerged customer has one of its identities; nothing is written then, and the
        transaction goes on."""
        claimed = customer.identities() if customer.merged_into is None else ()
        await self._check_identities(customer, claimed)
        try:
            # A savepoint: a concurrent transaction may claim an identity between the
            # check and the insert, and the failed insert must not end this transaction.
            async with self._connection.begin_nested():
                await self._write(customer, claimed)
        except IntegrityError:
            await self._check_identities(customer, claimed)
            raise

    async def _check_identities(self, customer: Customer, claimed: tuple[Identity, ...]) -> None:
        if not claimed:
            return
        wanted = {(str(identity.kind), identity.value) for identity in claimed}
        result = await self._connection.execute(
            sa.select(_identities.c.kind, _identities.c.value, _identities.c.customer).where(
                _identities.c.tenant == customer.tenant,
                _identities.c.value.in_(sorted({value for _, value in wanted})),
                _identities.c.customer != customer.id,
            )
        )
        for row in result:
            if (row.kind, row.value) in wanted:
                raise ConflictError(
                    f"{row.kind} {row.value} belongs to customer {row.customer}",
                    code="customer.identity_taken",
                    customer=row.customer,
                    identity=f"{row.kind}:{row.value}",
                )

    async def _write(self, customer: Customer, claimed: tuple[Identity, ...]) -> None:
        tenant = customer.tenant
        await self._connection.execute(
            sa.delete(_identities).where(
                _identities.c.tenant == tenant, _identities.c.customer == customer.id
            )
        )
        if claimed:
            await self._connection.execute(
                sa.insert(_identities),
                [
                    {
                        "tenant": tenant,
                        "kind": str(identity.kind),
                        "value": identity.value,
                        "customer": customer.id,
                    }
                    for identity in dict.fromkeys(claimed)
                ],
            )
        row = {
            "tenant": tenant,
            "id": customer.id,
            "name": customer.name,
            "company": customer.company,
            "category": customer.category,
            "status": customer.status,
            "manager": customer.manager,
            "vip": customer.vip,
            "blacklisted": customer.blacklisted,
            "merged_into": customer.merged_into,
            "search_text": search_text(customer),
            "body": dump(customer),
            "created_at": customer.created_at,
            "updated_at": customer.updated_at,
        }
        await upsert(self._connection, customers, row, ("tenant", "id"))

    async def find(self, tenant: TenantId, identity: Identity) -> Customer | None:
        body = await self._connection.scalar(
            sa.select(customers.c.body)
            .join(
                _identities,
                sa.and_(
                    _identities.c.tenant == customers.c.tenant,
                    _identities.c.customer == customers.c.id,
                ),
            )
            .where(
                _identities.c.tenant == tenant,
                _identities.c.kind == str(identity.kind),
                _identities.c.value == identity.value,
            )
        )
        return None if body is None else load(body, Customer)

    async def with_field(self, tenant: TenantId, name: str, value: str) -> Customer | None:
        # A scan of the tenant's customers: run for a caller's keyed-in number, not per
        # contact. The JSON path works alike on SQLite and PostgreSQL.
        body = await self._connection.scalar(
            sa.select(customers.c.body)
            .where(
                customers.c.tenant == tenant,
                customers.c.merged_into.is_(None),
                customers.c.body["fields"][name].as_string() == value,
            )
            .order_by(customers.c.id)
            .limit(1)
        )
        return None if body is None else load(body, Customer)

    async def search(self, tenant: TenantId, text: str, limit: int = 20) -> list[Customer]:
        """Ranked by :mod:`frontdesk.domain.customer_search`, among the unmerged customers
        whose search text holds at least one trigram of the query."""
        pieces = sorted(set().union(*(trigrams(term) for term in query_terms(text))))
        if not pieces:
            return []
        result = await self._connection.scalars(
            sa.select(customers.c.body).where(
                customers.c.tenant == tenant,
                customers.c.merged_into.is_(None),
                sa.or_(*(customers.c.search_text.contains(p, autoescape=True) for p in pieces)),
            )
        )
        return best_matches((load(body, Customer) for body in result), text, limit)

    async def all(self, tenant: TenantId, limit: int = 1000, offset: int = 0) -> list[Customer]:
        result = await self._connection.scalars(
            sa.select(customers.c.body)
            .where(customers.c.tenant == tenant, customers.c.merged_into.is_(None))
            .order_by(customers.c.id)
            .limit(limit)
            .offset(offset)
        )
        return [load(body, Customer) for body in result]

    async def add_purchase(self, tenant: TenantId, purchase: Purchase) -> None:
        await upsert(self._connection, purchases, _row(tenant, purchase), ("tenant", "id"))

    async def purchases(
        self, tenant: TenantId, customer: CustomerId, limit: int = 20
    ) -> list[Purchase]:
        """Newest first (ties by id, descending)."""
        result = await self._connection.execute(_newest(purchases, tenant, customer, limit))
        return [_record(Purchase, row) for row in result]

    async def add_note(self, tenant: TenantId, note: Note) -> None:
        await upsert(self._connection, notes, _row(tenant, note), ("tenant", "id"))

    async def notes(self, tenant: TenantId, customer: CustomerId, limit: int = 50) -> list[Note]:
        """Newest first (ties by id, descending)."""
        result = await self._connection.execute(_newest(notes, tenant, customer, limit))
        return [_record(Note, row) for row in result]

    async def add_activity(self, tenant: TenantId, activity: Activity) -> None:
        await upsert(self._connection, activities, _row(tenant, activity), ("tenant", "id"))

    async def activities(
        self, tenant: TenantId, customer: CustomerId, limit: int = 50
    ) -> list[Activity]:
        """The interaction history, newest first (ties by id, descending)."""
        result = await self._connection.execute(_newest(activities, tenant, customer, limit))
        return [_record(Activity, row) for row in result]

    async def reassign(self, tenant: TenantId, source: CustomerId, target: CustomerId) -> None:
        for table in (purchases, notes, activities):
            await self._connection.execute(
                sa.update(table)
                .where(table.c.tenant == tenant, table.c.customer == source)
                .values(customer=target)
            )


def _newest(table: sa.Table, tenant: TenantId, customer: CustomerId, limit: int) -> sa.Select[Any]:
    return (
        sa.select(table)
        .where(table.c.tenant == tenant, table.c.customer == customer)
        .order_by(table.c.at.desc(), table.c.id.desc())
        .limit(limit)
    )


R = TypeVar("R", Purchase, Note, Activity)


def _row(tenant: TenantId, record: Purchase | Note | Activity) -> dict[str, Any]:
    """A history record as its table's row: the columns are named after the fields."""
    return {"tenant": tenant, **{f.name: getattr(record, f.name) for f in fields(record)}}


def _record(kind: type[R], row: Row[Any]) -> R:
    return kind(**{f.name: getattr(row, f.name) for f in fields(kind)})
