"""Reading contacts: the list, one contact, and its timeline of stored events.

Supervisors read every contact of the tenant; an agent reads only the contacts offered
to them or served by them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import FileResponse
from pydantic import AwareDatetime

from frontdesk.domain.channels import Channel
from frontdesk.domain.contacts import ContactState
from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.events import StoredEvent
from frontdesk.domain.handling import LiveContact
from frontdesk.domain.ids import AgentId, ContactId, CustomerId, QueueId
from frontdesk.domain.repositories import ContactFilter
from frontdesk.services.auth import Forbidden, Principal
from frontdesk.services.intake import sender_address
from frontdesk.web.auth import Caller, FrontdeskDep, require
from frontdesk.web.container import Frontdesk
from frontdesk.web.schemas import ContactOut, EventOut, many

router = APIRouter(prefix="/contacts", tags=["contacts"])
MAX_PAGE = 500
TOTAL_HEADER = "X-Total-Count"
COUNTED: dict[int | str, dict[str, Any]] = {
    200: {
        "headers": {
            TOTAL_HEADER: {
                "description": "how many contacts match the filters, on every page",
                "schema": {"type": "integer"},
            }
        }
    }
}


@router.get("", responses=COUNTED)
async def list_contacts(
    response: Response,
    principal: Annotated[Principal, Depends(require("contacts.read"))],
    frontdesk: FrontdeskDep,
    state: Annotated[list[ContactState] | None, Query()] = None,
    customer: str | None = None,
    agent: str | None = None,
    queue: Annotated[str | None, Query(description="the queue it was routed to last")] = None,
    channel: Channel | None = None,
    ani: Annotated[str | None, Query(description="a phone number, however written")] = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[ContactOut]:
    """Contacts matching every filter given, newest first; the X-Total-Count header says
    how many match in all."""
    where = ContactFilter(
        states=frozenset(state or ()),
        customer=CustomerId(customer) if customer else None,
        agent=AgentId(agent) if agent else None,
        queue=QueueId(queue) if queue else None,
        channel=channel.value if channel else None,
        ani=sender_address(Channel.VOICE, ani)[0] if ani else None,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )
    async with frontdesk.store.transaction() as tx:
        found = await tx.contacts.search(principal.tenant, where)
        total = await tx.contacts.count(principal.tenant, where)
    response.headers[TOTAL_HEADER] = str(total)
    return [ContactOut.of(live) for live in found]


def may_read(principal: Principal, live: LiveContact, events: list[StoredEvent]) -> bool:
    """Whether the caller may see this contact: supervisors see every contact, an agent
    the contacts offered to them or served by them."""
    if principal.can("contacts.read"):
        return True
    me = principal.agent
    return (
        principal.can("contacts.own")
        and me is not None
        and (
            live.handling.agent == me
            or any(segment.agent == me for segment in live.contact.segments)
            or any(event.agent == me for event in events)
        )
    )


async def visible(
    frontdesk: Frontdesk, principal: Principal, contact_id: str
) -> tuple[LiveContact, list[StoredEvent]]:
    """The contact and its events, if the caller may see them."""
    tenant, key = principal.tenant, ContactId(contact_id)
    async with frontdesk.store.transaction() as tx:
        live = await tx.contacts.get(tenant, key)
        events = await tx.events.for_contact(tenant, key) if live is not None else []
    if live is None:
        raise NotFoundError(f"contact {contact_id} does not exist", code="contact.not_found")
    if not may_read(principal, live, events):
        principal.require("contacts.own")
        raise Forbidden(
            f"contact {contact_id} was never offered to {principal.actor}",
            permission="contacts.read",
        )
    return live, events


@router.get("/{contact_id}")
async def get_contact(contact_id: str, principal: Caller, frontdesk: FrontdeskDep) -> ContactOut:
    live, _ = await visible(frontdesk, principal, contact_id)
    return ContactOut.of(live)


@router.get(
    "/{contact_id}/recording",
    response_class=FileResponse,
    responses={200: {"content": {"audio/wav": {}}, "description": "the call, in stereo"}},
)
async def recording(
    contact_id: str,
    principal: Annotated[Principal, Depends(require("recordings.listen"))],
    frontdesk: FrontdeskDep,
) -> FileResponse:
    """The call's recording as a WAV file (caller left, agent right), for supervisors."""
    live, _ = await visible(frontdesk, principal, contact_id)
    folder, name = frontdesk.settings.recordings, live.handling.recording
    path = Path(folder, name).resolve() if folder and name else None
    if (
        path is None
        or not path.is_relative_to(Path(folder or "/").resolve())
        or not (path.is_file())
    ):
        raise NotFoundError(f"contact {contact_id} has no recording", code="recording.not_found")
    return FileResponse(path, media_type="audio/wav", filename=f"{contact_id}.wav")


@router.get("/{contact_id}/timeline")
async def timeline(contact_id: str, principal: Caller, frontdesk: FrontdeskDep) -> list[EventOut]:
    """Every stored event of the contact, oldest first, with the routing explanation."""
    _, events = await visible(frontdesk, principal, contact_id)
    return many(EventOut, events)
