"""Stored records read back as their kinds' Structs (``kinds.py``), not as dicts.

What the server stores passed the gate of its day, and an earlier version's gate may
have let in what today's refuses: a text longer than a new limit, a choice since
dropped, a field since removed. A page or an evaluation must still read such a record,
so ``read`` never fails: a record that converts whole is returned as converted; one that
does not is read field by field, each value converted as strictly as it can be (its
kind's type, else that type without its limits) and left unset when neither reads. A
time without an offset is never read as one: its moment is unknown.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any, TypeVar, overload

import msgspec

from schema.kinds import KINDS, RecordKind, Time

K = TypeVar("K", bound=RecordKind)


@overload
def read(kind: type[K], fields: Mapping[str, Any]) -> K: ...


@overload
def read(kind: str, fields: Mapping[str, Any]) -> RecordKind: ...


def read(kind: type[RecordKind] | str, fields: Mapping[str, Any]) -> RecordKind:
    """A stored record's ``fields`` as its kind's Struct; a kind no longer defined reads
    as a bare ``RecordKind`` (nothing but whether it is voided)."""
    struct = kind if isinstance(kind, type) else KINDS.get(kind, RecordKind)
    known = {name: value for name, value in fields.items()
             if name in struct.__struct_fields__}
    try:
        return msgspec.convert(known, struct)
    except msgspec.ValidationError:
        return _field_by_field(struct, known)


def time_ms(value: datetime | None | msgspec.UnsetType) -> int | None:
    """Unix ms of a time field as ``read`` gives it; None when it is not set."""
    return int(value.timestamp() * 1000) if isinstance(value, datetime) else None


def _field_by_field(struct: type[K], known: dict[str, Any]) -> K:
    strict, lax = _types(struct)
    good: dict[str, Any] = {}
    for name, value in known.items():
        for wanted in (strict[name], lax[name]):
            try:
                good[name] = msgspec.convert(value, wanted)
                break
            except msgspec.ValidationError:
                continue
    return struct(**good)


@cache
def _types(struct: type[RecordKind]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Each field's type as declared, and without its limits (lengths, patterns, ranges;
    a time still needs its offset)."""
    strict = typing.get_type_hints(struct, include_extras=True)
    bare = typing.get_type_hints(struct)
    return strict, {name: _with_offset(bare[name]) for name in struct.__struct_fields__}


def _with_offset(annotation: Any) -> Any:
    if annotation is datetime:
        return Time
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        parts = tuple(_with_offset(a) for a in typing.get_args(annotation))
        return typing.Union[parts]  # noqa: UP007 - built from a tuple
    return annotation
