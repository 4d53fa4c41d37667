"""Scheduled callbacks. Agents see and manage their own; supervisors everyone's."""

from __future__ import annotations

from fastapi import APIRouter

from frontdesk.domain.callbacks import Callback, CallbackState
from frontdesk.domain.errors import NotFoundError, ValidationError
from frontdesk.domain.ids import AgentId, ContactId, CustomerId, QueueId
from frontdesk.domain.phones import normalize_phone
from frontdesk.services.auth import Forbidden, Principal
from frontdesk.services.ids import new_id
from frontdesk.web.auth import Caller, FrontdeskDep
from frontdesk.web.schemas import CallbackIn, CallbackOut, many

router = APIRouter(prefix="/callbacks", tags=["callbacks"])
ALL = "callbacks.read"


def own_agent(principal: Principal) -> AgentId:
    """The caller's agent profile, for a caller who may handle only their own callbacks."""
    principal.require("callbacks.own")
    if principal.agent is None:
        raise Forbidden(f"{principal.actor} has no agent profile", permission=ALL)
    return principal.agent


@router.get("")
async def list_callbacks(
    principal: Caller,
    frontdesk: FrontdeskDep,
    state: CallbackState | None = None,
    agent: str | None = None,
    customer: str | None = None,
) -> list[CallbackOut]:
    """Callbacks by due time; an agent gets only their own."""
    for_agent = AgentId(agent) if agent else None
    if not principal.can(ALL):
        mine = own_agent(principal)
        if for_agent not in (None, mine):
            raise Forbidden(f"{principal.actor} may see only their own callbacks", permission=ALL)
        for_agent = mine
    async with frontdesk.store.transaction() as tx:
        found = await tx.callbacks.all(
            principal.tenant,
            state=state,
            customer=CustomerId(customer) if customer else None,
            agent=for_agent,
        )
    return many(CallbackOut, found)


@router.post("", status_code=201)
async def schedule(body: CallbackIn, principal: Caller, frontdesk: FrontdeskDep) -> CallbackOut:
    """Promise to call a number back at ``due_at``: for an agent, or for anyone in a
    queue. An agent schedules for themself (by default) or for a queue."""
    agent = AgentId(body.agent) if body.agent else None
    if not principal.can(ALL):
        mine = own_agent(principal)
        if agent not in (None, mine):
            raise Forbidden(f"{principal.actor} may schedule only their own callbacks")
        if body.queue is None:
            agent = mine
    phone = normalize_phone(body.number, frontdesk.crm.default_region)
    if phone.e164 is None:
        raise ValidationError(
            f"number: {phone.problem}", code="callback.invalid_number", field="number"
        )
    callback = Callback(
        id=new_id(),
        tenant=principal.tenant,
        number=phone.e164,
        due_at=body.due_at,
        created_at=frontdesk.clock.now(),
        contact=ContactId(body.contact) if body.contact else None,
        customer=CustomerId(body.customer) if body.customer else None,
        agent=agent,
        queue=QueueId(body.queue) if body.queue else None,
        note=body.note,
        created_by=principal.actor,
    )
    desk = frontdesk.dispatcher.desk(principal.tenant)
    return CallbackOut.model_validate(await desk.schedule_callback(callback))


@router.post("/{callback_id}/cancel")
async def cancel(callback_id: str, principal: Caller, frontdesk: FrontdeskDep) -> CallbackOut:
    async with frontdesk.store.transaction() as tx:
        callback = await tx.callbacks.get(principal.tenant, callback_id)
    if callback is None or (not principal.can(ALL) and callback.agent != own_agent(principal)):
        raise NotFoundError(f"callback {callback_id} does not exist", code="callback.not_found")
    cancelled = await frontdesk.dispatcher.desk(principal.tenant).cancel_callback(callback_id)
    return CallbackOut.model_validate(cancelled)
