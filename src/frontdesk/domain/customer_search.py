"""Customer search: how a typed query is matched against customer records.

Every store ranks with these functions, so a query finds the same customers in memory,
on SQLite and on PostgreSQL. Text is normalised once (NFKC, case folded, "ё" read as
"е", punctuation stripped from the ends of words); phone numbers are compared as digits,
and a Russian number also in its national form, so "+7 (916) 123-45-67",
"8 916 123 45 67" and "9161234567" find the same customer.

A SQL store may narrow the candidates first with :func:`trigrams`: a customer whose
:func:`search_text` contains none of the trigrams of a term cannot match that term
exactly, by prefix or as a substring. Typo matches are approximate there: a typo that
leaves no trigram of the word intact (two swapped letters in a four-letter word) is found
only by a store that ranks every customer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from difflib import SequenceMatcher

from frontdesk.domain.customers import Customer

__all__ = ["best_matches", "query_terms", "rank", "search_text", "trigrams"]

EXACT = 1.0
PREFIX = 0.8
SUBSTRING = 0.6
TYPO = 0.5  # times the similarity ratio: a typo match always ranks below a substring
TYPO_THRESHOLD = 0.75
TYPO_MIN_LENGTH = 4  # shorter terms are too short to tell a typo from another word

_PHONE_PUNCTUATION = frozenset("+-().")
_RUSSIAN_LENGTH = 11  # 7 or 8, then ten digits
_EDGE_PUNCTUATION = re.compile(r"^[\W_]+|[\W_]+$")
_INNER_PUNCTUATION = re.compile(r"[\W_]+")


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")


def _word(token: str) -> str:
    return _EDGE_PUNCTUATION.sub("", token)


def _is_phone_like(token: str) -> bool:
    return any(c.isdigit() for c in token) and all(
        c.isdigit() or c in _PHONE_PUNCTUATION for c in token
    )


def _phone_forms(digits: str) -> list[str]:
    """The digits, with 8 read as the Russian 7, and the national form of a Russian number."""
    if len(digits) == _RUSSIAN_LENGTH and digits[0] in "78":
        return [f"7{digits[1:]}", digits[1:]]
    return [digits]


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def search_text(customer: Customer) -> str:
    """One normalised string to search in: the words of the name and company, the
    e-mails, and every phone as digits (Russian numbers also without the country prefix).

    Words are separated by single spaces and the string starts and ends with a space, so
    a word's start and end can be matched as `` word`` and ``word ``.
    """
    words = [_word(token) for token in _normalise(f"{customer.name} {customer.company}").split()]
    words.extend(_word(_normalise(email)) for email in customer.emails)
    for phone in customer.phones:
        digits = _digits(unicodedata.normalize("NFKC", phone))
        if digits:
            words.extend(_phone_forms(digits))
    return f" {' '.join(word for word in words if word)} "


def query_terms(text: str) -> list[str]:
    """The normalised terms of a query, without repeats.

    Neighbouring tokens made of digits and phone punctuation form one number:
    "+7 (916) 123-45-67" gives "79161234567" and its national form "9161234567".
    """
    terms: list[str] = []
    digits = ""
    for token in _normalise(text).split():
        if _is_phone_like(token):
            digits += _digits(token)
            continue
        if digits:
            terms.extend(_phone_forms(digits))
            digits = ""
        word = _word(token)
        if word:
            terms.append(word)
    if digits:
        terms.extend(_phone_forms(digits))
    return list(dict.fromkeys(terms))


def trigrams(term: str) -> set[str]:
    """Three-letter pieces of `` term `` (padded with a space at each end), for a prefilter.

    A term shorter than three letters is its own only piece: it matches as a substring.
    """
    if len(term) < 3:
        return {term}
    padded = f" {term} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _vocabulary(text: str) -> set[str]:
    """The words of a search text, the pieces of words such as e-mail addresses, and the
    two halves of an address, so "romashka.ru" is a whole word of "ivan@romashka.ru"."""
    words = set(text.split())
    for word in list(words):
        words.update(piece for piece in _INNER_PUNCTUATION.split(word) if piece)
        if "@" in word:
            words.update(half for half in word.split("@", 1) if half)
    return words


def _typo_score(term: str, vocabulary: set[str]) -> float:
    matcher = SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(term)
    best = 0.0
    for word in vocabulary:
        if word.isdigit():
            continue
        matcher.set_seq1(word)
        if matcher.real_quick_ratio() < TYPO_THRESHOLD or matcher.quick_ratio() < TYPO_THRESHOLD:
            continue
        best = max(best, matcher.ratio())
    return TYPO * best if best >= TYPO_THRESHOLD else 0.0


def _term_score(term: str, text: str, vocabulary: set[str]) -> float:
    if term in vocabulary:
        return EXACT
    if any(word.startswith(term) for word in vocabulary):
        return PREFIX
    if term in text:
        return SUBSTRING
    if len(term) >= TYPO_MIN_LENGTH and not term.isdigit():
        return _typo_score(term, vocabulary)
    return 0.0


def rank(customer: Customer, terms: list[str]) -> float:
    """How well ``customer`` matches the query ``terms``: 0.0 is no match, 1.0 the best.

    Each term scores by its best match: a whole word, then a word's prefix, then any
    substring, then a word within typo distance (difflib ratio of at least 0.75; not for
    numbers or terms under four letters). Every term must match something; the rank is
    the mean of the term scores.
    """
    if not terms:
        return 0.0
    text = search_text(customer)
    vocabulary = _vocabulary(text)
    total = 0.0
    for term in terms:
        score = _term_score(term, text, vocabulary)
        if score == 0.0:
            return 0.0
        total += score
    return total / len(terms)


def best_matches(customers: Iterable[Customer], text: str, limit: int) -> list[Customer]:
    """The customers matching the query ``text``, best first (ties by id), at most ``limit``."""
    terms = query_terms(text)
    scored = [(rank(customer, terms), customer) for customer in customers]
    hits = [(score, customer) for score, customer in scored if score > 0.0]
    hits.sort(key=lambda hit: (-hit[0], hit[1].id))
    return [customer for _, customer in hits[:limit]]
