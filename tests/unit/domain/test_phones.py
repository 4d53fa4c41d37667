"""Phone numbers: E.164 normalisation, flags for bad input, hostile input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontdesk.domain.errors import ValidationError
from frontdesk.domain.phones import MAX_RAW_LENGTH, PhoneNumber, normalize_phone, same_number


@pytest.mark.parametrize(
    "raw",
    [
        "8 (495) 123-45-67",
        "+7 495 123 45 67",
        "84951234567",
        "+74951234567",
        "4951234567",
        "7 495 123-45-67",
        " +7 (495) 123-45-67 ",
        "tel:+7-495-123-45-67",
        "+7\u200b495\u200b123\u200b45\u200b67",  # zero-width spaces from a web page
        "+74951234567\x00",
        "\uff18\uff14\uff19\uff15\uff11\uff12\uff13\uff14\uff15\uff16\uff17",  # full width
        "\u0668\u0664\u0669\u0665\u0661\u0662\u0663\u0664\u0665\u0666\u0667",  # Arabic-Indic
    ],
)
def test_russian_variants_normalise_to_e164(raw: str) -> None:
    phone = normalize_phone(raw)
    assert phone.valid
    assert phone.e164 == "+74951234567"
    assert phone.problem is None
    assert phone.raw == raw
    assert str(phone) == "+74951234567"


def test_foreign_numbers_keep_their_country() -> None:
    assert normalize_phone("+44 20 7946 0958").e164 == "+442079460958"
    assert normalize_phone("8 10 44 20 7946 0958").e164 == "+442079460958"
    assert normalize_phone("020 7946 0958", default_region="GB").e164 == "+442079460958"
    assert normalize_phone("(650) 253-0000", default_region="us").e164 == "+16502530000"
    assert normalize_phone("+7 912 345-67-89").e164 == "+79123456789"


def test_extension_is_kept_apart() -> None:
    phone = normalize_phone("+7 495 123-45-67 доб. 123")
    assert phone.e164 == "+74951234567"
    assert phone.extension == "123"
    assert normalize_phone("+74951234567").extension is None


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", "phone.empty"),
        ("   \t", "phone.empty"),
        ("\x00\x01\u200b", "phone.empty"),
        ("call me", "phone.unparseable"),
        ("+", "phone.unparseable"),
        ("123", "phone.invalid"),
        ("+7 000 000 00 00", "phone.invalid"),
        ("+999 123 456", "phone.unparseable"),
        ("1" * 40, "phone.too_long"),
    ],
)
def test_bad_numbers_are_kept_and_flagged(raw: str, problem: str) -> None:
    phone = normalize_phone(raw)
    assert not phone.valid
    assert phone.problem == problem
    assert phone.e164 is None
    assert phone.raw == raw
    assert str(phone) == raw


def test_very_long_input_is_capped_and_flagged() -> None:
    raw = "+7 495 123 45 67" + "9" * 10_000
    phone = normalize_phone(raw)
    assert phone.problem == "phone.too_long"
    assert phone.raw == raw[:MAX_RAW_LENGTH]
    assert len(phone.raw) == MAX_RAW_LENGTH


def test_bad_region_is_a_configuration_error() -> None:
    with pytest.raises(ValidationError) as info:
        normalize_phone("84951234567", default_region="XX")
    assert info.value.code == "phone.invalid_region"


def test_value_object_invariants() -> None:
    with pytest.raises(ValidationError):
        PhoneNumber("x", "+74951234567", "phone.invalid")
    with pytest.raises(ValidationError):
        PhoneNumber("x", None, None)
    with pytest.raises(ValidationError):
        PhoneNumber("x", None, "phone.whatever")
    assert normalize_phone("84951234567") == normalize_phone("84951234567")
    assert hash(normalize_phone("84951234567")) == hash(normalize_phone("84951234567"))


def test_same_number() -> None:
    assert same_number("8 (495) 123-45-67", "+7 495 123 45 67")
    assert same_number(normalize_phone("84951234567"), "+74951234567")
    assert same_number("+7 495 123-45-67 доб. 1", "+7 495 123-45-67 доб. 2")
    assert not same_number("84951234567", "84951234568")
    assert not same_number("84951234567", "123")
    assert same_number("12-3", "123")  # invalid on both sides: compared loosely
    assert not same_number("", "")
    assert same_number("020 7946 0958", "+442079460958", default_region="GB")


hostile = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(categories=["Nd", "Cc", "Cf", "Zs", "Pd", "Ps", "Pe"])),
    st.text(alphabet="+0123456789 ()-.x#*;,/", max_size=300),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=5), st.integers(1, 3000)),
)


@given(hostile, st.sampled_from(["RU", "GB", "US", "DE"]))
def test_hostile_input_never_raises(raw: str, region: str) -> None:
    phone = normalize_phone(raw, region)
    assert phone.valid == (phone.e164 is not None)
    assert len(phone.raw) <= MAX_RAW_LENGTH
    if len(raw) <= MAX_RAW_LENGTH:
        assert phone.raw == raw
    else:
        assert phone.problem == "phone.too_long"
    if phone.e164 is not None:
        assert phone.e164.startswith("+")
        assert phone.e164[1:].isdigit()
        assert phone.e164.isascii()
        assert normalize_phone(phone.e164, region).e164 == phone.e164  # idempotent
    same_number(phone, raw, region)
