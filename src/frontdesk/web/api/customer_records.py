"""A customer's card, purchases, notes and interaction history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from frontdesk.domain.customers import Purchase
from frontdesk.domain.ids import ContactId, CustomerId
from frontdesk.services.auth import Principal
from frontdesk.services.ids import new_id
from frontdesk.web.auth import FrontdeskDep, require
from frontdesk.web.schemas import (
    ActivityOut,
    CardOut,
    NoteIn,
    NoteOut,
    PurchaseIn,
    PurchaseOut,
    many,
)

router = APIRouter(prefix="/customers/{customer_id}", tags=["customers"])
Reader = Annotated[Principal, Depends(require("customers.read"))]
Writer = Annotated[Principal, Depends(require("customers.write"))]


@router.get("/card")
async def card(customer_id: str, principal: Reader, frontdesk: FrontdeskDep) -> CardOut:
    """What an agent sees: the customer, last purchases and activities, notes, and the
    callbacks still pending."""
    return CardOut.model_validate(
        await frontdesk.crm.card(principal.tenant, CustomerId(customer_id))
    )


@router.post("/purchases", status_code=201)
async def add_purchase(
    customer_id: str, body: PurchaseIn, principal: Writer, frontdesk: FrontdeskDep
) -> PurchaseOut:
    purchase = Purchase(
        id=new_id(),
        customer=CustomerId(customer_id),
        at=body.at or frontdesk.clock.now(),
        amount=body.amount,
        currency=body.currency,
        description=body.description,
        order_no=body.order_no,
    )
    return PurchaseOut.model_validate(await frontdesk.crm.add_purchase(principal.tenant, purchase))


@router.post("/notes", status_code=201)
async def add_note(
    customer_id: str, body: NoteIn, principal: Writer, frontdesk: FrontdeskDep
) -> NoteOut:
    note = await frontdesk.crm.add_note(
        principal.tenant,
        CustomerId(customer_id),
        body.text,
        author=principal.name,
        contact=ContactId(body.contact) if body.contact else None,
    )
    return NoteOut.model_validate(note)


@router.get("/history")
async def history(
    customer_id: str,
    principal: Reader,
    frontdesk: FrontdeskDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[ActivityOut]:
    """The interaction history on every channel, newest first."""
    found = await frontdesk.crm.history(principal.tenant, CustomerId(customer_id), limit)
    return many(ActivityOut, found)
