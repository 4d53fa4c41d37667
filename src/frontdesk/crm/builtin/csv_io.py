"""Importing customers from CSV and exporting them to it (the format: :mod:`.csv_format`).

An import checks every row before it writes anything: a row with a problem is reported
with its line in the file and is not written; the good rows are written, each one all
or nothing. A row with an ``id`` of a stored customer updates it - only the columns the
file has are changed - and a row with an unknown ``id`` creates the customer under that
id, so an export restores into an empty CRM with its ids. An export re-imports to the
same data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from frontdesk.crm.builtin.adapter import BuiltinCrm, Upserted
from frontdesk.crm.builtin.csv_format import (
    COLUMNS,
    FIELD_PREFIX,
    LIST_SEPARATOR,
    Header,
    Row,
    decode,
    parse_bool,
    read,
    split_list,
    write,
)
from frontdesk.crm.builtin.identities import email_normalized, phone_e164
from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.customers import Customer, Identity, IdentityKind
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.ids import AgentId, CustomerId, TenantId
from frontdesk.domain.repositories import Transaction
from frontdesk.services.ids import new_id

_EXPORT_PAGE = 1000


@dataclass(frozen=True, slots=True)
class RowError:
    """A row that was not imported: its first line in the file, why, and a stable code."""

    line: int
    reason: str
    code: str


@dataclass(frozen=True, slots=True)
class ImportReport:
    """Rows that created, updated or left unchanged a customer, and the rows refused."""

    created: int
    updated: int
    errors: list[RowError]
    unchanged: int = 0


@dataclass(frozen=True, slots=True)
class _Draft:
    """A row read into a customer, before the checks against the store."""

    line: int
    customer: Customer
    errors: list[RowError]


async def import_customers(
    crm: BuiltinCrm, tenant: TenantId, text: str | bytes, actor: str
) -> ImportReport:
    """Import the customers of a CSV file; the audit log records who imported what.

    Raises ``ValidationError`` for a file that cannot be imported at all (too large, too
    many rows, not UTF-8, not CSV, a bad header); problems of single rows are reported.
    """
    header, rows = read(decode(text))
    rows_read = list(rows)
    async with crm.store.transaction() as tx:
        drafts = [await _draft(tx, crm, tenant, header, row) for row in rows_read]
        for draft in drafts:
            if not draft.errors:
                draft.errors.extend(await _owned_elsewhere(tx, tenant, draft))
    _flag_repeats(drafts)
    good = [d for d in drafts if not d.errors]
    outcomes = await crm.upsert_many([d.customer for d in good])
    changes: dict[str, int] = {"created": 0, "updated": 0, "unchanged": 0}
    errors = [error for draft in drafts for error in draft.errors]
    for draft, outcome in zip(good, outcomes, strict=True):
        if isinstance(outcome, Upserted):
            changes[outcome.change] += 1
        else:
            errors.append(RowError(draft.line, outcome.message, outcome.code))
    errors.sort(key=lambda e: e.line)
    report = ImportReport(
        created=changes["created"],
        updated=changes["updated"],
        errors=errors,
        unchanged=changes["unchanged"],
    )
    async with crm.store.transaction() as tx:
        await tx.audit.add(
            AuditEntry(
                tenant=tenant,
                at=crm.clock.now(),
                actor=actor,
                action="import",
                kind="customer",
                key="csv",
                after={
                    "rows": len(drafts),
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "errors": len(errors),
                },
            )
        )
    return report


async def export_customers(crm: BuiltinCrm, tenant: TenantId) -> str:
    """Every unmerged customer of the tenant as CSV, ordered by id, custom fields last."""
    customers: list[Customer] = []
    async with crm.store.transaction() as tx:
        while True:
            page = await tx.customers.all(tenant, limit=_EXPORT_PAGE, offset=len(customers))
            customers.extend(page)
            if len(page) < _EXPORT_PAGE:
                break
    fields = sorted({name for customer in customers for name in customer.fields})
    header = [*COLUMNS, *(FIELD_PREFIX + name for name in fields)]
    return write(header, [_cells(customer, fields) for customer in customers])


def _cells(customer: Customer, fields: Sequence[str]) -> list[str]:
    return [
        customer.id,
        customer.name,
        customer.company,
        customer.category or "",
        customer.status or "",
        customer.manager or "",
        "true" if customer.vip else "false",
        "true" if customer.blacklisted else "false",
        ",".join(sorted(customer.languages)),
        LIST_SEPARATOR.join(customer.phones),
        LIST_SEPARATOR.join(customer.emails),
        LIST_SEPARATOR.join(
            f"{net}:{ident}" for net, ident in sorted(customer.messenger_ids.items())
        ),
        *(customer.fields.get(name, "") for name in fields),
    ]


async def _draft(
    tx: Transaction, crm: BuiltinCrm, tenant: TenantId, header: Header, row: Row
) -> _Draft:
    """The row as a customer: the stored one with the file's columns applied, or a new one.

    A column the file does not have keeps the stored value; a blank cell clears it.
    """
    errors: list[RowError] = []

    def fail(reason: str, code: str) -> None:
        errors.append(RowError(row.line, reason, code))

    if row.extra:
        width = len(header.columns)
        fail(f"{width + row.extra} cells, but the header has {width} columns", "csv.too_many_cells")
    cells = row.cells
    given_id = cells.get("id", "")
    stored = await tx.customers.get(tenant, CustomerId(given_id)) if given_id else None
    if stored is not None and stored.merged_into is not None:
        fail(f"customer {given_id!r} was merged into {stored.merged_into!r}", "customer.merged")
    base = stored or Customer(id=CustomerId(given_id or new_id()), tenant=tenant, name="")
    if not cells["name"]:
        fail("the name is empty", "customer.name_required")
    manager = cells.get("manager", base.manager or "")
    fields = dict(base.fields)
    for name in header.fields:
        fields[name] = cells[FIELD_PREFIX + name]
    customer = dataclasses.replace(
        base,
        name=cells["name"],
        company=cells.get("company", base.company),
        category=cells.get("category", base.category or "") or None,
        status=cells.get("status", base.status or "") or None,
        manager=AgentId(manager) if manager else None,
        vip=_flag(cells, "vip", base.vip, fail),
        blacklisted=_flag(cells, "blacklisted", base.blacklisted, fail),
        languages=(
            frozenset(split_list(cells["languages"], ","))
            if "languages" in cells
            else base.languages
        ),
        phones=(
            _each(split_list(cells["phones"]), partial(phone_e164, region=crm.default_region), fail)
            if "phones" in cells
            else base.phones
        ),
        emails=(
            _each(split_list(cells["emails"]), email_normalized, fail)
            if "emails" in cells
            else base.emails
        ),
        messenger_ids=(
            _messengers(cells["messengers"], fail) if "messengers" in cells else base.messenger_ids
        ),
        fields={name: value for name, value in fields.items() if value},
    )
    return _Draft(row.line, customer, errors)


_Fail = Callable[[str, str], None]


def _flag(cells: Mapping[str, str], column: str, stored: bool, fail: _Fail) -> bool:
    if column not in cells:
        return stored
    flag = parse_bool(cells[column])
    if flag is None:
        fail(
            f"{column}: {cells[column]!r} is not a yes/no value (true/false, yes/no, 1/0, да/нет)",
            "csv.invalid_boolean",
        )
        return stored
    return flag


def _each(values: Sequence[str], normalise: Callable[[str], str], fail: _Fail) -> tuple[str, ...]:
    """The values normalised (repeats dropped); each one that fails is reported."""
    good: list[str] = []
    for value in values:
        try:
            good.append(normalise(value))
        except ValidationError as exc:
            fail(exc.message, exc.code)
    return tuple(dict.fromkeys(good))


def _messengers(cell: str, fail: _Fail) -> dict[str, str]:
    ids: dict[str, str] = {}
    for item in split_list(cell):
        network, _, ident = (part.strip() for part in item.partition(":"))
        if not network or not ident:
            fail(f"messenger id {item!r} is not network:id", "csv.invalid_messenger")
        elif network in ids and ids[network] != ident:
            fail(f"two {network} ids: {ids[network]!r} and {ident!r}", "csv.invalid_messenger")
        else:
            ids[network] = ident
    return ids


async def _owned_elsewhere(tx: Transaction, tenant: TenantId, draft: _Draft) -> list[RowError]:
    """An error for each identity of the row that a stored customer other than its own holds."""
    errors: list[RowError] = []
    for identity in draft.customer.identities():
        owner = await tx.customers.find(tenant, identity)
        if owner is not None and owner.id != draft.customer.id:
            errors.append(
                RowError(
                    draft.line,
                    f"{_LABELS[identity.kind]} {identity.value} belongs to customer "
                    f"{owner.id} ({owner.name})",
                    "customer.identity_taken",
                )
            )
    return errors


def _flag_repeats(drafts: Sequence[_Draft]) -> None:
    """Report a row whose id, phone, e-mail or messenger id an earlier row already has."""
    ids: dict[CustomerId, int] = {}
    claimed: dict[Identity, int] = {}
    for draft in drafts:
        first = ids.setdefault(draft.customer.id, draft.line)
        if first != draft.line:
            draft.errors.append(
                RowError(
                    draft.line,
                    f"customer id {draft.customer.id} is also on line {first}",
                    "csv.duplicate_id",
                )
            )
        for identity in draft.customer.identities():
            first = claimed.setdefault(identity, draft.line)
            if first != draft.line:
                draft.errors.append(
                    RowError(
                        draft.line,
                        f"{_LABELS[identity.kind]} {identity.value} is also on line {first}",
                        f"csv.duplicate_{identity.kind.value}",
                    )
                )


_LABELS = {
    IdentityKind.PHONE: "phone",
    IdentityKind.EMAIL: "e-mail",
    IdentityKind.MESSENGER: "messenger id",
    IdentityKind.EXTERNAL: "external id",
}
