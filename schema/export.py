"""The record kinds as JSON for the PWA's generated forms (GET /api/v1/schema).

Built from the Structs in ``kinds.py`` — labels, types, options, limits — so the forms
can never drift from what the server validates. The export is itself a Struct
(``SchemaExport``; its parts in ``export_types.py``): the OpenAPI document and the PWA's
TypeScript types (``ops/gen_wire_types.py``) are derived from it.
"""

from __future__ import annotations

import types
import typing
from datetime import datetime
from functools import cache
from typing import Any, Literal, Union, cast, get_args, get_origin

import msgspec
from msgspec import UnsetType

from schema import lists
from schema.export_types import (
    ChecklistOut,
    FieldSpec,
    FieldType,
    KindSpec,
    Option,
    OptionsSource,
    Out,
    Parent,
    RequiredWhen,
    SlaDefault,
    SlaOverride,
    Slas,
)
from schema.kinds import CASE_STAGES, KINDS, RESOLVED_STAGES, STAGE_LABELS, Gps, RecordKind
from sync.domain.weekly import RULE, WeeklyRule

SCHEMA_VERSION = 1
_OPTIONS_SOURCES: tuple[str, ...] = get_args(OptionsSource)


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


def _widget(name: str, bare: Any, extra: dict[str, Any]) -> tuple[FieldType, list[Option] | None]:
    """The form's input for a field, and the options it offers."""
    if get_origin(bare) is Literal:
        labels = extra.get("labels", {})
        return "enum", [Option(value=v, label=labels.get(v, v)) for v in get_args(bare)]
    if extra.get("options") == "categories":
        return "enum", [Option(value=c.value, label=c.value, hint=c.hint)
                        for c in lists.categories() if not c.retired]
    if extra.get("options") == "checklist":
        return "enum", [Option(value=i.id, label=i.label, group=i.group)
                        for i in lists.checklist().item]
    if extra.get("ref_kind"):
        return "ref", None
    simple: dict[Any, FieldType] = {bool: "bool", int: "int", datetime: "datetime", Gps: "gps"}
    if bare in simple:
        return simple[bare], None
    if get_origin(bare) is list:
        suggestions = extra.get("suggestions")
        return "text_list", [Option(value=s, label=s) for s in suggestions] if suggestions \
            else None
    if name == "sha256":
        return "sha256", None
    return ("longtext" if extra.get("widget") == "longtext" else "text"), None


def _options_from(name: str, extra: dict[str, Any]) -> OptionsSource | None:
    source = extra.get("options")
    if source in (None, "categories", "checklist"):
        return None
    if source not in _OPTIONS_SOURCES:
        raise TypeError(f"{name}: options={source!r} is no OptionsSource")
    return cast(OptionsSource, source)


def _field(name: str, annotation: Any, *, required: bool) -> FieldSpec:
    bare, metas = _metas(_unwrap(annotation))
    extra: dict[str, Any] = {}
    for meta in metas:
        extra.update(meta.extra or {})
    kind, options = _widget(name, bare, extra)
    return FieldSpec(
        name=name, label=next((m.title for m in metas if m.title), name), type=kind,
        required=required,
        max_length=next((m.max_length for m in metas if m.max_length is not None), None),
        options=options, ref_kind=extra.get("ref_kind"),
        hidden=bool(extra.get("hidden", False)), readonly=bool(extra.get("readonly", False)),
        options_from=_options_from(name, extra))


def _kind(kind: type[RecordKind]) -> KindSpec:
    hints = typing.get_type_hints(kind, include_extras=True)
    return KindSpec(
        kind=kind.KIND, label=kind.LABEL,
        parent=Parent(field=kind.PARENT[0], kind=kind.PARENT[1]) if kind.PARENT else None,
        fields=[_field(name, hints[name], required=name in kind.REQUIRED)
                for name in kind.__struct_fields__],
        required_when=[RequiredWhen(field=f, value=v, required=list(r))
                       for (f, v), r in kind.REQUIRED_WHEN.items()],
        title=list(kind.TITLE), time=kind.TIME)


def _kinds() -> list[KindSpec]:
    return [_kind(k) for k in KINDS.values()]


def _checklist() -> ChecklistOut:
    return ChecklistOut(version=lists.checklist().version, items=list(lists.checklist().item))


def _case_statuses() -> list[Option]:
    return [Option(value=s, label=STAGE_LABELS[s]) for s in CASE_STAGES]


def _slas() -> Slas:
    table = lists.slas_export()
    msgspec.convert(table, Slas)  # a mistyped slas.toml fails here, not on a phone
    # Built from the TOML's own numbers, so 24 stays 24 on the wire (convert makes 24.0).
    return Slas(default=SlaDefault(**table["default"]),
                category={k: SlaOverride(**v) for k, v in table.get("category", {}).items()},
                source={k: SlaOverride(**v) for k, v in table.get("source", {}).items()})


class SchemaExport(Out):
    """GET /api/v1/schema: the record kinds and the lists their forms offer."""

    # Each part is built by its default factory, so ``SchemaExport()`` is the whole export
    # and a new part is one line here. Never decoded: a factory stands for the server's
    # current list, not for a value a client may leave out.

    schema_version: int = SCHEMA_VERSION
    kinds: list[KindSpec] = msgspec.field(default_factory=_kinds)
    checklist: ChecklistOut = msgspec.field(default_factory=_checklist)
    case_statuses: list[Option] = msgspec.field(default_factory=_case_statuses)
    # The stages at which a case is dealt with (resolved and after): no longer overdue.
    resolved_statuses: list[str] = msgspec.field(default_factory=lambda: list(RESOLVED_STAGES))
    slas: Slas = msgspec.field(default_factory=_slas)
    # The weekly rule's parameters (sync/domain/weekly.py): the PWA's Today counts with them.
    weekly_rule: WeeklyRule = msgspec.field(default_factory=lambda: RULE)


@cache
def schema_export() -> SchemaExport:
    return SchemaExport()


@cache
def export() -> dict[str, Any]:
    """The export as plain JSON values, for server code that reads it (console pages)."""
    return cast(dict[str, Any], msgspec.to_builtins(schema_export()))

