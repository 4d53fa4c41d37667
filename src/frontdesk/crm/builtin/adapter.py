"""The built-in CRM: Frontdesk's own customer records, kept in the store.

It implements the ``Crm`` port and the operations the agent desktop and the
administration need beyond it: search, the customer card, purchases, notes and the
merging of duplicates. A merged record stays stored with ``merged_into`` set, so old
references resolve: ``get`` returns it as it is, and every operation that writes for a
customer, reads its history or builds its card follows it to the record it was merged
into.

Each operation is one transaction; the events it appends are published after the
commit when a publisher is given.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from frontdesk.crm.builtin.card import CARD_ACTIVITIES, CARD_PURCHASES, CustomerCard
from frontdesk.crm.builtin.identities import emails_normalized, lookup_key, phones_e164
from frontdesk.crm.builtin.merging import combined, snapshot, tombstone
from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.callbacks import CallbackState
from frontdesk.domain.customers import (
    Activity,
    Customer,
    CustomerProfile,
    Identity,
    IdentityKind,
    Note,
    Purchase,
)
from frontdesk.domain.errors import ConflictError, FrontdeskError, NotFoundError, ValidationError
from frontdesk.domain.events import CustomerChanged
from frontdesk.domain.ids import ContactId, CustomerId, TenantId
from frontdesk.domain.ports import Clock, Publisher
from frontdesk.domain.repositories import Store, Transaction
from frontdesk.services.ids import new_id

UPSERT_BATCH = 200
"""Records written per transaction by :meth:`BuiltinCrm.upsert_many`."""


@dataclass(frozen=True, slots=True)
class Upserted:
    """What an upsert stored: ``change`` is "created", "updated" or "unchanged"."""

    customer: Customer
    change: str


class BuiltinCrm:
    """The ``Crm`` port over a ``Store``; national phone numbers are read as numbers of
    ``default_region``."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        default_region: str = "RU",
        *,
        publisher: Publisher | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._region = default_region
        self._publisher = publisher

    @property
    def store(self) -> Store:
        return self._store

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def default_region(self) -> str:
        return self._region

    # -- the Crm port ---------------------------------------------------------------

    async def with_field(self, tenant: TenantId, name: str, value: str) -> CustomerProfile | None:
        async with self._store.transaction() as tx:
            customer = await tx.customers.with_field(tenant, name, value)
        return None if customer is None else customer.profile()

    async def find(self, tenant: TenantId, identity: Identity) -> CustomerProfile | None:
        """The unmerged customer with this identity, however the phone or e-mail is written."""
        key = lookup_key(identity, self._region)
        if key is None:
            return None
        async with self._store.transaction() as tx:
            customer = await tx.customers.find(tenant, key)
        return None if customer is None else customer.profile()

    async def get(self, tenant: TenantId, customer: CustomerId) -> Customer | None:
        """The record as stored; a merged one has ``merged_into`` set for callers to follow."""
        async with self._store.transaction() as tx:
            return await tx.customers.get(tenant, customer)

    async def upsert(self, customer: Customer) -> Customer:
        """Create or update ``customer`` and return what is stored.

        Phones are stored in E.164 and e-mails normalised, duplicates dropped; an
        invalid one raises ``ValidationError`` (``customer.invalid_phone``,
        ``customer.invalid_email``), a blank name ``customer.name_required``. The
        timestamps come from the clock (``created_at`` is kept on update). A phone,
        e-mail or messenger id of another customer raises ``ConflictError``
        ``customer.identity_taken``; updating a merged record raises ``customer.merged``.
        Writing a record equal to the stored one changes nothing and emits no event.
        """
        clean = self._normalised(customer)
        async with self._store.transaction() as tx:
            result = await self._upsert_in(tx, clean)
        await self._publish(tx)
        return result.customer

    async def log_activity(self, tenant: TenantId, activity: Activity) -> None:
        """Add ``activity`` to the history of its customer (of the record it was merged into)."""
        async with self._store.transaction() as tx:
            owner = await self._live(tx, tenant, activity.customer)
            await tx.customers.add_activity(
                tenant, dataclasses.replace(activity, customer=owner.id)
            )

    async def history(
        self, tenant: TenantId, customer: CustomerId, limit: int = 50
    ) -> list[Activity]:
        """The interaction history, newest first; ``NotFoundError`` for an unknown customer."""
        async with self._store.transaction() as tx:
            owner = await self._live(tx, tenant, customer)
            return await tx.customers.activities(tenant, owner.id, limit)

    # -- beyond the port ------------------------------------------------------------

    def _normalised(self, customer: Customer) -> Customer:
        """``customer`` as it would be stored: trimmed name, E.164 phones, normalised e-mails.

        Raises the ``ValidationError`` that :meth:`upsert` would.
        """
        name = customer.name.strip()
        if not name:
            raise ValidationError(
                f"customer {customer.id!r} has no name", code="customer.name_required"
            )
        if customer.merged_into is not None:
            raise ValidationError(
                f"customer {customer.id!r} cannot be marked merged by an update: merge it",
                code="customer.merged_into_read_only",
            )
        return dataclasses.replace(
            customer,
            name=name,
            phones=phones_e164(customer.phones, self._region),
            emails=emails_normalized(customer.emails),
        )

    async def upsert_many(self, customers: Sequence[Customer]) -> list[Upserted | FrontdeskError]:
        """Upsert every record, each one all or nothing; the result is in input order.

        A record that fails (invalid, identity of another customer ...) gets its error
        and does not stop the others. Records are written :data:`UPSERT_BATCH` per
        transaction; a batch that fails is written again one record per transaction,
        so only the failing records are left out.
        """
        results: dict[int, Upserted | FrontdeskError] = {}
        valid: list[tuple[int, Customer]] = []
        for index, customer in enumerate(customers):
            try:
                valid.append((index, self._normalised(customer)))
            except FrontdeskError as exc:
                results[index] = exc
        for start in range(0, len(valid), UPSERT_BATCH):
            batch = valid[start : start + UPSERT_BATCH]
            try:
                async with self._store.transaction() as tx:
                    written = [await self._upsert_in(tx, customer) for _, customer in batch]
            except FrontdeskError:
                for index, customer in batch:
                    results[index] = await self._upsert_alone(customer)
                continue
            await self._publish(tx)
            for (index, _), result in zip(batch, written, strict=True):
                results[index] = result
        return [results[index] for index in range(len(customers))]

    async def search(self, tenant: TenantId, text: str, limit: int = 20) -> list[Customer]:
        """Customers matching ``text`` (name, company, phone, e-mail), best first.

        A phone number or e-mail address, however written, puts the customer who owns it
        first.
        """
        text = text.strip()
        if not text:
            return []
        async with self._store.transaction() as tx:
            exact = await self._owner_of_text(tx, tenant, text)
            found = await tx.customers.search(tenant, text, limit)
        if exact is None:
            return found
        return [exact, *(c for c in found if c.id != exact.id)][:limit]

    async def card(self, tenant: TenantId, customer: CustomerId) -> CustomerCard:
        """The card of the customer (of the record it was merged into)."""
        async with self._store.transaction() as tx:
            owner = await self._live(tx, tenant, customer)
            purchases = await tx.customers.purchases(tenant, owner.id, CARD_PURCHASES)
            activities = await tx.customers.activities(tenant, owner.id, CARD_ACTIVITIES)
            notes = await tx.customers.notes(tenant, owner.id)
            callbacks = await tx.callbacks.all(
                tenant, state=CallbackState.PENDING, customer=owner.id
            )
        return CustomerCard(
            customer=owner,
            purchases=tuple(purchases),
            activities=tuple(activities),
            notes=tuple(notes),
            callbacks=tuple(callbacks),
        )

    async def add_purchase(self, tenant: TenantId, purchase: Purchase) -> Purchase:
        """Record a purchase of the customer (of the record it was merged into)."""
        return (await self.add_purchases(tenant, [purchase]))[0]

    async def add_purchases(
        self, tenant: TenantId, purchases: Sequence[Purchase]
    ) -> list[Purchase]:
        """Record purchases in one transaction, all or none (an import, a shop's batch)."""
        stored = []
        async with self._store.transaction() as tx:
            for purchase in purchases:
                owner = await self._live(tx, tenant, purchase.customer)
                kept = dataclasses.replace(purchase, customer=owner.id)
                await tx.customers.add_purchase(tenant, kept)
                stored.append(kept)
        return stored

    async def add_note(
        self,
        tenant: TenantId,
        customer: CustomerId,
        text: str,
        *,
        author: str = "",
        contact: ContactId | None = None,
    ) -> Note:
        """Write a note on the customer, dated now; ``customer.note_empty`` if blank."""
        if not text.strip():
            raise ValidationError("a note needs some text", code="customer.note_empty")
        async with self._store.transaction() as tx:
            owner = await self._live(tx, tenant, customer)
            note = Note(
                id=new_id(),
                customer=owner.id,
                at=self._clock.now(),
                text=text,
                author=author,
                contact=contact,
            )
            await tx.customers.add_note(tenant, note)
        return note

    async def merge(
        self, tenant: TenantId, keep: CustomerId, duplicate: CustomerId, actor: str
    ) -> Customer:
        """Merge ``duplicate`` into ``keep`` and return the kept record.

        The kept record gains the duplicate's identities, languages, fields and the
        scalar fields it lacks (see :func:`~frontdesk.crm.builtin.merging.combined`);
        purchases, notes, activities and callbacks move to it. The duplicate stays
        stored without identities and with ``merged_into=keep``. ``ConflictError``
        ``customer.merge_self`` for a record merged into itself, ``customer.merged``
        when either record is already merged; ``NotFoundError`` when one is missing.
        The audit log gets both records before and after.
        """
        if keep == duplicate:
            raise ConflictError(
                f"customer {keep!r} cannot be merged into itself",
                code="customer.merge_self",
                customer=keep,
            )
        now = self._clock.now()
        async with self._store.transaction() as tx:
            kept = await self._unmerged(tx, tenant, keep)
            dup = await self._unmerged(tx, tenant, duplicate)
            merged = combined(kept, dup, now)
            gone = tombstone(dup, kept, now)
            # The duplicate gives up its identities first, so the kept record may take them.
            await tx.customers.put(gone)
            await tx.customers.put(merged)
            await tx.customers.reassign(tenant, dup.id, kept.id)
            for callback in await tx.callbacks.all(tenant, customer=dup.id):
                await tx.callbacks.put(dataclasses.replace(callback, customer=kept.id))
            tx.events.append(
                CustomerChanged(
                    tenant=tenant, at=now, customer=dup.id, change="merged", merged_into=kept.id
                )
            )
            tx.events.append(
                CustomerChanged(tenant=tenant, at=now, customer=kept.id, change="updated")
            )
            await tx.audit.add(
                AuditEntry(
                    tenant=tenant,
                    at=now,
                    actor=actor,
                    action="merge",
                    kind="customer",
                    key=kept.id,
                    before={"kept": snapshot(kept), "duplicate": snapshot(dup)},
                    after={"kept": snapshot(merged), "duplicate": snapshot(gone)},
                )
            )
        await self._publish(tx)
        return merged

    # -- inside a transaction ---------------------------------------------------------

    async def _upsert_in(self, tx: Transaction, clean: Customer) -> Upserted:
        stored = await tx.customers.get(clean.tenant, clean.id)
        if stored is not None and stored.merged_into is not None:
            raise ConflictError(
                f"customer {clean.id!r} was merged into {stored.merged_into!r}: update that one",
                code="customer.merged",
                customer=clean.id,
                merged_into=stored.merged_into,
            )
        now = self._clock.now()
        if stored is not None:
            same = dataclasses.replace(
                clean, created_at=stored.created_at, updated_at=stored.updated_at
            )
            if same == stored:
                return Upserted(stored, "unchanged")
        change = "created" if stored is None else "updated"
        record = dataclasses.replace(
            clean, created_at=now if stored is None else stored.created_at, updated_at=now
        )
        await tx.customers.put(record)
        tx.events.append(
            CustomerChanged(tenant=record.tenant, at=now, customer=record.id, change=change)
        )
        return Upserted(record, change)

    async def _upsert_alone(self, clean: Customer) -> Upserted | FrontdeskError:
        try:
            async with self._store.transaction() as tx:
                result = await self._upsert_in(tx, clean)
        except FrontdeskError as exc:
            return exc
        await self._publish(tx)
        return result

    async def _live(self, tx: Transaction, tenant: TenantId, customer: CustomerId) -> Customer:
        """The customer, following merges to the record that holds its data now."""
        record = await self._existing(tx, tenant, customer)
        while record.merged_into is not None:
            record = await self._existing(tx, tenant, record.merged_into)
        return record

    async def _unmerged(self, tx: Transaction, tenant: TenantId, customer: CustomerId) -> Customer:
        record = await self._existing(tx, tenant, customer)
        if record.merged_into is not None:
            raise ConflictError(
                f"customer {customer!r} is already merged into {record.merged_into!r}",
                code="customer.merged",
                customer=customer,
                merged_into=record.merged_into,
            )
        return record

    @staticmethod
    async def _existing(tx: Transaction, tenant: TenantId, customer: CustomerId) -> Customer:
        record = await tx.customers.get(tenant, customer)
        if record is None:
            raise NotFoundError(
                f"no customer {customer!r}", code="customer.not_found", customer=customer
            )
        return record

    async def _owner_of_text(self, tx: Transaction, tenant: TenantId, text: str) -> Customer | None:
        kind = IdentityKind.EMAIL if "@" in text else IdentityKind.PHONE
        key = lookup_key(Identity(kind, text), self._region)
        return None if key is None else await tx.customers.find(tenant, key)

    async def _publish(self, tx: Transaction) -> None:
        if self._publisher is not None and tx.events.committed:
            await self._publisher.publish(tx.events.committed)
