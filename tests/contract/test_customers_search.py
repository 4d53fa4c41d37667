"""Customer search: what an agent typing into the search box finds, best match first."""

from __future__ import annotations

from frontdesk.domain.repositories import Store
from tests.contract.samples import A, B, customer

PEOPLE = (
    customer(
        "c1",
        "Иван Иванов",
        company="ООО «Ромашка»",
        phones=("+79161234567",),
        emails=("ivanov@romashka.ru",),
    ),
    customer("c2", "Алёна Петрова", phones=("+74951112233",), emails=("alena@mail.ru",)),
    customer("c3", "John Smith", company="Acme Ltd", phones=("+442071234567",)),
    customer("c4", "Иван Иванович Сидоров", phones=("+79035556677",)),
    customer("c5", "Ivan Ivanovsky", emails=("ivan.ivanovsky@example.com",)),
)


async def _search(store: Store, text: str, limit: int = 20) -> list[str]:
    async with store.transaction() as tx:
        for person in PEOPLE:
            if await tx.customers.get(A, person.id) is None:
                await tx.customers.put(person)
    async with store.transaction() as tx:
        return [c.id for c in await tx.customers.search(A, text, limit)]


async def test_a_surname_with_a_typo_is_found(store: Store) -> None:
    assert await _search(store, "Петрва") == ["c2"]
    assert await _search(store, "Smtih") == ["c3"]


async def test_yo_and_ye_are_the_same_letter(store: Store) -> None:
    assert await _search(store, "Алена") == ["c2"]
    assert await _search(store, "АЛЁНА петрова") == ["c2"]


async def test_a_phone_is_found_from_any_spelling_or_a_fragment(store: Store) -> None:
    assert await _search(store, "+7 (916) 123-45-67") == ["c1"]
    assert await _search(store, "8 916 123 45 67") == ["c1"]
    assert await _search(store, "555-66") == ["c4"]
    assert await _search(store, "2071234567") == ["c3"]


async def test_an_e_mail_is_found_whole_or_by_its_domain(store: Store) -> None:
    assert await _search(store, "alena@mail.ru") == ["c2"]
    assert await _search(store, "romashka.ru") == ["c1"]


async def test_a_company_is_found_by_name(store: Store) -> None:
    assert await _search(store, "ромашка") == ["c1"]
    assert await _search(store, "acme") == ["c3"]


async def test_an_exact_word_ranks_above_a_prefix_and_every_word_must_match(
    store: Store,
) -> None:
    # "Иванов" is c1's surname, a prefix of c4's patronymic; c4 has "Иван" too.
    assert await _search(store, "Иванов") == ["c1", "c4"]
    assert await _search(store, "Иван Сидоров") == ["c4"]
    assert await _search(store, "ivanov") == ["c1", "c5"]


async def test_search_honours_the_limit_and_finds_nothing_for_nonsense(store: Store) -> None:
    assert await _search(store, "иван", limit=1) == ["c1"]
    assert await _search(store, "Зайцев") == []


async def test_search_sees_only_the_tenants_customers(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.customers.put(customer("b1", "Алёна Петрова", B))
    assert await _search(store, "Петрова") == ["c2"]
    async with store.transaction() as tx:
        assert [c.id for c in await tx.customers.search(B, "Петрова")] == ["b1"]
