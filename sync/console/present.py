"""Records as people read them: zh-CN labels from schema/, times in Asia/Shanghai.

Records come typed (``schema.stored.read``); which field names a record, dates it or
names its parent is said once, on its kind (``TITLE``, ``TIME``, ``PARENT_FIELDS``).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from msgspec import UnsetType

from schema.export import export
from schema.kinds import PARENT_FIELDS, Gps, RecordKind
from schema.stored import time_ms
from sync.domain.shanghai import fmt_datetime
from sync.i18n import t

TITLE_CHARS = 60


@cache
def _kinds() -> dict[str, dict[str, Any]]:
    return {k["kind"]: k for k in export()["kinds"]}


def kind_label(kind: str) -> str:
    found = _kinds().get(kind)
    return str(found["label"]) if found else kind


@cache
def _fields(kind: str) -> dict[str, dict[str, Any]]:
    found = _kinds().get(kind)
    return {spec["name"]: spec for spec in found["fields"]} if found else {}


def option_label(kind: str, field: str, value: Any) -> str:
    """A choice's zh-CN label; '' for no choice (``None``, or unset on a typed record)."""
    for option in (_fields(kind).get(field) or {}).get("options") or []:
        if option["value"] == value:
            return str(option["label"])
    return str(value) if _set(value) else ""


def _display(kind: str, spec: dict[str, Any], value: Any) -> str:
    if isinstance(value, bool):
        return t("console.common.yes") if value else t("console.common.no")
    if isinstance(value, datetime):
        return fmt_datetime(time_ms(value))
    if spec["type"] == "enum":
        return option_label(kind, spec["name"], value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def _set(value: Any) -> bool:
    return not isinstance(value, UnsetType) and value is not None and value != ""


def lines(record: RecordKind) -> list[tuple[str, str]]:
    """(label, value) of every visible field that has a value, in the form's order."""
    kind = record.KIND
    return [(str(spec["label"]), _display(kind, spec, value))
            for name, spec in _fields(kind).items()
            if not spec["hidden"] and _set(value := getattr(record, name, None))]


def gps_text(value: Gps | None | UnsetType) -> str:
    return f"{value.lat:.5f}, {value.lon:.5f}" if isinstance(value, Gps) else ""


def own_time(record: RecordKind) -> int | None:
    """When the record says it happened (its kind's ``TIME``), in Unix ms."""
    return time_ms(getattr(record, record.TIME)) if record.TIME else None


def parent_of(record: RecordKind) -> str | None:
    """The id of the record this one belongs under, when it names one."""
    field = PARENT_FIELDS.get(record.KIND)
    value = getattr(record, field) if field else None
    return value if isinstance(value, str) and value else None


def summary(record: RecordKind) -> str:
    """One line naming the record: the first of its kind's ``TITLE`` fields that is set."""
    for name in record.TITLE:
        value = getattr(record, name)
        if not _set(value):
            continue
        if (_fields(record.KIND).get(name) or {}).get("type") == "enum":
            return option_label(record.KIND, name, value)
        text = str(value)
        return text if len(text) <= TITLE_CHARS else text[:TITLE_CHARS - 1] + "…"
    return ""
