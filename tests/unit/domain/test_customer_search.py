"""Customer search finds people by name, company, phone and e-mail, typos included."""

from __future__ import annotations

from frontdesk.domain.customer_search import (
    best_matches,
    query_terms,
    rank,
    search_text,
    trigrams,
)
from frontdesk.domain.customers import Customer
from frontdesk.domain.ids import CustomerId, TenantId

T = TenantId("t")


def customer(
    id: str,
    name: str,
    company: str = "",
    phones: tuple[str, ...] = (),
    emails: tuple[str, ...] = (),
) -> Customer:
    return Customer(
        id=CustomerId(id), tenant=T, name=name, company=company, phones=phones, emails=emails
    )


IVANOV = customer(
    "c1", "Иван Иванов", "ООО «Ромашка»", ("+79161234567",), ("Ivan.Ivanov@Example.com",)
)
PETROVA = customer("c2", "Алёна Петрова", phones=("+74951112233",))
SMITH = customer("c3", "John Smith", "Acme Ltd.", ("+442071234567",), ("john@acme.co.uk",))


def test_search_text_holds_every_searchable_field_normalised() -> None:
    assert search_text(IVANOV) == (
        " иван иванов ооо ромашка ivan.ivanov@example.com 79161234567 9161234567 "
    )


def test_search_text_reads_yo_as_ye_and_keeps_foreign_numbers_whole() -> None:
    assert " алена петрова " in search_text(PETROVA)
    assert " 442071234567 " in search_text(SMITH)
    assert "42071234567" not in search_text(SMITH).split()


def test_a_written_phone_number_becomes_one_term_and_its_national_form() -> None:
    assert query_terms("+7 (916) 123-45-67") == ["79161234567", "9161234567"]
    assert query_terms("8 916 123 45 67") == ["79161234567", "9161234567"]


def test_query_terms_are_normalised_words_without_repeats() -> None:
    assert query_terms("  Семён,  СЕМЁН  «Ромашка» ") == ["семен", "ромашка"]
    assert query_terms("ivan@example.com 916") == ["ivan@example.com", "916"]
    assert query_terms("Иванов 123-45") == ["иванов", "12345"]
    assert query_terms(" ... ") == []


def test_trigrams_mark_word_edges_and_short_terms_stand_for_themselves() -> None:
    assert trigrams("ivan") == {" iv", "iva", "van", "an "}
    assert trigrams("ab") == {"ab"}


def test_every_term_that_matches_has_a_trigram_in_the_search_text() -> None:
    text = search_text(IVANOV)
    for query in ("Иванов", "ром", "916 123", "example", "Ивано", "Иванво"):
        for term in query_terms(query):
            assert rank(IVANOV, [term]) > 0.0
            assert any(piece in text for piece in trigrams(term)), term


def test_a_whole_word_beats_a_prefix_beats_a_substring_beats_a_typo() -> None:
    exact = customer("a", "Ivanov")
    prefix = customer("b", "Ivanovsky")
    substring = customer("c", "Daivanov")
    typo = customer("d", "Ivanv")
    terms = query_terms("ivanov")
    scores = [rank(c, terms) for c in (exact, prefix, substring, typo)]
    assert scores == sorted(scores, reverse=True)
    assert len(set(scores)) == 4
    assert scores[-1] > 0.0


def test_typos_find_the_customer() -> None:
    assert rank(customer("a", "Ivanov"), query_terms("Ivnaov")) > 0.0
    assert rank(customer("b", "Мария Петрова"), query_terms("Петрва")) > 0.0


def test_a_different_name_is_not_a_typo() -> None:
    assert rank(customer("a", "Petrov"), query_terms("Ivanov")) == 0.0
    assert rank(customer("b", "Олег"), query_terms("Олжас")) == 0.0


def test_every_term_must_match_something() -> None:
    assert rank(IVANOV, query_terms("Иванов Ромашка")) > 0.0
    assert rank(IVANOV, query_terms("Иванов Василёк")) == 0.0
    assert rank(IVANOV, []) == 0.0


def test_phones_match_however_they_are_written() -> None:
    for query in ("+7 916 123-45-67", "89161234567", "9161234567", "123-45-67", "(916) 123"):
        assert rank(IVANOV, query_terms(query)) > 0.0, query
    assert rank(IVANOV, query_terms("7654321")) == 0.0


def test_short_numbers_and_digits_match_only_as_written() -> None:
    assert rank(SMITH, query_terms("2071")) > 0.0
    assert rank(SMITH, query_terms("2017")) == 0.0


def test_e_mails_match_whole_or_by_their_parts() -> None:
    assert rank(IVANOV, query_terms("ivan.ivanov@example.com")) == 1.0
    assert rank(IVANOV, query_terms("example.com")) == 1.0
    assert rank(IVANOV, query_terms("ample.co")) > 0.0
    assert rank(SMITH, query_terms("acme")) == 1.0


def test_best_matches_orders_by_rank_then_id_and_honours_the_limit() -> None:
    people = [
        customer("c9", "Ivanovsky"),
        customer("c2", "Ivanov"),
        customer("c1", "Ivanov"),
        customer("c5", "Petrov"),
    ]
    found = best_matches(people, "ivanov", limit=10)
    assert [c.id for c in found] == ["c1", "c2", "c9"]
    assert [c.id for c in best_matches(people, "ivanov", limit=1)] == ["c1"]
    assert best_matches(people, "   ", limit=10) == []
