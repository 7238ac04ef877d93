"""The TOML lists beside this package: categories, case SLAs, the inspection checklist."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import msgspec

_HERE = Path(__file__).parent


class Category(msgspec.Struct, frozen=True):
    value: str
    hint: str = ""
    retired: bool = False


class ChecklistItem(msgspec.Struct, frozen=True):
    id: str
    group: str
    label: str


class Checklist(msgspec.Struct, frozen=True):
    version: str
    item: list[ChecklistItem]


class Sla(msgspec.Struct, frozen=True):
    first_response_hours: float
    resolve_days: float
    feedback_days: float


def _load(name: str) -> dict[str, Any]:
    with (_HERE / name).open("rb") as fh:
        return tomllib.load(fh)


@cache
def categories() -> tuple[Category, ...]:
    return tuple(msgspec.convert(_load("categories.toml")["category"], list[Category]))


@cache
def category_values() -> frozenset[str]:
    """Every category a record may carry, retired ones included (old records keep them)."""
    return frozenset(c.value for c in categories())


@cache
def checklist() -> Checklist:
    return msgspec.convert(_load("checklist.toml"), Checklist)


@cache
def _slas() -> dict[str, Any]:
    return _load("slas.toml")


def sla_for(*, category: str | None, source: str | None) -> Sla:
    table = _slas()
    merged = dict(table["default"])
    merged.update(table.get("category", {}).get(category or "", {}))
    merged.update(table.get("source", {}).get(source or "", {}))
    return msgspec.convert(merged, Sla)


def slas_export() -> dict[str, Any]:
    return _slas()
