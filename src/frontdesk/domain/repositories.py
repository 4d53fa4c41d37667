"""The store port: repositories inside one transaction.

Services see only these Protocols; ``frontdesk.storage`` implements them in memory and
on SQLAlchemy (SQLite, PostgreSQL), and one contract test suite holds every
implementation to the same behaviour. Every method takes the tenant: a row of one
tenant is never visible through another.

A transaction is all or nothing: ``async with store.transaction() as tx`` commits when
the block ends and rolls back everything on an exception. Events appended to
``tx.events`` get their ``seq`` at commit and are returned by ``tx.committed`` for
publishing *after* the commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from frontdesk.domain.agents import Agent
from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.callbacks import Callback, CallbackState
from frontdesk.domain.contacts import ContactState
from frontdesk.domain.customers import Activity, Customer, Identity, Note, Purchase
from frontdesk.domain.events import Event, StoredEvent
from frontdesk.domain.handling import LiveContact
from frontdesk.domain.ids import AgentId, ContactId, CustomerId, QueueId, TenantId
from frontdesk.domain.scenarios import ScenarioVersion
from frontdesk.domain.users import ApiToken, Session, User


@dataclass(frozen=True, slots=True)
class Tenant:
    id: TenantId
    name: str
    timezone: str = "Europe/Moscow"
    locale: str = "ru"
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ContactFilter:
    """Contact search. Every set field must match; results newest first.

    ``agent`` is the agent the contact is with (or was with last), ``queue`` the queue it
    was routed to last (a transfer to a queue changes it).
    """

    states: frozenset[ContactState] = frozenset()
    customer: CustomerId | None = None
    agent: AgentId | None = None
    queue: QueueId | None = None
    channel: str | None = None
    ani: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100
    offset: int = 0


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Audit log search. Every set field must match: ``actor``, ``kind``, ``action`` and
    ``key`` exactly; ``since`` inclusive and ``until`` exclusive; no action of
    ``skip_actions`` (sign-ins, to read the changes only)."""

    actor: str | None = None
    kind: str | None = None
    action: str | None = None
    key: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    skip_actions: frozenset[str] = frozenset()

    def matches(self, entry: AuditEntry) -> bool:
        return (
            (self.actor is None or entry.actor == self.actor)
            and (self.kind is None or entry.kind == self.kind)
            and (self.action is None or entry.action == self.action)
            and (self.key is None or entry.key == self.key)
            and (self.since is None or entry.at >= self.since)
            and (self.until is None or entry.at < self.until)
            and entry.action not in self.skip_actions
        )


#: The filter every entry matches.
EVERY_ENTRY = AuditFilter()


class Tenants(Protocol):
    async def get(self, tenant: TenantId) -> Tenant | None: ...
    async def put(self, tenant: Tenant) -> None: ...
    async def all(self) -> list[Tenant]: ...


class Contacts(Protocol):
    async def add(self, live: LiveContact) -> None:
        """ConflictError ``contact.exists`` if the id is taken."""

    async def get(self, tenant: TenantId, contact: ContactId) -> LiveContact | None: ...
    async def put(self, live: LiveContact) -> None:
        """Replace a stored contact; NotFoundError ``contact.not_found`` if absent."""

    async def by_idempotency_key(self, tenant: TenantId, key: str) -> LiveContact | None: ...
    async def in_states(
        self, tenant: TenantId, states: frozenset[ContactState]
    ) -> list[LiveContact]:
        """Every contact in one of ``states``, in arrival order (for recovery)."""

    async def search(self, tenant: TenantId, where: ContactFilter) -> list[LiveContact]: ...
    async def count(self, tenant: TenantId, where: ContactFilter) -> int:
        """How many contacts match ``where``, whatever its limit and offset."""


class EventLog(Protocol):
    def append(self, event: Event) -> None:
        """Queue an event to be written with this transaction (no I/O until commit)."""

    async def for_contact(self, tenant: TenantId, contact: ContactId) -> list[StoredEvent]: ...
    async def since(self, tenant: TenantId, seq: int, limit: int = 1000) -> list[StoredEvent]: ...

    async def hold(self) -> None:
        """Until this transaction ends, no other one commits events: what it reads is
        consistent with the log's last seq (for realtime snapshots)."""

    @property
    def committed(self) -> list[StoredEvent]:
        """The events written by this transaction, with their seq; valid after commit."""


class Agents(Protocol):
    async def get(self, tenant: TenantId, agent: AgentId) -> Agent | None: ...
    async def put(self, agent: Agent) -> None:
        """Insert or replace, profile and live state together."""

    async def delete(self, tenant: TenantId, agent: AgentId) -> None: ...
    async def all(self, tenant: TenantId) -> list[Agent]: ...


class Customers(Protocol):
    async def get(self, tenant: TenantId, customer: CustomerId) -> Customer | None: ...
    async def put(self, customer: Customer) -> None:
        """Insert or replace. ConflictError ``customer.identity_taken`` when one of its
        phones, e-mails or messenger ids belongs to another (unmerged) customer."""

    async def find(self, tenant: TenantId, identity: Identity) -> Customer | None:
        """The unmerged customer with this identity (values as normalised on store)."""

    async def with_field(self, tenant: TenantId, name: str, value: str) -> Customer | None:
        """The unmerged customer whose own field ``name`` is ``value`` (a contract number
        a caller keys in); the first by id when several are."""

    async def search(self, tenant: TenantId, text: str, limit: int = 20) -> list[Customer]:
        """Fuzzy search over name, company, phones and e-mails, best match first."""

    async def all(self, tenant: TenantId, limit: int = 1000, offset: int = 0) -> list[Customer]:
        """Unmerged customers ordered by id."""

    async def add_purchase(self, tenant: TenantId, purchase: Purchase) -> None: ...
    async def purchases(
        self, tenant: TenantId, customer: CustomerId, limit: int = 20
    ) -> list[Purchase]:
        """Newest first."""

    async def add_note(self, tenant: TenantId, note: Note) -> None: ...
    async def notes(
        self, tenant: TenantId, customer: CustomerId, limit: int = 50
    ) -> list[Note]: ...
    async def add_activity(self, tenant: TenantId, activity: Activity) -> None: ...
    async def activities(
        self, tenant: TenantId, customer: CustomerId, limit: int = 50
    ) -> list[Activity]:
        """The interaction history, newest first."""

    async def reassign(self, tenant: TenantId, source: CustomerId, target: CustomerId) -> None:
        """Move purchases, notes and activities of ``source`` to ``target`` (a merge)."""


class Documents(Protocol):
    """Configuration documents by kind and key: queues, access points, calendars, lists,
    dispositions, not-ready reasons, categories, webhook subscriptions, settings.
    The body is the JSON-ready specification the API accepts."""

    async def get(self, tenant: TenantId, kind: str, key: str) -> Mapping[str, Any] | None: ...
    async def put(self, tenant: TenantId, kind: str, key: str, body: Mapping[str, Any]) -> None: ...
    async def delete(self, tenant: TenantId, kind: str, key: str) -> bool: ...
    async def all(self, tenant: TenantId, kind: str) -> dict[str, Mapping[str, Any]]:
        """Every document of a kind, by key, keys sorted."""


class Scenarios(Protocol):
    async def add(self, version: ScenarioVersion) -> None: ...
    async def get(self, tenant: TenantId, version: int) -> ScenarioVersion | None: ...
    async def latest_version(self, tenant: TenantId) -> int:
        """0 when the tenant has none."""

    async def published(self, tenant: TenantId) -> ScenarioVersion | None:
        """The version published last."""

    async def mark_published(self, tenant: TenantId, version: int, at: datetime) -> None: ...
    async def all(self, tenant: TenantId) -> list[ScenarioVersion]: ...


class Users(Protocol):
    async def get(self, tenant: TenantId, user: str) -> User | None: ...
    async def by_username(self, tenant: TenantId, username: str) -> User | None: ...
    async def put(self, user: User) -> None:
        """Insert or replace; ConflictError ``user.exists`` if the username is taken."""

    async def all(self, tenant: TenantId) -> list[User]: ...
    async def add_session(self, session: Session) -> None: ...
    async def session(self, token_hash: str) -> Session | None: ...
    async def delete_session(self, token_hash: str) -> None: ...
    async def add_token(self, token: ApiToken) -> None: ...
    async def token(self, token_hash: str) -> ApiToken | None: ...
    async def tokens(self, tenant: TenantId) -> list[ApiToken]: ...
    async def revoke_token(self, tenant: TenantId, token: str) -> bool: ...


class Callbacks(Protocol):
    async def put(self, callback: Callback) -> None: ...
    async def get(self, tenant: TenantId, callback: str) -> Callback | None: ...
    async def all(
        self,
        tenant: TenantId,
        state: CallbackState | None = None,
        customer: CustomerId | None = None,
        agent: AgentId | None = None,
    ) -> list[Callback]:
        """Ordered by due time."""  # fmt: skip


class Audit(Protocol):
    async def add(self, entry: AuditEntry) -> None: ...
    async def all(
        self,
        tenant: TenantId,
        limit: int = 100,
        offset: int = 0,
        where: AuditFilter = EVERY_ENTRY,
    ) -> list[AuditEntry]:
        """The entries ``where`` matches, newest first, with their seq."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """An outgoing webhook call: an event for a subscription, retried until it succeeds."""

    id: int
    tenant: TenantId
    subscription: str
    event: StoredEvent
    attempts: int
    next_at: datetime
    state: str  # pending, delivered, failed
    last_error: str = ""


class Deliveries(Protocol):
    async def add(
        self, tenant: TenantId, subscription: str, event: StoredEvent, at: datetime
    ) -> None: ...
    async def due(self, now: datetime, limit: int = 100) -> list[Delivery]:
        """Pending deliveries of every tenant whose time has come, oldest first."""

    async def update(self, delivery: Delivery) -> None: ...
    async def all(self, tenant: TenantId, subscription: str, limit: int = 50) -> list[Delivery]: ...


class Transaction(Protocol):
    tenants: Tenants
    contacts: Contacts
    events: EventLog
    agents: Agents
    customers: Customers
    documents: Documents
    scenarios: Scenarios
    users: Users
    callbacks: Callbacks
    audit: Audit
    deliveries: Deliveries


class Store(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[Transaction]: ...
    async def close(self) -> None: ...
