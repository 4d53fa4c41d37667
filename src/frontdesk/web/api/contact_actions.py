"""What agents do with contacts: accept, reject, wrap up, transfer, consult; abandonment.

The agent acting is the caller's own agent profile. A supervisor may act for an agent
by naming them (``agent``); without a name, for the agent the contact is with.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from frontdesk.domain.errors import ConflictError, NotFoundError
from frontdesk.domain.handling import LiveContact
from frontdesk.domain.ids import AgentId, ContactId, QueueId
from frontdesk.services.auth import Forbidden, Principal
from frontdesk.services.desk import REJECTED, TenantDesk
from frontdesk.web.auth import Caller, FrontdeskDep, require
from frontdesk.web.container import Frontdesk
from frontdesk.web.schemas import (
    AgentRef,
    ConsultEndIn,
    ConsultIn,
    ContactOut,
    TransferIn,
    WrapUpIn,
)

router = APIRouter(prefix="/contacts/{contact_id}", tags=["contacts"])
Own = Annotated[Principal, Depends(require("contacts.own"))]


async def stored(frontdesk: Frontdesk, principal: Principal, contact_id: str) -> LiveContact:
    async with frontdesk.store.transaction() as tx:
        live = await tx.contacts.get(principal.tenant, ContactId(contact_id))
    if live is None:
        raise NotFoundError(f"contact {contact_id} does not exist", code="contact.not_found")
    return live


async def acting(
    frontdesk: Frontdesk, principal: Principal, contact_id: str, named: str | None
) -> tuple[TenantDesk, AgentId]:
    """The tenant's desk and the agent the caller acts as."""
    desk = frontdesk.dispatcher.desk(principal.tenant)
    if named is not None and named != principal.agent:
        principal.require("contacts.write")
        return desk, AgentId(named)
    if principal.agent is not None:
        return desk, principal.agent
    if not principal.can("contacts.write"):
        raise Forbidden(f"{principal.actor} has no agent profile to act as")
    holder = (await stored(frontdesk, principal, contact_id)).handling.agent
    if holder is None:
        raise ConflictError(
            f"contact {contact_id} is with no agent: name the agent to act for",
            code="contact.no_agent",
        )
    return desk, holder


@router.post("/accept")
async def accept(
    contact_id: str, principal: Own, frontdesk: FrontdeskDep, body: AgentRef | None = None
) -> ContactOut:
    """Accept the contact offered to the agent."""
    desk, agent = await acting(frontdesk, principal, contact_id, body.agent if body else None)
    return ContactOut.of(await desk.accept(agent, ContactId(contact_id)))


@router.post("/reject")
async def reject(
    contact_id: str, principal: Own, frontdesk: FrontdeskDep, body: AgentRef | None = None
) -> ContactOut:
    """Decline the offer: the contact keeps its place in line, the agent goes not ready."""
    desk, agent = await acting(frontdesk, principal, contact_id, body.agent if body else None)
    await desk.decline(agent, ContactId(contact_id), REJECTED)
    return ContactOut.of(await stored(frontdesk, principal, contact_id))


@router.post("/wrap-up")
async def wrap_up(
    contact_id: str, principal: Own, frontdesk: FrontdeskDep, body: WrapUpIn
) -> ContactOut:
    """End the conversation; again during wrap-up to change the disposition or note;
    ``close`` ends the wrap-up and writes the contact to the customer's history."""
    desk, agent = await acting(frontdesk, principal, contact_id, body.agent)
    live = await desk.wrap_up(
        agent, ContactId(contact_id), body.disposition, body.note, close=body.close
    )
    return ContactOut.of(live)


@router.post("/transfer")
async def transfer(
    contact_id: str, principal: Own, frontdesk: FrontdeskDep, body: TransferIn
) -> ContactOut:
    """Hand the contact to a queue or to another agent: a new segment of the contact."""
    desk, agent = await acting(frontdesk, principal, contact_id, None)
    live = await desk.transfer(
        agent,
        ContactId(contact_id),
        queue=QueueId(body.queue) if body.queue else None,
        to_agent=AgentId(body.agent) if body.agent else None,
        note=body.note,
    )
    return ContactOut.of(live)


@router.post("/consult")
async def consult(
    contact_id: str, principal: Own, frontdesk: FrontdeskDep, body: ConsultIn
) -> ContactOut:
    """Bring in a queue or an agent while staying on the contact (a consult segment)."""
    desk, agent = await acting(frontdesk, principal, contact_id, None)
    live = await desk.consult(
        agent,
        ContactId(contact_id),
        queue=QueueId(body.queue) if body.queue else None,
        to_agent=AgentId(body.agent) if body.agent else None,
    )
    return ContactOut.of(live)


@router.post("/consult/end")
async def end_consult(
    contact_id: str, principal: Own, frontdesk: FrontdeskDep, body: ConsultEndIn
) -> ContactOut:
    """End the consult: hand the contact over to the agent who joined, or keep it."""
    desk, agent = await acting(frontdesk, principal, contact_id, None)
    return ContactOut.of(
        await desk.end_consult(agent, ContactId(contact_id), hand_over=body.hand_over)
    )


@router.post("/abandon")
async def abandon(contact_id: str, principal: Caller, frontdesk: FrontdeskDep) -> ContactOut:
    """The customer left before being served. For supervisors, and for the API tokens
    of the systems that submit contacts."""
    principal.require("contacts.submit" if principal.kind == "token" else "contacts.write")
    desk = frontdesk.dispatcher.desk(principal.tenant)
    return ContactOut.of(await desk.abandon(ContactId(contact_id)))
