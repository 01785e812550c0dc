"""Frozen dataclasses ⇄ plain JSON data, checked against the declared field types.

The build caches are JSON, never pickle: a cache folder must not be a way to run
code. Reading a record back checks every value against the dataclass's type
hints (str, int, float, bool, datetime, nested dataclasses, ``X | None``,
``tuple[X, ...]``, ``dict[str, X]``, ``Literal``) and raises ValueError on the
first mismatch, so a corrupted or foreign cache is discarded, never half-trusted.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import datetime, timezone
from functools import cache
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

T = TypeVar("T")


def encode(value: object) -> object:
    """A dataclass (or a value inside one) as JSON-ready data: records are lists in field order."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [encode(getattr(value, name)) for name in _names(type(value))]
    if isinstance(value, tuple | list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {str(key): encode(item) for key, item in value.items()}
    if isinstance(value, datetime):
        return _encode_datetime(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot write a {type(value).__name__} to a cache")


def _encode_datetime(value: datetime) -> object:
    """An ISO string for naive and fixed-offset times; [zone, local time, fold] for IANA zones (DST rules kept)."""
    zone = value.tzinfo
    if zone is None or isinstance(zone, timezone):
        return value.isoformat()
    if isinstance(zone, ZoneInfo):
        return [zone.key, value.replace(tzinfo=None).isoformat(), value.fold]
    raise TypeError(f"cannot write a time in a {type(zone).__name__} zone to a cache")


def _read_datetime(data: object) -> datetime:
    try:
        if isinstance(data, str):
            return datetime.fromisoformat(data)
        if isinstance(data, list) and len(data) == 3 and all(isinstance(part, str) for part in data[:2]) \
                and data[2] in (0, 1):
            local = datetime.fromisoformat(data[1])
            if local.tzinfo is None:
                return local.replace(tzinfo=ZoneInfo(data[0]), fold=data[2])
    except (ValueError, KeyError, OSError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise ValueError(f"an unreadable time: {exc}") from None
    raise ValueError("expected a time")


def decode(cls: type[T], data: object) -> T:
    """The ``cls`` instance ``encode`` made ``data`` from; ValueError when anything has the wrong type."""
    return typing.cast(T, _decoder(typing.cast(Any, cls))(data))


Decoder = Callable[[object], object]


@cache
def _names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


@cache
def _decoder(hint: Any) -> Decoder:
    """A checking reader for values of type ``hint``, built once per type (reading caches is on the hot path)."""
    if hint is typing.Any:
        return lambda data: data
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _record_decoder(hint)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return _union_decoder(hint, args)
    if origin is tuple:
        return _tuple_decoder(hint, args)
    if origin is dict:
        key, value = _decoder(args[0]), _decoder(args[1])

        def read_dict(data: object) -> object:
            if not isinstance(data, dict):
                raise ValueError(f"expected an object for {hint}")
            return {key(k): value(v) for k, v in data.items()}
        return read_dict
    if origin is typing.Literal:
        def read_literal(data: object) -> object:
            if data not in args:
                raise ValueError(f"{data!r} is not one of {args}")
            return data
        return read_literal
    if hint is datetime:
        return _read_datetime
    if hint is float:
        def read_float(data: object) -> object:
            if isinstance(data, bool) or not isinstance(data, int | float):
                raise ValueError("expected a number")
            return float(data)
        return read_float
    if hint in (str, int, bool):
        def read_exact(data: object) -> object:
            if type(data) is not hint:
                raise ValueError(f"expected {hint.__name__}, found {type(data).__name__}")
            return data
        return read_exact
    raise ValueError(f"cannot read back a value of type {hint}")


def _record_decoder(cls: type) -> Decoder:
    hints = typing.get_type_hints(cls)
    names = _names(cls)
    readers = tuple(_decoder(hints[name]) for name in names)
    count = len(names)

    def read_record(data: object) -> object:
        if not isinstance(data, list) or len(data) != count:
            raise ValueError(f"a {cls.__name__} record of the wrong shape")
        return cls(*[read(item) for read, item in zip(readers, data, strict=True)])
    return read_record


def _union_decoder(hint: Any, args: tuple[Any, ...]) -> Decoder:
    optional = type(None) in args
    options = tuple(_decoder(option) for option in args if option is not type(None))

    def read_union(data: object) -> object:
        if data is None and optional:
            return None
        for read in options:
            try:
                return read(data)
            except ValueError:
                continue
        raise ValueError(f"a value of the wrong type for {hint}")
    return read_union


def _tuple_decoder(hint: Any, args: tuple[Any, ...]) -> Decoder:
    if len(args) == 2 and args[1] is Ellipsis:
        item = _decoder(args[0])

        def read_many(data: object) -> object:
            if not isinstance(data, list):
                raise ValueError(f"expected a list for {hint}")
            return tuple([item(value) for value in data])
        return read_many
    readers = tuple(_decoder(arg) for arg in args)

    def read_fixed(data: object) -> object:
        if not isinstance(data, list) or len(data) != len(readers):
            raise ValueError(f"expected a list of {len(readers)} for {hint}")
        return tuple([read(value) for read, value in zip(readers, data, strict=True)])
    return read_fixed
