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
from collections.abc import Callable, Mapping
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
    return _encoder(cast(Any, type(value)))(value)


def load(data: Any, kind: type[T]) -> T:
    """The ``kind`` instance that :func:`dump` turned into ``data``."""
    return cast(T, _decoder(cast(Any, kind))(data))


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


Coder = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


@cache
def _encoder(hint: Any) -> Coder:
    """A function that encodes values of ``hint``: the hint is read once, not per value."""
    if hint is Any:
        return _same  # JSON-ready by the contract of the field (event data, audit bodies)
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        arm = _encoder(_optional_arm(hint))
        return lambda value: None if value is None else arm(value)
    if isinstance(hint, typing.NewType):
        return _encoder(hint.__supertype__)
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _encoder(args[0])
            return lambda value: [item(v) for v in value]
        items = tuple(_encoder(arg) for arg in args)
        return lambda value: [code(v) for v, code in zip(value, items, strict=True)]
    if origin is frozenset:
        member = _encoder(typing.get_args(hint)[0])
        # Sorted so that equal sets are stored as equal text.
        return lambda value: sorted((member(v) for v in value), key=json.dumps)
    if origin is Mapping or origin is dict:
        key_hint, value_hint = typing.get_args(hint)
        key, val = _encoder(key_hint), _encoder(value_hint)
        return lambda value: {_key(key(k)): val(v) for k, v in value.items()}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        fields = tuple((name, _encoder(field)) for name, field in _fields(hint))
        return lambda value: {name: code(getattr(value, name)) for name, code in fields}
    if isinstance(hint, type):
        if issubclass(hint, Enum):
            enum = hint
            return lambda value: enum(value).value
        if issubclass(hint, datetime):
            return lambda value: as_utc(value).isoformat()
        if issubclass(hint, Decimal):
            return str
        if issubclass(hint, _SCALARS):
            return _same
    raise TypeError(f"the store cannot encode values of type {hint!r}")


def _key(encoded: Any) -> str:
    if not isinstance(encoded, str):
        raise TypeError(f"mapping keys must be text to be stored, got {encoded!r}")
    return encoded


@cache
def _decoder(hint: Any) -> Coder:
    """A function that decodes what :func:`_encoder` made of ``hint`` values."""
    if hint is Any:
        return _same
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        arm = _decoder(_optional_arm(hint))
        return lambda data: None if data is None else arm(data)
    if isinstance(hint, typing.NewType):
        return _decoder(hint.__supertype__)
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            return lambda data: tuple(item(d) for d in data)
        items = tuple(_decoder(arg) for arg in args)
        return lambda data: tuple(code(d) for d, code in zip(data, items, strict=True))
    if origin is frozenset:
        member = _decoder(typing.get_args(hint)[0])
        return lambda data: frozenset(member(d) for d in data)
    if origin is Mapping or origin is dict:
        key_hint, value_hint = typing.get_args(hint)
        key, val = _decoder(key_hint), _decoder(value_hint)
        return lambda data: {key(k): val(v) for k, v in data.items()}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        kind = hint
        fields = tuple((name, _decoder(field)) for name, field in _fields(hint))
        return lambda data: kind(
            **{name: code(data[name]) for name, code in fields if name in data}
        )
    if isinstance(hint, type):
        if issubclass(hint, Enum):
            return hint
        if issubclass(hint, datetime):
            return lambda data: as_utc(datetime.fromisoformat(data))
        if issubclass(hint, Decimal):
            return Decimal
        if issubclass(hint, float):
            return float
        if issubclass(hint, _SCALARS):
            return _same
    raise TypeError(f"the store cannot decode values of type {hint!r}")
