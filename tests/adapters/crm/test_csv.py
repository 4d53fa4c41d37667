"""CSV import and export of customers: bad rows by line, nothing half-written, round trips."""

from __future__ import annotations

import dataclasses

import pytest

from frontdesk.crm.builtin import BuiltinCrm, RowError, export_customers, import_customers
from frontdesk.crm.builtin.csv_format import MAX_BYTES, MAX_ROWS
from frontdesk.domain.customers import Customer, Identity, IdentityKind
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.ids import AgentId, CustomerId
from frontdesk.domain.repositories import Store
from frontdesk.storage.memory import MemoryStore
from tests.adapters.crm.conftest import TENANT, FixedClock

BORIS = Customer(
    id=CustomerId("c-boris"), tenant=TENANT, name="Борис Иванов", phones=("+74951234567",)
)


def lines(*rows: str) -> str:
    return "\r\n".join(rows) + "\r\n"


async def names(crm: BuiltinCrm) -> set[str]:
    async with crm.store.transaction() as tx:
        return {c.name for c in await tx.customers.all(TENANT)}


def errors(found: list[RowError]) -> list[tuple[int, str]]:
    return [(e.line, e.code) for e in found]


async def test_import_reports_every_bad_row_with_its_line(builtin: BuiltinCrm) -> None:
    await builtin.upsert(BORIS)
    text = lines(
        "id;name;company;vip;phones;emails;field:city",
        ";Анна;;да;8 916 123-45-67;anna@example.com;Москва",
        ";;ООО «Без имени»;;+79035550001;;",
        ";Борис-2;;;12345;;",
        ";Вера;;;;vera@@example.com;",
        ";Глеб;;может быть;;;",
        ";Дина;;;+7 (495) 123-45-67;;",
        ";Егор;;;+7 916 123 45 67;;",
        ";Жанна;;;;;;лишняя;ячейка",
        ';Зоя;"ООО ""Кавычки""; и Ко,',
        ' филиал";нет;+79035550002;;',
        ";Ия;;;+79035550003;ia@;",
        "c-kira;Кира;;;;;",
        "c-kira;Лев;;;;;",
    )
    report = await import_customers(builtin, TENANT, text, actor="olga")
    assert errors(report.errors) == [
        (3, "customer.name_required"),
        (4, "customer.invalid_phone"),
        (5, "customer.invalid_email"),
        (6, "csv.invalid_boolean"),
        (7, "customer.identity_taken"),
        (8, "csv.duplicate_phone"),
        (9, "csv.too_many_cells"),
        (12, "customer.invalid_email"),
        (14, "csv.duplicate_id"),
    ]
    reasons = {e.line: e.reason for e in report.errors}
    assert "12345" in reasons[4]
    assert "vera@@example.com" in reasons[5]
    assert "может быть" in reasons[6]
    assert "c-boris" in reasons[7]
    assert "line 2" in reasons[8]
    assert "9 cells" in reasons[9]
    assert (report.created, report.updated) == (3, 0)
    assert await names(builtin) == {"Анна", "Зоя", "Кира", "Борис Иванов"}
    # Nothing of a refused row was written, not even its valid identities.
    assert await builtin.find(TENANT, Identity(IdentityKind.PHONE, "+79035550001")) is None
    assert await builtin.find(TENANT, Identity(IdentityKind.PHONE, "+79035550003")) is None
    zoya = await builtin.find(TENANT, Identity(IdentityKind.PHONE, "+79035550002"))
    assert zoya is not None
    stored = await builtin.get(TENANT, zoya.id)
    assert stored is not None
    assert stored.company == 'ООО "Кавычки"; и Ко,\r\n филиал'
    anna = await builtin.find(TENANT, Identity(IdentityKind.EMAIL, "anna@example.com"))
    assert anna is not None
    assert anna.vip
    assert anna.fields == {"city": "Москва"}
    assert await builtin.get(TENANT, CustomerId("c-kira")) is not None


async def test_a_row_with_several_problems_reports_each(builtin: BuiltinCrm) -> None:
    text = lines("name,vip,phones,emails", ",maybe,call me; +79161234567,x@")
    report = await import_customers(builtin, TENANT, text, actor="olga")
    assert errors(report.errors) == [
        (2, "customer.name_required"),
        (2, "csv.invalid_boolean"),
        (2, "customer.invalid_phone"),
        (2, "customer.invalid_email"),
    ]
    assert report.created == 0
    assert await names(builtin) == set()


@pytest.mark.parametrize("as_bytes", [False, True])
async def test_bom_semicolons_and_crlf_are_understood(builtin: BuiltinCrm, as_bytes: bool) -> None:
    text = "\ufeffname;company;languages;phones\r\nАнна;Ромашка, ООО;ru, en;8 916 123-45-67\r\n"
    report = await import_customers(
        builtin, TENANT, text.encode("utf-8") if as_bytes else text, actor="olga"
    )
    assert (report.created, report.errors) == (1, [])
    async with builtin.store.transaction() as tx:
        stored = await tx.customers.all(TENANT)
    assert [(c.name, c.company, c.languages, c.phones) for c in stored] == [
        ("Анна", "Ромашка, ООО", frozenset({"ru", "en"}), ("+79161234567",))
    ]


async def test_a_row_with_an_id_updates_only_the_columns_of_the_file(
    builtin: BuiltinCrm, clock: FixedClock
) -> None:
    anna = await builtin.upsert(
        Customer(
            id=CustomerId("c-anna"),
            tenant=TENANT,
            name="Анна",
            status="новый",
            phones=("+79161234567",),
            emails=("anna@example.com",),
            fields={"city": "Москва", "inn": "7700000000"},
        )
    )
    later = clock.advance(10)
    text = lines("id,name,phones,field:city", "c-anna,Анна Петрова,+7 903 555-00-09,")
    report = await import_customers(builtin, TENANT, text, actor="olga")
    assert (report.created, report.updated, report.errors) == (0, 1, [])
    stored = await builtin.get(TENANT, anna.id)
    assert stored == dataclasses.replace(
        anna,
        name="Анна Петрова",
        phones=("+79035550009",),
        fields={"inn": "7700000000"},
        updated_at=later,
    )


async def test_a_merged_customer_cannot_be_updated_by_import(builtin: BuiltinCrm) -> None:
    await builtin.upsert(BORIS)
    await builtin.upsert(Customer(id=CustomerId("c-dup"), tenant=TENANT, name="Борис И."))
    await builtin.merge(TENANT, BORIS.id, CustomerId("c-dup"), actor="olga")
    report = await import_customers(builtin, TENANT, lines("id,name", "c-dup,Борис"), "olga")
    assert errors(report.errors) == [(2, "customer.merged")]


async def test_an_export_re_imports_to_the_same_data(
    builtin: BuiltinCrm, clock: FixedClock
) -> None:
    tricky = [
        Customer(
            id=CustomerId("c-1"),
            tenant=TENANT,
            name='Анна "Нюра" Петрова, мл.',
            company="ООО «Ромашка»; филиал\nна Тверской",
            category="VIP",
            status="в ремонте",
            manager=AgentId("olga"),
            vip=True,
            languages=frozenset({"ru", "en"}),
            phones=("+79161234567", "+74951234567"),
            emails=("anna@example.com", "Anna.P@romashka.ru"),
            messenger_ids={"telegram": "5550001", "whatsapp": "+79161234567"},
            fields={"город": "Москва", "note": '=HYPERLINK("http://evil")'},
        ),
        Customer(
            id=CustomerId("c-2"),
            tenant=TENANT,
            name="=1+2",
            company="-минус",
            status="@handle",
            blacklisted=True,
            fields={"note": "'апостроф"},
        ),
        Customer(id=CustomerId("c-3"), tenant=TENANT, name="+7 не телефон", company="''"),
    ]
    for record in tricky:
        await builtin.upsert(record)
    exported = await export_customers(builtin, TENANT)
    assert "'=1+2" in exported  # a spreadsheet shows it as text rather than running it

    fresh = BuiltinCrm(MemoryStore(), clock)
    report = await import_customers(fresh, TENANT, exported, actor="restore")
    assert (report.created, report.updated, report.errors) == (3, 0, [])
    async with fresh.store.transaction() as tx:
        restored = await tx.customers.all(TENANT)
    assert restored == [await builtin.get(TENANT, r.id) for r in tricky]
    assert await export_customers(fresh, TENANT) == exported

    again = await import_customers(builtin, TENANT, exported, actor="olga")
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 3, [])


async def test_the_import_is_audited(builtin: BuiltinCrm, store: Store, clock: FixedClock) -> None:
    await import_customers(builtin, TENANT, lines("name", "Анна", ""), actor="olga")
    async with store.transaction() as tx:
        audit = await tx.audit.all(TENANT)
    assert [(a.actor, a.action, a.kind, a.at) for a in audit] == [
        ("olga", "import", "customer", clock.now())
    ]
    assert audit[0].after == {"rows": 1, "created": 1, "updated": 0, "unchanged": 0, "errors": 0}


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ("name\n" + "x" * MAX_BYTES, "csv.too_large"),
        ("name\n" + "я" * (MAX_BYTES // 2), "csv.too_large"),  # two bytes a letter
        (b"name\n" + b"x" * MAX_BYTES, "csv.too_large"),
        ("name\n" + "Анна\n" * (MAX_ROWS + 1), "csv.too_many_rows"),
        ("name\nАнна".encode("cp1251"), "csv.not_utf8"),
        ("", "csv.no_header"),
        ("name,phone\nАнна,+79161234567\n", "csv.unknown_column"),
        ("company,phones\nРомашка,+79161234567\n", "csv.missing_column"),
        ("name,name\nАнна,Анна\n", "csv.duplicate_column"),
        ('name,company\nАнна,"Ромашка\nБорис,Лютик\n', "csv.malformed"),
    ],
)
async def test_a_file_that_cannot_be_imported_is_refused_whole(
    builtin: BuiltinCrm, data: str | bytes, code: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        await import_customers(builtin, TENANT, data, actor="olga")
    assert caught.value.code == code
    assert await names(builtin) == set()


async def test_the_refusals_say_what_is_wrong(builtin: BuiltinCrm) -> None:
    with pytest.raises(ValidationError, match=r"unknown columns 'phone'.*phones"):
        await import_customers(builtin, TENANT, "name,phone\n", actor="olga")
    with pytest.raises(ValidationError, match="more than 100000 rows"):
        await import_customers(builtin, TENANT, "name\n" + "a\n" * (MAX_ROWS + 1), actor="olga")
    with pytest.raises(ValidationError, match="10 MB"):
        await import_customers(builtin, TENANT, "name\n" + "x" * MAX_BYTES, actor="olga")
    with pytest.raises(ValidationError, match="line 2"):
        await import_customers(builtin, TENANT, 'name\n"Анна\n', actor="olga")
