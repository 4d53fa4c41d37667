"""Contacts submitted by web forms, chat widgets and other systems."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response

from frontdesk.domain.errors import ValidationError
from frontdesk.services.auth import Principal
from frontdesk.services.intake import Submission
from frontdesk.web.auth import FrontdeskDep, require
from frontdesk.web.schemas import ContactOut, InboundIn

router = APIRouter(tags=["contacts"])


@router.post(
    "/inbound",
    status_code=201,
    responses={200: {"model": ContactOut, "description": "Submitted before with this key"}},
)
async def submit(
    body: InboundIn,
    response: Response,
    principal: Annotated[Principal, Depends(require("contacts.submit"))],
    frontdesk: FrontdeskDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> ContactOut:
    """Store a new contact and start routing it.

    A sender that cannot be read (a malformed number) does not refuse the contact: it is
    kept as given and flagged in ``handling.errors``. Repeating a request with the same
    idempotency key (field or ``Idempotency-Key`` header) returns the stored contact.
    """
    if body.idempotency_key and idempotency_key and body.idempotency_key != idempotency_key:
        raise ValidationError(
            "the Idempotency-Key header and the idempotency_key field differ",
            code="inbound.idempotency_key_mismatch",
            field="idempotency_key",
        )
    submission = Submission(
        access_point=body.access_point,
        sender=body.sender,
        channel_data=body.channel_data,
        digits=body.digits,
        priority=body.priority,
        language=body.language,
        idempotency_key=body.idempotency_key or idempotency_key,
    )
    live, created = await frontdesk.dispatcher.submit(principal.tenant, submission)
    if not created:
        response.status_code = 200
    return ContactOut.of(live)
