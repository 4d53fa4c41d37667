"""E-mail addresses: normalisation and flags."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontdesk.domain.addresses import (
    MAX_RAW_LENGTH,
    EmailAddress,
    normalize_address,
    same_address,
)
from frontdesk.domain.errors import ValidationError


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("anna@example.com", "anna@example.com"),
        ("  Anna.Petrova@Example.COM \n", "Anna.Petrova@example.com"),
        ("<anna@example.com>", "anna@example.com"),
        ("mailto:anna@example.com", "anna@example.com"),
        ("anna+support@mail.example.co.uk", "anna+support@mail.example.co.uk"),
        ("anna@example.com.", "anna@example.com"),
        ("анна@пример.РФ", "анна@пример.рф"),
        ("o'brien@example.ie", "o'brien@example.ie"),
    ],
)
def test_good_addresses(raw: str, normalized: str) -> None:
    address = normalize_address(raw)
    assert address.valid
    assert address.normalized == normalized
    assert address.raw == raw
    assert str(address) == normalized


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", "email.empty"),
        ("  ", "email.empty"),
        ("<>", "email.empty"),
        ("anna", "email.invalid"),
        ("anna@", "email.invalid"),
        ("@example.com", "email.invalid"),
        ("anna@@example.com", "email.invalid"),
        ("an na@example.com", "email.invalid"),
        ("anna@localhost", "email.invalid"),
        ("anna@-example.com", "email.invalid"),
        ("anna@exa_mple.com", "email.invalid"),
        ("anna@example..com", "email.invalid"),
        (".anna@example.com", "email.invalid"),
        ("an..na@example.com", "email.invalid"),
        ("anna@192.168.0.1", "email.invalid"),
        ("anna\x00@example.com", "email.invalid"),
        ("a" * 65 + "@example.com", "email.too_long"),
        ("anna@" + "a" * 64 + ".com", "email.too_long"),
        ("anna@" + "a." * 124 + "com", "email.too_long"),
    ],
)
def test_bad_addresses_are_kept_and_flagged(raw: str, problem: str) -> None:
    address = normalize_address(raw)
    assert not address.valid
    assert address.problem == problem
    assert address.raw == raw
    assert address.normalized is None
    assert address.domain is None


def test_huge_input_is_capped() -> None:
    raw = "a" * 10_000 + "@example.com"
    address = normalize_address(raw)
    assert address.problem == "email.too_long"
    assert len(address.raw) == MAX_RAW_LENGTH


def test_domain_and_sameness() -> None:
    assert normalize_address("Anna@Example.com").domain == "example.com"
    assert same_address("Anna@Example.com", "anna@example.COM")
    assert not same_address("anna@example.com", "anna@example.org")
    assert not same_address("bad", "bad")
    with pytest.raises(ValidationError):
        EmailAddress("x", "x@example.com", "email.invalid")
    with pytest.raises(ValidationError):
        EmailAddress("x", None, None)


@given(st.text(max_size=2000))
def test_hostile_input_never_raises(raw: str) -> None:
    address = normalize_address(raw)
    assert address.valid == (address.normalized is not None)
    assert len(address.raw) <= MAX_RAW_LENGTH
    if address.normalized is not None:
        assert normalize_address(address.normalized).normalized == address.normalized
