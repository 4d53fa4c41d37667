"""Bencode, the encoding of rtpengine's ng protocol: byte strings, integers, lists, dictionaries.

:func:`encode` takes ``str`` (as UTF-8) and ``bytes``, ``int``, lists or tuples and mappings
with ``str`` or ``bytes`` keys, and writes dictionary keys sorted by their bytes, as the
format requires. :func:`decode` gives byte strings back as ``bytes`` (keys too), since the
format does not say whether a string is text; it refuses anything but exactly one
well-formed value with :class:`ValueError`, because its input comes from the network.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TypeAlias

#: A decoded value.
Value: TypeAlias = "bytes | int | list[Value] | dict[bytes, Value]"

#: Deepest nesting of lists and dictionaries accepted (and written), so hostile input cannot
#: exhaust the stack.
MAX_DEPTH = 64

_INTEGER = re.compile(rb"-?(?:0|[1-9][0-9]*)")
_LENGTH = re.compile(rb"0|[1-9][0-9]*")
_DIGITS = frozenset(b"0123456789")


def encode(value: object) -> bytes:
    """The bencoding of ``value``.

    Raises :class:`TypeError` for other types (``bool`` included: ng has no booleans, and
    silently sending ``i1e`` would hide a mistake) and :class:`ValueError` for nesting
    deeper than :data:`MAX_DEPTH` or two keys with the same bytes.
    """
    out: list[bytes] = []
    _encode(value, out, 0)
    return b"".join(out)


def _encode(value: object, out: list[bytes], depth: int) -> None:
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        out.append(b"%d:" % len(data))
        out.append(data)
    elif isinstance(value, bool):
        raise TypeError("bencode: booleans have no encoding")
    elif isinstance(value, int):
        out.append(b"i%de" % value)
    elif isinstance(value, list | tuple | Mapping):
        if depth >= MAX_DEPTH:
            raise ValueError(f"bencode: nesting deeper than {MAX_DEPTH}")
        if isinstance(value, Mapping):
            out.append(b"d")
            for key, item in _sorted_items(value):
                out.append(b"%d:" % len(key))
                out.append(key)
                _encode(item, out, depth + 1)
        else:
            out.append(b"l")
            for item in value:
                _encode(item, out, depth + 1)
        out.append(b"e")
    else:
        raise TypeError(f"bencode: cannot encode {type(value).__name__}")


def _sorted_items(mapping: Mapping[object, object]) -> list[tuple[bytes, object]]:
    items: dict[bytes, object] = {}
    for key, item in mapping.items():
        if isinstance(key, str):
            raw = key.encode()
        elif isinstance(key, bytes):
            raw = key
        else:
            raise TypeError(f"bencode: dictionary key of type {type(key).__name__}")
        if raw in items:
            raise ValueError(f"bencode: duplicate dictionary key {raw!r}")
        items[raw] = item
    return sorted(items.items())


def decode(data: bytes) -> Value:
    """The one value bencoded in ``data``.

    Raises :class:`ValueError` saying what is wrong and at which offset: truncated input,
    a malformed integer or length, a dictionary key that is not a string or repeats,
    nesting deeper than :data:`MAX_DEPTH`, or bytes after the value. Dictionary keys may
    come in any order.
    """
    value, end = _decode(data, 0, 0)
    if end != len(data):
        raise ValueError(f"bencode: trailing data at offset {end}")
    return value


def _decode(data: bytes, pos: int, depth: int) -> tuple[Value, int]:
    if pos >= len(data):
        raise ValueError(f"bencode: truncated at offset {pos}")
    lead = data[pos]
    if lead in _DIGITS:
        return _decode_string(data, pos)
    if lead == ord("i"):
        end = data.find(b"e", pos + 1)
        if end < 0:
            raise ValueError(f"bencode: truncated integer at offset {pos}")
        digits = data[pos + 1 : end]
        if digits == b"-0" or not _INTEGER.fullmatch(digits):
            raise ValueError(f"bencode: bad integer {digits[:24]!r} at offset {pos}")
        try:
            return int(digits), end + 1
        except ValueError:  # beyond Python's limit on digits converted
            raise ValueError(f"bencode: integer too long at offset {pos}") from None
    if lead in b"ld":
        if depth >= MAX_DEPTH:
            raise ValueError(f"bencode: nesting deeper than {MAX_DEPTH} at offset {pos}")
        if lead == ord("l"):
            return _decode_list(data, pos + 1, depth + 1)
        return _decode_dict(data, pos + 1, depth + 1)
    raise ValueError(f"bencode: unexpected byte {data[pos : pos + 1]!r} at offset {pos}")


def _decode_string(data: bytes, pos: int) -> tuple[bytes, int]:
    colon = data.find(b":", pos)
    if colon < 0:
        raise ValueError(f"bencode: truncated string length at offset {pos}")
    digits = data[pos:colon]
    if not _LENGTH.fullmatch(digits):
        raise ValueError(f"bencode: bad string length {digits[:24]!r} at offset {pos}")
    start = colon + 1
    # A length longer than the input is truncation; comparing digit counts first keeps a
    # hostile length of thousands of digits from reaching int().
    if len(digits) > len(str(len(data))) or start + int(digits) > len(data):
        raise ValueError(f"bencode: truncated string at offset {pos}")
    end = start + int(digits)
    return data[start:end], end


def _decode_list(data: bytes, pos: int, depth: int) -> tuple[list[Value], int]:
    items: list[Value] = []
    while True:
        if pos >= len(data):
            raise ValueError(f"bencode: truncated list at offset {pos}")
        if data[pos] == ord("e"):
            return items, pos + 1
        item, pos = _decode(data, pos, depth)
        items.append(item)


def _decode_dict(data: bytes, pos: int, depth: int) -> tuple[dict[bytes, Value], int]:
    items: dict[bytes, Value] = {}
    while True:
        if pos >= len(data):
            raise ValueError(f"bencode: truncated dictionary at offset {pos}")
        if data[pos] == ord("e"):
            return items, pos + 1
        if data[pos] not in _DIGITS:
            raise ValueError(f"bencode: dictionary key is not a string at offset {pos}")
        key, after_key = _decode_string(data, pos)
        if key in items:
            raise ValueError(f"bencode: duplicate dictionary key {key[:24]!r} at offset {pos}")
        items[key], pos = _decode(data, after_key, depth)
