"""Stage 2, enrichment: who is this customer? Routing never waits on a slow CRM.

The look-up runs with a deadline; a CRM that is slow, down or broken yields
``CrmStatus.UNAVAILABLE`` and the contact is routed without CRM data (the card says so).
"""

from __future__ import annotations

import asyncio
import logging

from frontdesk.domain.channels import Channel
from frontdesk.domain.contacts import Contact
from frontdesk.domain.customers import CustomerProfile, Identity, IdentityKind
from frontdesk.domain.handling import CrmStatus
from frontdesk.domain.ports import Crm

log = logging.getLogger(__name__)

_KIND = {
    Channel.VOICE: IdentityKind.PHONE,
    Channel.SMS: IdentityKind.PHONE,
    Channel.CALLBACK: IdentityKind.PHONE,
    Channel.EMAIL: IdentityKind.EMAIL,
    Channel.MESSENGER: IdentityKind.MESSENGER,
    Channel.SOCIAL: IdentityKind.MESSENGER,
}


def identity_of(contact: Contact) -> Identity | None:
    """How the contact names its customer: its number, address or messenger id."""
    kind = _KIND.get(contact.channel)
    if kind is None:  # web forms, chats: whatever the sender looks like
        if contact.ani.startswith("+"):
            kind = IdentityKind.PHONE
        elif "@" in contact.ani:
            kind = IdentityKind.EMAIL
        else:
            return None
    return Identity(kind, contact.ani)


async def look_up(
    crm: Crm, contact: Contact, timeout: float
) -> tuple[CustomerProfile | None, CrmStatus]:
    identity = identity_of(contact)
    if identity is None:
        return None, CrmStatus.NOT_FOUND
    try:
        async with asyncio.timeout(timeout):
            profile = await crm.find(contact.tenant, identity)
    except TimeoutError:
        log.warning("CRM look-up for contact %s took longer than %.2fs", contact.id, timeout)
        return None, CrmStatus.UNAVAILABLE
    except Exception:  # a broken CRM adapter must not stop the contact
        log.exception("CRM look-up for contact %s failed", contact.id)
        return None, CrmStatus.UNAVAILABLE
    return profile, CrmStatus.FOUND if profile is not None else CrmStatus.NOT_FOUND
