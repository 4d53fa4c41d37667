"""Customers: the built-in CRM's record, and the profile routing sees of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from frontdesk.domain.ids import AgentId, ContactId, CustomerId, TenantId
from frontdesk.domain.phones import PhoneNumber


@dataclass(frozen=True, slots=True)
class CustomerProfile:
    """What the enrichment step hands to routing. The full CRM record lives in the CRM."""

    id: CustomerId
    name: str = ""
    category: str | None = None  # the company's own: VIP, regular, difficult, in-repair ...
    vip: bool = False
    status: str | None = None
    manager: AgentId | None = None  # personal manager
    blacklisted: bool = False
    languages: frozenset[str] = frozenset()
    phones: tuple[PhoneNumber, ...] = ()
    emails: tuple[str, ...] = ()
    messenger_ids: Mapping[str, str] = field(default_factory=dict)  # network -> id
    fields: Mapping[str, str] = field(default_factory=dict)  # company-defined attributes


class IdentityKind(StrEnum):
    """The ways a contact can name a customer: how intake finds who is calling."""

    PHONE = "phone"  # E.164
    EMAIL = "email"  # normalised address
    MESSENGER = "messenger"  # "network:id", e.g. "telegram:12345"
    EXTERNAL = "external"  # an id in another system


@dataclass(frozen=True, slots=True)
class Identity:
    kind: IdentityKind
    value: str


@dataclass(frozen=True, slots=True)
class Customer:
    """The built-in CRM's customer record.

    ``phones`` hold E.164 numbers and ``emails`` normalised addresses: the CRM adapter
    normalises before storing, so identities match however the number was written.
    ``merged_into`` marks a duplicate that was merged into another record; it is kept so
    old references still resolve.
    """

    id: CustomerId
    tenant: TenantId
    name: str
    company: str = ""
    category: str | None = None
    status: str | None = None
    manager: AgentId | None = None
    vip: bool = False
    blacklisted: bool = False
    languages: frozenset[str] = frozenset()
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    messenger_ids: Mapping[str, str] = field(default_factory=dict)  # network -> id
    fields: Mapping[str, str] = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    merged_into: CustomerId | None = None

    def identities(self) -> tuple[Identity, ...]:
        return (
            *(Identity(IdentityKind.PHONE, p) for p in self.phones),
            *(Identity(IdentityKind.EMAIL, e) for e in self.emails),
            *(Identity(IdentityKind.MESSENGER, f"{n}:{i}") for n, i in self.messenger_ids.items()),
        )

    def profile(self) -> CustomerProfile:
        """What routing sees of this customer."""
        return CustomerProfile(
            id=self.id,
            name=self.name,
            category=self.category,
            vip=self.vip or self.category == "VIP",
            status=self.status,
            manager=self.manager,
            blacklisted=self.blacklisted,
            languages=self.languages,
            phones=tuple(PhoneNumber(raw=p, e164=p, problem=None) for p in self.phones),
            emails=self.emails,
            messenger_ids=self.messenger_ids,
            fields=self.fields,
        )


@dataclass(frozen=True, slots=True)
class Purchase:
    """An order or purchase: what the agent sees as "last purchases" on the card."""

    id: str
    customer: CustomerId
    at: datetime
    amount: Decimal
    currency: str = "RUB"
    description: str = ""
    order_no: str = ""


@dataclass(frozen=True, slots=True)
class Note:
    id: str
    customer: CustomerId
    at: datetime
    text: str
    author: str = ""  # user name
    contact: ContactId | None = None


@dataclass(frozen=True, slots=True)
class Activity:
    """One entry of the customer's interaction history, on any channel."""

    id: str
    customer: CustomerId
    at: datetime
    channel: str
    summary: str = ""
    contact: ContactId | None = None
    direction: str = "inbound"  # inbound or outbound
    agent: AgentId | None = None
    disposition: str | None = None
