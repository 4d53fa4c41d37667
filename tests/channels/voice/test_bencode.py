"""Bencode: exact encoding, lossless round trips, and clear refusals of malformed input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontdesk.channels.voice.bencode import MAX_DEPTH, Value, decode, encode

values: st.SearchStrategy[Value] = st.recursive(
    st.binary(max_size=20) | st.integers(),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.binary(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)


def nested(depth: int) -> bytes:
    return b"l" * depth + b"e" * depth


def test_known_encodings() -> None:
    assert encode(0) == b"i0e"
    assert encode(-42) == b"i-42e"
    assert encode(b"") == b"0:"
    assert encode("späm") == b"5:sp\xc3\xa4m"
    assert encode([1, "a", [b"b"]]) == b"li1e1:al1:bee"
    assert encode(("x",)) == b"l1:xe"
    # Keys sorted by their bytes, whatever the insertion order and str or bytes.
    assert encode({"sdp": "v=0", b"call-id": "c", "command": "offer"}) == (
        b"d7:call-id1:c7:command5:offer3:sdp3:v=0e"
    )


@given(values)
def test_decode_inverts_encode(value: Value) -> None:
    assert decode(encode(value)) == value


@given(st.dictionaries(st.text(max_size=6), st.integers(), max_size=6))
def test_encoding_of_a_dictionary_does_not_depend_on_key_order(value: dict[str, int]) -> None:
    reordered = dict(reversed(list(value.items())))
    assert encode(reordered) == encode(value)
    assert decode(encode(value)) == {key.encode(): item for key, item in value.items()}


@given(st.binary(max_size=60))
def test_arbitrary_bytes_decode_or_raise_value_error(data: bytes) -> None:
    try:
        value = decode(data)
    except ValueError as error:
        message = str(error)
    else:
        assert decode(encode(value)) == value
        return
    assert message.startswith("bencode: ")


def test_dictionary_keys_in_any_order_are_accepted() -> None:
    assert decode(b"d1:bi2e1:ai1ee") == {b"a": 1, b"b": 2}


def test_nesting_up_to_the_limit_is_accepted() -> None:
    value = decode(nested(MAX_DEPTH))
    for _ in range(MAX_DEPTH - 1):
        assert isinstance(value, list)
        value = value[0]
    assert value == []
    assert encode(decode(nested(MAX_DEPTH))) == nested(MAX_DEPTH)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "truncated at offset 0"),
        (b"i12", "truncated integer"),
        (b"ie", "bad integer"),
        (b"i-0e", "bad integer"),
        (b"i007e", "bad integer"),
        (b"i1.5e", "bad integer"),
        (b"i--1e", "bad integer"),
        (b"i" + b"9" * 5000 + b"e", "integer too long"),
        (b"5:abc", "truncated string"),
        (b"3", "truncated string length"),
        (b"9" * 5000 + b":", "truncated string"),
        (b"03:abc", "bad string length"),
        (b"-1:a", "unexpected byte b'-'"),
        (b"x", "unexpected byte b'x'"),
        (b"l", "truncated list"),
        (b"li1e", "truncated list"),
        (b"d", "truncated dictionary"),
        (b"d1:a", "truncated at offset 4"),
        (b"di1ei2ee", "dictionary key is not a string"),
        (b"d1:ai1e1:ai2ee", "duplicate dictionary key b'a'"),
        (b"i1ei2e", "trailing data at offset 3"),
        (b"1:ab", "trailing data at offset 3"),
        (nested(MAX_DEPTH + 1), f"nesting deeper than {MAX_DEPTH}"),
        (b"l" * 100_000, f"nesting deeper than {MAX_DEPTH}"),
    ],
)
def test_malformed_input_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=r"^bencode: ") as caught:
        decode(data)
    assert message in str(caught.value)


@pytest.mark.parametrize("value", [True, 1.5, None, {1: 2}, {"a": object()}])
def test_values_without_an_encoding_are_refused(value: object) -> None:
    with pytest.raises(TypeError, match=r"^bencode: "):
        encode(value)


def test_keys_that_encode_alike_are_refused() -> None:
    with pytest.raises(ValueError, match="duplicate dictionary key b'a'"):
        encode({"a": 1, b"a": 2})


def test_nesting_beyond_the_limit_is_not_encoded() -> None:
    value: list[object] = []
    for _ in range(MAX_DEPTH):
        value = [value]
    with pytest.raises(ValueError, match=f"nesting deeper than {MAX_DEPTH}"):
        encode(value)
