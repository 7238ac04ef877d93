"""Records as people read them: zh-CN labels from schema/, times in Asia/Shanghai."""

from __future__ import annotations

from functools import cache
from typing import Any

from schema.export import export
from schema.kinds import REFS
from sync.console.shanghai import fmt_datetime, parse_time
from sync.i18n import t

# Fields that say when a record happened, by kind (else: its first write's device time).
TIME_FIELDS = {"visit": "started_at", "case_step": "at", "publicity_event": "held_at",
               "participation": "held_at", "attachment": "taken_at"}


@cache
def _kinds() -> dict[str, dict[str, Any]]:
    return {k["kind"]: k for k in export()["kinds"]}


def kind_label(kind: str) -> str:
    found = _kinds().get(kind)
    return str(found["label"]) if found else kind


@cache
def _fields(kind: str) -> list[dict[str, Any]]:
    found = _kinds().get(kind)
    return list(found["fields"]) if found else []


def option_label(kind: str, field: str, value: Any) -> str:
    for spec in _fields(kind):
        if spec["name"] == field:
            for option in spec.get("options") or []:
                if option["value"] == value:
                    return str(option["label"])
    return "" if value is None else str(value)


def display(kind: str, field_type: str, name: str, value: Any) -> str:
    if field_type == "bool":
        return t("console.common.yes") if value else t("console.common.no")
    if field_type == "datetime":
        return fmt_datetime(parse_time(value)) or str(value)
    if field_type == "enum":
        return option_label(kind, name, value)
    if field_type == "text_list" and isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def lines(kind: str, fields: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) of every visible field that has a value, in the form's order."""
    out = []
    for spec in _fields(kind):
        value = fields.get(spec["name"])
        if value is None or value == "" or spec["hidden"]:
            continue
        out.append((str(spec["label"]), display(kind, spec["type"], spec["name"], value)))
    return out


def gps_text(value: Any) -> str:
    if not isinstance(value, dict) or "lat" not in value:
        return ""
    return f"{value['lat']:.5f}, {value['lon']:.5f}"


def own_time(kind: str, fields: dict[str, Any]) -> int | None:
    name = TIME_FIELDS.get(kind)
    return parse_time(fields.get(name)) if name else None


def parent_of(kind: str, fields: dict[str, Any]) -> str | None:
    """The id of the record this one belongs under: its first reference that is set."""
    for ref in REFS.get(kind, ()):
        value = fields.get(ref.field)
        if isinstance(value, str) and value:
            return value
    return None


def summary(kind: str, fields: dict[str, Any]) -> str:
    """One line naming the record: its title, topic or description."""
    for name in ("title", "topic", "description", "content", "action_required", "summary",
                 "purpose", "note", "caption"):
        value = fields.get(name)
        if isinstance(value, str) and value:
            return value if len(value) <= 60 else value[:59] + "…"
    for name in ("action", "type", "form", "item", "state"):
        if fields.get(name):
            return option_label(kind, name, fields[name])
    return ""
