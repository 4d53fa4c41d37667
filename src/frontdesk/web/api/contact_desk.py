"""What the agent's desktop reads and writes about a contact: the screen pop, the written
conversation, the customer it belongs to.

Reading needs what reading the contact needs (supervisors: any; agents: the contacts
offered to or served by them). A message from a session is the serving agent's
(``out``); one from an API token holding ``contacts.submit`` is the customer's words as
an integration delivers them (``in``). The customer is linked by the agent serving the
contact or by a supervisor.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from frontdesk.domain.ids import AgentId, ContactId, CustomerId
from frontdesk.services.auth import Forbidden, Principal
from frontdesk.services.conversations import Direction, conversation
from frontdesk.web.api.contacts import visible
from frontdesk.web.auth import Caller, FrontdeskDep
from frontdesk.web.schemas import ContactOut, CustomerLinkIn, MessageIn, MessageOut, many
from frontdesk.web.screen_pop import screen_pop

router = APIRouter(prefix="/contacts/{contact_id}", tags=["contacts"])


@router.get("/card")
async def card(contact_id: str, principal: Caller, frontdesk: FrontdeskDep) -> dict[str, Any]:
    """The screen pop, as the agent stream sends it with an offer: the contact, how it
    came (channel, number, access point, line, IVR path, digits, wait), what the
    scenario chose (greeting, card, script) and the customer's card (``customer``: null
    when unknown; ``crm`` says whether the CRM was unavailable)."""
    live, _ = await visible(frontdesk, principal, contact_id)
    return await screen_pop(frontdesk, live)


@router.get("/messages")
async def messages(contact_id: str, principal: Caller, frontdesk: FrontdeskDep) -> list[MessageOut]:
    """The written conversation, oldest first: the text (and subject) the contact arrived
    with, then every message."""
    live, events = await visible(frontdesk, principal, contact_id)
    return many(MessageOut, conversation(live.contact, events))


@router.post("/messages", status_code=201)
async def add_message(
    contact_id: str, body: MessageIn, principal: Caller, frontdesk: FrontdeskDep
) -> MessageOut:
    """Add a message: the serving agent's reply (a session), or the customer's words
    delivered by an integration (an API token with ``contacts.submit``). Channel
    adapters deliver the agent's replies by following the ``contact.message`` events."""
    desk = frontdesk.dispatcher.desk(principal.tenant)
    if principal.kind == "token":
        principal.require("contacts.submit")
        message = await desk.add_message(
            ContactId(contact_id), Direction.IN, body.text, principal.actor
        )
    else:
        agent = _own_agent(principal, "write to the customer")
        message = await desk.add_message(
            ContactId(contact_id), Direction.OUT, body.text, principal.actor, agent_id=agent
        )
    return MessageOut.model_validate(message)


@router.post("/customer")
async def link_customer(
    contact_id: str, body: CustomerLinkIn, principal: Caller, frontdesk: FrontdeskDep
) -> ContactOut:
    """Record that the contact is this customer's (a record just created for an unknown
    number, or one found by search): the card shows them, and the contact goes into
    their history when it closes."""
    desk = frontdesk.dispatcher.desk(principal.tenant)
    agent = None if principal.can("contacts.write") else _own_agent(principal, "link customers")
    live = await desk.link_customer(
        ContactId(contact_id), CustomerId(body.customer), by=principal.actor, agent_id=agent
    )
    return ContactOut.of(live)


def _own_agent(principal: Principal, what: str) -> AgentId:
    """The caller's agent profile, which must be serving the contact to ``what``."""
    principal.require("contacts.own")
    if principal.agent is None:
        raise Forbidden(f"{principal.actor} has no agent profile to {what} with")
    return principal.agent
