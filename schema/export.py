"""The record kinds as JSON for the PWA's generated forms (GET /api/v1/schema).

Built from the Structs in ``kinds.py`` — labels, types, options, limits — so the forms
can never drift from what the server validates.
"""

from __future__ import annotations

import types
import typing
from datetime import datetime
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin

import msgspec
from msgspec import UnsetType

from schema import lists
from schema.kinds import CASE_STAGES, KINDS, STAGE_LABELS, Gps, RecordKind

SCHEMA_VERSION = 1


def _unwrap(annotation: Any) -> Any:
    """Drop ``| None | UnsetType`` from a field's annotation."""
    if get_origin(annotation) in (Union, types.UnionType):
        rest = [a for a in get_args(annotation) if a not in (type(None), UnsetType)]
        return rest[0] if len(rest) == 1 else annotation
    return annotation


def _metas(annotation: Any) -> tuple[Any, list[msgspec.Meta]]:
    """The bare type and every Meta wrapped around it (outermost first)."""
    metas: list[msgspec.Meta] = []
    while hasattr(annotation, "__metadata__"):
        metas.extend(m for m in annotation.__metadata__ if isinstance(m, msgspec.Meta))
        annotation = annotation.__origin__
    return annotation, metas


def _field(name: str, annotation: Any, *, required: bool) -> dict[str, Any]:
    bare, metas = _metas(_unwrap(annotation))
    title = next((m.title for m in metas if m.title), name)
    extra: dict[str, Any] = {}
    for meta in metas:
        extra.update(meta.extra or {})
    max_length = next((m.max_length for m in metas if m.max_length is not None), None)
    options = None
    ref_kind = extra.get("ref_kind")
    if get_origin(bare) is Literal:
        kind = "enum"
        labels = extra.get("labels", {})
        options = [{"value": v, "label": labels.get(v, v)} for v in get_args(bare)]
    elif extra.get("options") == "categories":
        kind = "enum"
        options = [{"value": c.value, "label": c.value, "hint": c.hint}
                   for c in lists.categories() if not c.retired]
    elif extra.get("options") == "checklist":
        kind = "enum"
        options = [{"value": i.id, "label": i.label, "group": i.group}
                   for i in lists.checklist().item]
    elif ref_kind:
        kind = "ref"
    elif bare is bool:
        kind = "bool"
    elif bare is int:
        kind = "int"
    elif bare is datetime:
        kind = "datetime"
    elif bare is Gps:
        kind = "gps"
    elif get_origin(bare) is list:
        kind = "text_list"
        if extra.get("suggestions"):
            options = [{"value": s, "label": s} for s in extra["suggestions"]]
    elif name == "sha256":
        kind = "sha256"
    else:
        kind = "longtext" if extra.get("widget") == "longtext" else "text"
    return {"name": name, "label": title, "type": kind, "required": required,
            "max_length": max_length, "options": options, "ref_kind": ref_kind,
            "hidden": bool(extra.get("hidden", False)),
            # Written only by the server (e.g. a resident's answer): shown, never edited.
            "readonly": bool(extra.get("readonly", False)),
            # Options that depend on the community (its property companies, from /me).
            "options_from": extra.get("options") if extra.get("options") not in (
                None, "categories", "checklist") else None}


def _kind(kind: type[RecordKind]) -> dict[str, Any]:
    hints = typing.get_type_hints(kind, include_extras=True)
    fields = [_field(name, hints[name], required=name in kind.REQUIRED)
              for name in kind.__struct_fields__]
    parent = {"field": kind.PARENT[0], "kind": kind.PARENT[1]} if kind.PARENT else None
    return {"kind": kind.KIND, "label": kind.LABEL, "parent": parent, "fields": fields,
            "required_when": [{"field": f, "value": v, "required": list(r)}
                              for (f, v), r in kind.REQUIRED_WHEN.items()]}


@cache
def export() -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "kinds": [_kind(k) for k in KINDS.values()],
        "checklist": {"version": lists.checklist().version,
                      "items": [msgspec.to_builtins(i) for i in lists.checklist().item]},
        "case_statuses": [{"value": s, "label": STAGE_LABELS[s]} for s in CASE_STAGES],
        "slas": lists.slas_export(),
    }
