"""Domain dataclasses to JSON and back, driven by their type hints.

The SQL store keeps whole records (a live contact, an agent, a customer) as JSON next to
the columns it queries, so every field must come back exactly as it went in: enums as
enums, ``frozenset`` and ``tuple`` as themselves, nested dataclasses, mappings with enum
keys, ``Decimal`` as text, and datetimes as ISO 8601 in UTC (read back aware, in UTC).
A field missing from stored JSON takes its default, so records written before a field
was added still load.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, TypeVar, cast

from frontdesk.domain.errors import ValidationError

T = TypeVar("T")

_SCALARS = (str, int, float, bool)


def dump(value: object) -> Any:
    """``value`` (a dataclass instance) as JSON-ready data."""
    return _encode(value, type(value))


def load(data: Any, kind: type[T]) -> T:
    """The ``kind`` instance that :func:`dump` turned into ``data``."""
    return cast(T, _decode(data, kind))


def as_utc(value: datetime) -> datetime:
    """``value`` in UTC; ValidationError ``storage.naive_datetime`` if it has no offset."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(
            f"cannot store the naive datetime {value.isoformat()}: times must be aware",
            code="storage.naive_datetime",
        )
    return value.astimezone(UTC)


@cache
def _fields(kind: type) -> tuple[tuple[str, Any], ...]:
    hints = typing.get_type_hints(kind)
    return tuple((f.name, hints[f.name]) for f in dataclasses.fields(kind) if f.init)


def _optional_arm(hint: Any) -> Any:
    arms = [arm for arm in typing.get_args(hint) if arm is not type(None)]
    if len(arms) != 1:
        raise TypeError(f"the store cannot encode the union {hint!r}")
    return arms[0]


def _encode(value: Any, hint: Any) -> Any:
    if hint is Any:
        return value  # JSON-ready by the contract of the field (event data, audit bodies)
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        return None if value is None else _encode(value, _optional_arm(hint))
    if isinstance(hint, typing.NewType):
        return _encode(value, hint.__supertype__)
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return [_encode(item, args[0]) for item in value]
        return [_encode(item, arg) for item, arg in zip(value, args, strict=True)]
    if origin is frozenset:
        (item_hint,) = typing.get_args(hint)
        # Sorted so that equal sets are stored as equal text.
        return sorted((_encode(item, item_hint) for item in value), key=json.dumps)
    if origin is Mapping or origin is dict:
        key_hint, value_hint = typing.get_args(hint)
        return {_key(_encode(k, key_hint)): _encode(v, value_hint) for k, v in value.items()}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return {name: _encode(getattr(value, name), field) for name, field in _fields(hint)}
    if isinstance(hint, type):
        if issubclass(hint, Enum):
            return hint(value).value
        if issubclass(hint, datetime):
            return as_utc(value).isoformat()
        if issubclass(hint, Decimal):
            return str(value)
        if issubclass(hint, _SCALARS):
            return value
    raise TypeError(f"the store cannot encode values of type {hint!r}")


def _key(encoded: Any) -> str:
    if not isinstance(encoded, str):
        raise TypeError(f"mapping keys must be text to be stored, got {encoded!r}")
    return encoded


def _decode(data: Any, hint: Any) -> Any:
    if hint is Any:
        return data
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        return None if data is None else _decode(data, _optional_arm(hint))
    if isinstance(hint, typing.NewType):
        return _decode(data, hint.__supertype__)
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(item, args[0]) for item in data)
        return tuple(_decode(item, arg) for item, arg in zip(data, args, strict=True))
    if origin is frozenset:
        (item_hint,) = typing.get_args(hint)
        return frozenset(_decode(item, item_hint) for item in data)
    if origin is Mapping or origin is dict:
        key_hint, value_hint = typing.get_args(hint)
        return {_decode(k, key_hint): _decode(v, value_hint) for k, v in data.items()}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return hint(
            **{name: _decode(data[name], field) for name, field in _fields(hint) if name in data}
        )
    if isinstance(hint, type):
        if issubclass(hint, Enum):
            return hint(data)
        if issubclass(hint, datetime):
            return as_utc(datetime.fromisoformat(data))
        if issubclass(hint, Decimal):
            return Decimal(data)
        if issubclass(hint, float):
            return float(data)
        if issubclass(hint, _SCALARS):
            return data
    raise TypeError(f"the store cannot decode values of type {hint!r}")
