"""The store in memory, for tests and the simulator.

Tables are dicts of frozen records. Transactions run one at a time (an asyncio lock).
Each write in a transaction is journalled, and a transaction that raises undoes its
writes in reverse order, so it leaves nothing behind; rolling back costs the writes
of that transaction, not a copy of the store, which matters to the simulator's many
short transactions on a large store.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from frontdesk.domain.agents import Agent
from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.callbacks import Callback, CallbackState
from frontdesk.domain.contacts import ContactState
from frontdesk.domain.customer_search import best_matches
from frontdesk.domain.customers import Activity, Customer, Identity, Note, Purchase
from frontdesk.domain.errors import ConflictError, NotFoundError
from frontdesk.domain.events import Event, StoredEvent
from frontdesk.domain.handling import LiveContact
from frontdesk.domain.ids import AgentId, ContactId, CustomerId, TenantId
from frontdesk.domain.repositories import (
    EVERY_ENTRY,
    Agents,
    Audit,
    AuditFilter,
    Callbacks,
    ContactFilter,
    Contacts,
    Customers,
    Deliveries,
    Delivery,
    Documents,
    EventLog,
    Scenarios,
    Tenant,
    Tenants,
    Transaction,
    Users,
)
from frontdesk.domain.scenarios import ScenarioVersion
from frontdesk.domain.users import ApiToken, Session, User

__all__ = ["MemoryStore"]

K = TypeVar("K")
V = TypeVar("V")
_History = TypeVar("_History", Purchase, Note, Activity)


class _Journal:
    """The undo log of one transaction: every write goes through it."""

    def __init__(self) -> None:
        self._undo: list[Callable[[], object]] = []

    def set(self, table: dict[K, V], key: K, value: V) -> None:
        if key in table:
            old = table[key]
            self._undo.append(lambda: table.__setitem__(key, old))
        else:
            self._undo.append(lambda: table.pop(key))
        table[key] = value

    def discard(self, table: dict[K, V], key: K) -> None:
        if key in table:
            old = table.pop(key)
            self._undo.append(lambda: table.__setitem__(key, old))

    def undo(self) -> None:
        for step in reversed(self._undo):
            step()
        self._undo.clear()


@dataclass
class _Tables:
    tenants: dict[TenantId, Tenant] = field(default_factory=dict)
    contacts: dict[tuple[TenantId, ContactId], LiveContact] = field(default_factory=dict)
    idempotency_keys: dict[tuple[TenantId, str], ContactId] = field(default_factory=dict)
    agents: dict[tuple[TenantId, AgentId], Agent] = field(default_factory=dict)
    customers: dict[tuple[TenantId, CustomerId], Customer] = field(default_factory=dict)
    # The identities of unmerged customers: how ``find`` avoids a scan.
    identities: dict[tuple[TenantId, Identity], CustomerId] = field(default_factory=dict)
    purchases: dict[tuple[TenantId, str], Purchase] = field(default_factory=dict)
    notes: dict[tuple[TenantId, str], Note] = field(default_factory=dict)
    activities: dict[tuple[TenantId, str], Activity] = field(default_factory=dict)
    documents: dict[tuple[TenantId, str, str], Mapping[str, Any]] = field(default_factory=dict)
    scenarios: dict[tuple[TenantId, int], ScenarioVersion] = field(default_factory=dict)
    users: dict[tuple[TenantId, str], User] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    tokens: dict[tuple[TenantId, str], ApiToken] = field(default_factory=dict)
    callbacks: dict[tuple[TenantId, str], Callback] = field(default_factory=dict)
    audit: dict[int, AuditEntry] = field(default_factory=dict)  # by seq, from 1
    deliveries: dict[int, Delivery] = field(default_factory=dict)  # by id, from 1
    # Written only at commit, never rolled back: event ``n`` is ``events[n - 1]``.
    events: list[StoredEvent] = field(default_factory=list)
    contact_events: dict[tuple[TenantId, ContactId], list[StoredEvent]] = field(
        default_factory=dict
    )


class _Tenants:
    def __init__(self, tables: _Tables, journal: _Journal) -> None:
        self._tables = tables
        self._journal = journal

    async def get(self, tenant: TenantId) -> Tenant | None:
        return self._tables.tenants.get(tenant)

    async def put(self, tenant: Tenant) -> None:
        self._journal.set(self._tables.tenants, tenant.id, tenant)

    async def all(self) -> list[Tenant]:
        return sorted(self._tables.tenants.values(), key=lambda t: t.id)


def _matches(live: LiveContact, tenant: TenantId, where: ContactFilter) -> bool:
    contact = live.contact
    return (
        contact.tenant == tenant
        and (not where.states or contact.state in where.states)
        and (where.customer is None or contact.customer == where.customer)
        and (where.agent is None or live.handling.agent == where.agent)
        and (where.queue is None or live.handling.queue == where.queue)
        and (where.channel is None or contact.channel == where.channel)
        and (where.ani is None or contact.ani == where.ani)
        and (where.since is None or contact.arrived_at >= where.since)
        and (where.until is None or contact.arrived_at < where.until)
    )


class _Contacts:
    def __init__(self, tables: _Tables, journal: _Journal) -> None:
        self._table = tables.contacts
        self._keys = tables.idempotency_keys
        self._journal = journal

    async def add(self, live: LiveContact) -> None:
        """ConflictError ``contact.exists`` if the id is taken, and
        ``contact.idempotency_key_taken`` if another contact has its idempotency key."""
        if (live.contact.tenant, live.contact.id) in self._table:
            raise ConflictError(
                f"contact {live.contact.id} already exists",
                code="contact.exists",
                contact=live.contact.id,
            )
        self._write(live)

    async def get(self, tenant: TenantId, contact: ContactId) -> LiveContact | None:
        return self._table.get((tenant, contact))

    async def put(self, live: LiveContact) -> None:
        if (live.contact.tenant, live.contact.id) not in self._table:
            raise NotFoundError(
                f"contact {live.contact.id} does not exist",
                code="contact.not_found",
                contact=live.contact.id,
            )
        self._write(live)

    def _write(self, live: LiveContact) -> None:
        tenant, key = live.contact.tenant, live.handling.idempotency_key
        holder = None if key is None else self._keys.get((tenant, key))
        if holder is not None and holder != live.contact.id:
            raise ConflictError(
                f"idempotency key {key!r} already belongs to contact {holder}",
                code="contact.idempotency_key_taken",
                contact=holder,
            )
        old = self._table.get((tenant, live.contact.id))
        if old is not None and old.handling.idempotency_key is not None:
            self._journal.discard(self._keys, (tenant, old.handling.idempotency_key))
        if key is not None:
            self._journal.set(self._keys, (tenant, key), live.contact.id)
        self._journal.set(self._table, (tenant, live.contact.id), live)

    async def by_idempotency_key(self, tenant: TenantId, key: str) -> LiveContact | None:
        holder = self._keys.get((tenant, key))
        return None if holder is None else self._table[(tenant, holder)]

    async def in_states(
        self, tenant: TenantId, states: frozenset[ContactState]
    ) -> list[LiveContact]:
        """By arrival time, then id."""
        found = [
            live
            for (owner, _), live in self._table.items()
            if owner == tenant and live.contact.state in states
        ]
        return sorted(found, key=lambda live: (live.contact.arrived_at, live.contact.id))

    async def search(self, tenant: TenantId, where: ContactFilter) -> list[LiveContact]:
        """Newest arrival first (ties by id, descending)."""
        found = [live for live in self._table.values() if _matches(live, tenant, where)]
        found.sort(key=lambda live: (live.contact.arrived_at, live.contact.id), reverse=True)
        return found[where.offset : where.offset + where.limit]

    async def count(self, tenant: TenantId, where: ContactFilter) -> int:
        return sum(1 for live in self._table.values() if _matches(live, tenant, where))


class _EventLog:
    def __init__(self, tables: _Tables) -> None:
        self._tables = tables
        self._pending: list[Event] = []
        self._committed: list[StoredEvent] = []

    def append(self, event: Event) -> None:
        self._pending.append(event)

    async def for_contact(self, tenant: TenantId, contact: ContactId) -> list[StoredEvent]:
        return list(self._tables.contact_events.get((tenant, contact), ()))

    async def since(self, tenant: TenantId, seq: int, limit: int = 1000) -> list[StoredEvent]:
        later = itertools.islice(self._tables.events, max(seq, 0), None)
        return list(itertools.islice((e for e in later if e.tenant == tenant), limit))

    async def hold(self) -> None:
        """Nothing to do: the store's transactions take turns."""

    @property
    def committed(self) -> list[StoredEvent]:
        return list(self._committed)

    def commit(self) -> None:
        """Number the pending events after the last one of the store and write them."""
        events = self._tables.events
        for event in self._pending:
            stored = StoredEvent.of(event, seq=len(events) + 1)
            events.append(stored)
            if stored.contact is not None:
                key = (stored.tenant, ContactId(stored.contact))
                self._tables.contact_events.setdefault(key, []).append(stored)
            self._committed.append(stored)
        self._pending.clear()


class _Agents:
    def __init__(self, tables: _Tables, journal: _Journal) -> None:
        self._table = tables.agents
        self._journal = journal

    async def get(self, tenant: TenantId, agent: AgentId) -> Agent | None:
        return self._table.get((tenant, agent))

    async def put(self, agent: Agent) -> None:
        self._journal.set(self._table, (agent.tenant, agent.id), agent)

    async def delete(self, tenant: TenantId, agent: AgentId) -> None:
        self._journal.discard(self._table, (tenant, agent))

    async def all(self, tenant: TenantId) -> list[Agent]:
        return sorted((a for a in self._table.values() if a.tenant == tenant), key=lambda a: a.id)


class _Customers:
    def __init__(self, tables: _Tables, journal: _Journal) -> None:
        self._tables = tables
        self._journal = journal

    def _unmerged(self, tenant: TenantId) -> list[Customer]:
        return [
            c
            for (owner, _), c in self._tables.customers.items()
            if owner == tenant and c.merged_into is None
        ]

    async def get(self, tenant: TenantId, customer: CustomerId) -> Customer | None:
        return self._tables.customers.get((tenant, customer))

    async def put(self, customer: Customer) -> None:
        tenant = customer.tenant
        identities = self._tables.identities
        claimed = customer.identities() if customer.merged_into is None else ()
        # Check every identity before writing any, so a refused put changes nothing.
        for identity in claimed:
            owner = identities.get((tenant, identity))
            if owner is not None and owner != customer.id:
                raise ConflictError(
                    f"{identity.kind} {identity.value} belongs to customer {owner}",
                    code="customer.identity_taken",
                    customer=owner,
                    identity=f"{identity.kind}:{identity.value}",
                )
        old = self._tables.customers.get((tenant, customer.id))
        if old is not None and old.merged_into is None:
            for identity in old.identities():
                self._journal.discard(identities, (tenant, identity))
        for identity in claimed:
            self._journal.set(identities, (tenant, identity), customer.id)
        self._journal.set(self._tables.customers, (tenant, customer.id), customer)

    async def find(self, tenant: TenantId, identity: Identity) -> Customer | None:
        owner = self._tables.identities.get((tenant, identity))
        return None if owner is None else self._tables.customers[(tenant, owner)]

    async def with_field(self, tenant: TenantId, name: str, value: str) -> Customer | None:
        found = sorted(
            (c for c in self._unmerged(tenant) if c.fields.get(name) == value), key=lambda c: c.id
        )
        return found[0] if found else None

    async def search(self, tenant: TenantId, text: str, limit: int = 20) -> list[Customer]:
        return best_matches(self._unmerged(tenant), text, limit)

    async def all(self, tenant: TenantId, limit: int = 1000, offset: int = 0) -> list[Customer]:
        ordered = sorted(self._unmerged(tenant), key=lambda c: c.id)
        return ordered[offset : offset + limit]

    async def add_purchase(self, tenant: TenantId, purchase: Purchase) -> None:
        self._journal.set(self._tables.purchases, (tenant, purchase.id), purchase)

    async def purchases(
        self, tenant: TenantId, customer: CustomerId, limit: int = 20
    ) -> list[Purchase]:
        return _newest(self._tables.purchases, tenant, customer, limit)

    async def add_note(self, tenant: TenantId, note: Note) -> None:
        self._journal.set(self._tables.notes, (tenant, note.id), note)

    async def notes(self, tenant: TenantId, customer: CustomerId, limit: int = 50) -> list[Note]:
        return _newest(self._tables.notes, tenant, customer, limit)

    async def add_activity(self, tenant: TenantId, activity: Activity) -> None:
        self._journal.set(self._tables.activities, (tenant, activity.id), activity)

    async def activities(
        self, tenant: TenantId, customer: CustomerId, limit: int = 50
    ) -> list[Activity]:
        return _newest(self._tables.activities, tenant, customer, limit)

    async def reassign(self, tenant: TenantId, source: CustomerId, target: CustomerId) -> None:
        self._move(self._tables.purchases, tenant, source, target)
        self._move(self._tables.notes, tenant, source, target)
        self._move(self._tables.activities, tenant, source, target)

    def _move(
        self,
        table: dict[tuple[TenantId, str], _History],
        tenant: TenantId,
        source: CustomerId,
        target: CustomerId,
    ) -> None:
        moving = [
            (key, item)
            for key, item in table.items()
            if key[0] == tenant and item.customer == source
        ]
        for key, item in moving:
            self._journal.set(table, key, replace(item, customer=target))


def _newest(
    table: dict[tuple[TenantId, str], _History],
    tenant: TenantId,
    customer: CustomerId,
    limit: int,
) -> list[_History]:
    found = [
        item for (owner, _), item in table.items() if owner == tenant and item.customer == customer
    ]
    found.sort(key=lambda item: (item.at, item.id), reverse=True)
    return found[:limit]


class _Documents:
    """Bodies are copied in and out, so a caller changing its dict changes nothing here."""

    def __init__(self, tables: _Tables, journal: _Journal) -> None:
        self._table = tables.documents
        self._journal = journal

    async def get(self, tenant: TenantId, kind: str, key: str) -> Mapping[str, Any] | None:
        body = self._table.get((tenant, kind, key))
        return None if body is None else copy.deepcopy(dict(body))

    async def put(self, tenant: TenantId, kind: str, key: str, body: Mapping[str, Any]) -> None:
        self._journal.set(self._table, (tenant, kind, key), copy.deepcopy(dict(body)))

    async def delete(self, tenant: TenantId, kind: str, key: str) -> bool:
        found = (tenant, kind, key) in self._table
        self._journal.discard(self._table, (tenant, kind, key))
        return found

    async def all(self, tenant: TenantId, kind: str) -> dict[str, Mapping[str, Any]]:
        found = {
            key: copy.deepcopy(dict(body))
            for (owner, of_kind, key), body in self._table.items()
            if owner == tenant and of_kind == kind
        }
        return dict(sorted(found.items()))


class _Scenarios:
    def __init__(self, tables: _Tables, journal: _Journal) -> None:
        self._table = tables.scenarios
        self._journal = journal

    def _of(self, tenant: TenantId) -> list[ScenarioVersion]:
        found = [v for (owner, _), v in self._table.items() if owner == tenant]
        return sorted(found, key=lambda v: v.version)

    async def add(self, version: ScenarioVersion) -> None:
        key = (version.tenant, version.version)
        if key in self._table:
            raise ConflictError(
                f"scenario version {version.version} already exists",
                code="scenario.exists",
                version=version.version,
            )
        self._journal.set(self._table, key, version)

    async def get(self, tenant: TenantId, version: int) -> ScenarioVersion | None:
        return self._table.get((tenant, version))

    async def latest_version(self, tenant: TenantId) -> int:
        return max((v.version for v in self._of(tenant)), default=0)

    async def published(self, tenant: TenantId) -> ScenarioVersion | None:
        published = [v for v in self._of(tenant) if v.published_at is not None]
        return max(published, key=lambda v: (v.published_at, v.version), default=None)

    async def mark_published(self, tenant: TenantId, version: int, at: datetime) -> None:
        stored = self._table.get((tenant, version))
        if stored is None:
            raise NotFoundError(
                f"scenario version {version} does not exist",
                code="scenario.not_found",
                version=version,
            )
        self._journal.set(self._table, (tenant, version), replace(stored, published_at=at))

    async def all(self, tenant: TenantId) -> list[ScenarioVersion]:
        return self._of(tenant)


class _Users:
    def __init__(self, tables: _Tables, journal: _Journal) -> None:
        self._tables = tables
        self._journal = journal

    async def get(self, tenant: TenantId, user: str) -> User | None:
        return self._tables.users.get((tenant, user))

    async def by_username(self, tenant: TenantId, username: str) -> User | None:
        return next(
            (
                u
                for (owner, _), u in self._tables.users.items()
                if owner == tenant and u.username == username
            ),
            None,
        )

    async def put(self, user: User) -> None:
        holder = await self.by_username(user.tenant, user.username)
        if holder is not None and holder.id != user.id:
            raise ConflictError(
                f"username {user.username!r} is taken",
                code="user.exists",
                username=user.username,
            )
        self._journal.set(self._tables.users, (user.tenant, user.id), user)

    async def all(self, tenant: TenantId) -> list[User]:
        found = [u for (owner, _), u in self._tables.users.items() if owner == tenant]
        return sorted(found, key=lambda u: u.username)

    async def add_session(self, session: Session) -> None:
        self._journal.set(self._tables.sessions, session.token_hash, session)

    async def session(self, token_hash: str) -> Session | None:
        return self._tables.sessions.get(token_hash)

    async def delete_session(self, token_hash: str) -> None:
        self._journal.discard(self._tables.sessions, token_hash)

    async def add_token(self, token: ApiToken) -> None:
        self._journal.set(self._tables.tokens, (token.tenant, token.id), token)

    async def token(self, token_hash: str) -> ApiToken | None:
        return next((t for t in self._tables.tokens.values() if t.token_hash == token_hash), None)

    async def tokens(self, tenant: TenantId) -> list[ApiToken]:
        found = [t for (owner, _), t in self._tables.tokens.items() if owner == tenant]
        return sorted(found, key=lambda t: (t.created_at, t.id))

    async def revoke_token(self, tenant: TenantId, token: str) -> bool:
        stored = self._tables.tokens.get((tenant, token))
        if stored is None:
            return False
        self._journal.set(self._tables.tokens, (tenant, token), replace(stored, revoked=True))
        return True


class _Callbacks:
    def __init__(self, tables: _Tables, journal: _Journal) -> None:
        self._table = tables.callbacks
        self._journal = journal

    async def put(self, callback: Callback) -> None:
        self._journal.set(self._table, (callback.tenant, callback.id), callback)

    async def get(self, tenant: TenantId, callback: str) -> Callback | None:
        return self._table.get((tenant, callback))

    async def all(
        self,
        tenant: TenantId,
        state: CallbackState | None = None,
        customer: CustomerId | None = None,
        agent: AgentId | None = None,
    ) -> list[Callback]:
        found = [
            c
            for (owner, _), c in self._table.items()
            if owner == tenant
            and (state is None or c.state == state)
            and (customer is None or c.customer == customer)
            and (agent is None or c.agent == agent)
        ]
        return sorted(found, key=lambda c: (c.due_at, c.id))


class _Audit:
    def __init__(self, tables: _Tables, journal: _Journal) -> None:
        self._table = tables.audit
        self._journal = journal

    async def add(self, entry: AuditEntry) -> None:
        seq = len(self._table) + 1
        self._journal.set(self._table, seq, replace(entry, seq=seq))

    async def all(
        self,
        tenant: TenantId,
        limit: int = 100,
        offset: int = 0,
        where: AuditFilter = EVERY_ENTRY,
    ) -> list[AuditEntry]:
        newest_first = (
            e for e in reversed(self._table.values()) if e.tenant == tenant and where.matches(e)
        )
        return list(itertools.islice(newest_first, offset, offset + limit))


class _Deliveries:
    def __init__(self, tables: _Tables, journal: _Journal) -> None:
        self._table = tables.deliveries
        self._journal = journal

    async def add(
        self, tenant: TenantId, subscription: str, event: StoredEvent, at: datetime
    ) -> None:
        delivery = Delivery(
            id=len(self._table) + 1,
            tenant=tenant,
            subscription=subscription,
            event=event,
            attempts=0,
            next_at=at,
            state="pending",
        )
        self._journal.set(self._table, delivery.id, delivery)

    async def due(self, now: datetime, limit: int = 100) -> list[Delivery]:
        found = [d for d in self._table.values() if d.state == "pending" and d.next_at <= now]
        found.sort(key=lambda d: (d.next_at, d.id))
        return found[:limit]

    async def update(self, delivery: Delivery) -> None:
        if delivery.id not in self._table:
            raise NotFoundError(
                f"delivery {delivery.id} does not exist",
                code="delivery.not_found",
                delivery=delivery.id,
            )
        self._journal.set(self._table, delivery.id, delivery)

    async def all(self, tenant: TenantId, subscription: str, limit: int = 50) -> list[Delivery]:
        newest_first = (
            d
            for d in reversed(self._table.values())
            if d.tenant == tenant and d.subscription == subscription
        )
        return list(itertools.islice(newest_first, limit))


class _MemoryTransaction:
    def __init__(self, tables: _Tables) -> None:
        self.journal = _Journal()
        self.log = _EventLog(tables)
        self.tenants: Tenants = _Tenants(tables, self.journal)
        self.contacts: Contacts = _Contacts(tables, self.journal)
        self.events: EventLog = self.log
        self.agents: Agents = _Agents(tables, self.journal)
        self.customers: Customers = _Customers(tables, self.journal)
        self.documents: Documents = _Documents(tables, self.journal)
        self.scenarios: Scenarios = _Scenarios(tables, self.journal)
        self.users: Users = _Users(tables, self.journal)
        self.callbacks: Callbacks = _Callbacks(tables, self.journal)
        self.audit: Audit = _Audit(tables, self.journal)
        self.deliveries: Deliveries = _Deliveries(tables, self.journal)


class MemoryStore:
    """A :class:`~frontdesk.domain.repositories.Store` in memory; starts empty."""

    def __init__(self) -> None:
        self._tables = _Tables()
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        async with self._lock:
            tx = _MemoryTransaction(self._tables)
            try:
                yield tx
            except BaseException:
                tx.journal.undo()
                raise
            tx.log.commit()

    async def close(self) -> None:
        """Nothing to release: the data goes with the object."""
