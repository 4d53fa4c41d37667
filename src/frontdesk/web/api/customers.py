"""Customers of the built-in CRM: search, create, read, update, merge duplicates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from frontdesk.domain.customers import Customer
from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.ids import AgentId, CustomerId, TenantId
from frontdesk.services.auth import Principal
from frontdesk.services.ids import new_id
from frontdesk.web.auth import FrontdeskDep, require
from frontdesk.web.container import Frontdesk
from frontdesk.web.schemas import CustomerIn, CustomerOut, MergeIn, many

router = APIRouter(prefix="/customers", tags=["customers"])
Reader = Annotated[Principal, Depends(require("customers.read"))]
Writer = Annotated[Principal, Depends(require("customers.write"))]


def record(body: CustomerIn, tenant: TenantId, customer_id: str) -> Customer:
    return Customer(
        id=CustomerId(customer_id),
        tenant=tenant,
        name=body.name,
        company=body.company,
        category=body.category,
        status=body.status,
        manager=AgentId(body.manager) if body.manager else None,
        vip=body.vip,
        blacklisted=body.blacklisted,
        languages=frozenset(body.languages),
        phones=tuple(body.phones),
        emails=tuple(body.emails),
        messenger_ids=dict(body.messenger_ids),
        fields=dict(body.fields),
    )


async def existing(frontdesk: Frontdesk, principal: Principal, customer_id: str) -> Customer:
    customer = await frontdesk.crm.get(principal.tenant, CustomerId(customer_id))
    if customer is None:
        raise NotFoundError(f"no customer {customer_id!r}", code="customer.not_found")
    return customer


@router.get("")
async def search(
    principal: Reader,
    frontdesk: FrontdeskDep,
    q: Annotated[str, Query(max_length=256, description="name, company, phone, e-mail")] = "",
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
    offset: Annotated[int, Query(ge=0, description="without q only")] = 0,
) -> list[CustomerOut]:
    """Customers matching ``q``, best first; without ``q``, every customer by id."""
    if q.strip():
        found = await frontdesk.crm.search(principal.tenant, q, limit)
    else:
        async with frontdesk.store.transaction() as tx:
            found = await tx.customers.all(principal.tenant, limit=limit, offset=offset)
    return many(CustomerOut, found)


@router.post("", status_code=201)
async def create(body: CustomerIn, principal: Writer, frontdesk: FrontdeskDep) -> CustomerOut:
    """A new customer; phones are stored in E.164 and e-mails normalised."""
    customer = await frontdesk.crm.upsert(record(body, principal.tenant, new_id()))
    return CustomerOut.model_validate(customer)


@router.get("/{customer_id}")
async def get_customer(customer_id: str, principal: Reader, frontdesk: FrontdeskDep) -> CustomerOut:
    """The record as stored; a merged one names the record it went into (``merged_into``)."""
    return CustomerOut.model_validate(await existing(frontdesk, principal, customer_id))


@router.put("/{customer_id}")
async def update(
    customer_id: str, body: CustomerIn, principal: Writer, frontdesk: FrontdeskDep
) -> CustomerOut:
    """Replace the customer's fields."""
    await existing(frontdesk, principal, customer_id)
    customer = await frontdesk.crm.upsert(record(body, principal.tenant, customer_id))
    return CustomerOut.model_validate(customer)


@router.post("/{customer_id}/merge")
async def merge(
    customer_id: str, body: MergeIn, principal: Writer, frontdesk: FrontdeskDep
) -> CustomerOut:
    """Merge the ``duplicate`` into this customer, who keeps everything both knew."""
    kept = await frontdesk.crm.merge(
        principal.tenant, CustomerId(customer_id), CustomerId(body.duplicate), principal.actor
    )
    return CustomerOut.model_validate(kept)
