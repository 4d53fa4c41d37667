"""Ports: what the core and the services need from the world, as Protocols.

The store's repositories are in :mod:`frontdesk.domain.repositories`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from frontdesk.domain.customers import Activity, Customer, CustomerProfile, Identity
from frontdesk.domain.events import StoredEvent
from frontdesk.domain.ids import CustomerId, TenantId


class Clock(Protocol):
    """The only source of time. Live: the wall clock; simulation: virtual time."""

    def now(self) -> datetime: ...


class Crm(Protocol):
    """The CRM contract: the built-in CRM and every external adapter implement it.

    Enrichment calls ``find`` with a deadline and routes without CRM data when it does
    not answer in time; adapters therefore need not retry internally.
    """

    async def find(self, tenant: TenantId, identity: Identity) -> CustomerProfile | None:
        """The customer with this identity (E.164 phone, normalised e-mail ...), if any."""

    async def with_field(self, tenant: TenantId, name: str, value: str) -> CustomerProfile | None:
        """The customer whose field ``name`` is ``value``: a caller who keys in a contract
        number in a menu is identified by it."""

    async def get(self, tenant: TenantId, customer: CustomerId) -> Customer | None: ...

    async def upsert(self, customer: Customer) -> Customer:
        """Create or update; phones and e-mails are normalised; returns what is stored."""

    async def log_activity(self, tenant: TenantId, activity: Activity) -> None:
        """Add an entry to the customer's interaction history."""

    async def history(
        self, tenant: TenantId, customer: CustomerId, limit: int = 50
    ) -> list[Activity]:
        """The interaction history, newest first."""


class Publisher(Protocol):
    """Where committed events go: the bus. Called only after the commit."""

    async def publish(self, events: Sequence[StoredEvent]) -> None: ...
