"""The shape of GET /api/v1/schema: what the PWA's generated forms read.

The handler returns these Structs, so the OpenAPI document describes every part of the
export, and ``ops/gen_wire_types.py`` derives the PWA's TypeScript types from them
(``client-pwa/src/wire.gen.ts``). ``export.py`` fills them from ``kinds.py`` and the TOML
lists. Independent clients read this JSON: a field is added with a default (msgspec's
schema-evolution rules), never renamed or retyped.
"""

from __future__ import annotations

from typing import Literal

import msgspec
from msgspec import UNSET, UnsetType

from schema.lists import ChecklistItem

FieldType = Literal["text", "longtext", "int", "bool", "datetime", "enum", "text_list", "gps",
                    "ref", "sha256"]
# Where a field's options come from when they depend on the record's community: the
# community's property companies, as GET /api/v1/me lists them.
OptionsSource = Literal["property_companies"]


class Out(msgspec.Struct, kw_only=True):
    """Sent by the server, which builds the export once (``export.schema_export``)."""


class Option(Out):
    value: str
    label: str
    # A case category's explanation (categories.toml).
    hint: str | UnsetType = UNSET
    # A checklist item's group (checklist.toml).
    group: str | UnsetType = UNSET


class Parent(Out):
    field: str
    kind: str


class FieldSpec(Out):
    name: str
    label: str
    type: FieldType
    required: bool
    max_length: int | None
    options: list[Option] | None
    ref_kind: str | None
    hidden: bool
    # Written only by the server (e.g. a resident's answer): shown, never edited.
    readonly: bool
    # Options that depend on the community, not listed here.
    options_from: OptionsSource | None


class RequiredWhen(Out):
    """On creation, the fields in ``required`` are required too when ``field`` is
    ``value`` (a feedback step names its channel and content)."""

    field: str
    value: str
    required: list[str]


class KindSpec(Out):
    kind: str
    label: str
    parent: Parent | None
    fields: list[FieldSpec]
    required_when: list[RequiredWhen]
    # What names a record of this kind in a list: the first of these fields that is set
    # (a choice by its option's label).
    title: list[str] = []
    # The field saying when a record happened; none: when it was first recorded.
    time: str | None = None


class ChecklistOut(Out):
    version: str
    items: list[ChecklistItem]


class SlaOverride(Out, forbid_unknown_fields=True):
    """A category's or source's service levels, where they differ from the default."""

    first_response_hours: float | UnsetType = UNSET
    resolve_days: float | UnsetType = UNSET
    feedback_days: float | UnsetType = UNSET


class SlaDefault(Out, forbid_unknown_fields=True):
    first_response_hours: float
    resolve_days: float
    feedback_days: float


class Slas(Out, forbid_unknown_fields=True):
    """slas.toml: the default, overridden by a case's category, then by its source."""

    default: SlaDefault
    category: dict[str, SlaOverride] = {}
    source: dict[str, SlaOverride] = {}
