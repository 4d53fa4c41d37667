"""Merging duplicate customer records: what the kept record gains, what the duplicate keeps."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from frontdesk.domain.customers import Customer


def combined(keep: Customer, duplicate: Customer, at: datetime) -> Customer:
    """``keep`` with everything ``duplicate`` knows that ``keep`` does not.

    Phones, e-mails and languages are united (``keep``'s first). Messenger ids and custom
    fields are united with ``keep``'s value winning for a network or field both have.
    Empty scalar fields (company, category, status, manager) are filled from the
    duplicate; ``vip`` and ``blacklisted`` hold when either record says so, since both
    records describe the same person.
    """
    return dataclasses.replace(
        keep,
        company=keep.company or duplicate.company,
        category=keep.category or duplicate.category,
        status=keep.status or duplicate.status,
        manager=keep.manager or duplicate.manager,
        vip=keep.vip or duplicate.vip,
        blacklisted=keep.blacklisted or duplicate.blacklisted,
        languages=keep.languages | duplicate.languages,
        phones=tuple(dict.fromkeys((*keep.phones, *duplicate.phones))),
        emails=tuple(dict.fromkeys((*keep.emails, *duplicate.emails))),
        messenger_ids={**duplicate.messenger_ids, **keep.messenger_ids},
        fields={**duplicate.fields, **keep.fields},
        updated_at=at,
    )


def tombstone(duplicate: Customer, keep: Customer, at: datetime) -> Customer:
    """The duplicate as stored after the merge: no identities, pointing at ``keep``."""
    return dataclasses.replace(
        duplicate,
        phones=(),
        emails=(),
        messenger_ids={},
        merged_into=keep.id,
        updated_at=at,
    )


def snapshot(customer: Customer) -> dict[str, Any]:
    """The record as JSON-ready values, for the audit log."""
    return {
        "id": customer.id,
        "name": customer.name,
        "company": customer.company,
        "category": customer.category,
        "status": customer.status,
        "manager": customer.manager,
        "vip": customer.vip,
        "blacklisted": customer.blacklisted,
        "languages": sorted(customer.languages),
        "phones": list(customer.phones),
        "emails": list(customer.emails),
        "messenger_ids": dict(customer.messenger_ids),
        "fields": dict(customer.fields),
        "merged_into": customer.merged_into,
    }
