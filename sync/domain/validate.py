"""Per-mutation checks, in the order the protocol reports them. Pure.

``invalid_hlc, seq_reused, clock_ahead, unknown_kind, forbidden, immutable_field,
unknown_field, invalid_field, missing_field`` — the first that applies is reported.
Most need no stored record and run before the push reads the records it touches
(``check_alone``); the rest run on what it read (``check_stored``): among them the
``forbidden`` of a reference to another community's record (refs.py).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import msgspec

from schema.kinds import FIELD_LABELS, KINDS, SERVER_ONLY_FIELDS, RecordKind
from schema.lists import category_values
from sync.domain import hlc as hlc_module
from sync.domain import text
from sync.domain.access import may_reopen, may_write_kind
from sync.domain.merge import RecordState, status_rank
from sync.domain.refs import Place, check_refs
from sync.domain.roles import SUPERVISOR_KINDS, Actor
from sync.domain.validation_messages import describe
from sync.errors import DomainError
from sync.i18n import t
from sync.protocol import Mutation

RECORD_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
# RFC 3339 allows offsets up to ±23:59; no place on earth is beyond ±14:00, and
# PostgreSQL reads none beyond ±15:59 (the console's visit times, migration 0004).
MAX_UTC_OFFSET = timedelta(hours=14)
_CONTAINERS = (dict, list)
_AT_PATH = re.compile(r" - at `\$\.?(?P<path>[^`]*)`$")


def check_alone(mutation: Mutation, *, actor: Actor, device_id: str, now_ms: int,
                seq_owner: str | None,
                writable: frozenset[str]) -> tuple[DomainError | None, bool]:
    """The first failing check that needs no stored record, and whether it is final.

    A final one comes before ``immutable_field`` in the protocol's order, so no stored
    record can change it. A later one stands unless the stored record (checked by
    ``check_stored``) makes the mutation ``immutable_field``.
    """
    # hlc_module.parse's own pattern, matched without building an Hlc: this runs for
    # every mutation of every push.
    parsed = hlc_module.HLC_PATTERN.match(mutation.hlc)
    if parsed is None or parsed.group(3) != device_id:
        return DomainError("invalid_hlc", field="hlc"), True
    if seq_owner is not None and seq_owner != mutation.id:
        return DomainError("seq_reused", field="seq"), True
    if int(parsed.group(1)) > now_ms + hlc_module.MAX_AHEAD_MS:
        return DomainError("clock_ahead", field="hlc"), True
    kind = KINDS.get(mutation.kind)
    if kind is None:
        return DomainError("unknown_kind", field="kind", kind=mutation.kind[:40]), True
    if not may_write_kind(actor, kind.KIND) or (
            kind.KIND in SUPERVISOR_KINDS and device_id not in hlc_module.SERVER_DEVICES):
        return DomainError("forbidden", field="kind"), True
    if mutation.community_id not in writable:
        return DomainError("forbidden", field="community_id"), True
    names = _field_names(kind)
    for name in mutation.fields:
        if name not in names:
            return DomainError("unknown_field", field=name, kind=kind.LABEL), False
    if device_id not in hlc_module.SERVER_DEVICES:
        server_only = SERVER_ONLY_FIELDS[kind.KIND]
        for name in mutation.fields:
            if name in server_only:
                return DomainError("forbidden", field=name), False
    return _check_values(mutation, kind), False


def check_stored(mutation: Mutation, stored: RecordState | None, *, actor: Actor,
                 alone: DomainError | None, places: Mapping[str, Place]) -> DomainError | None:
    """The reason to reject a mutation whose ``check_alone`` was not final (its error
    was ``alone``), now that the stored record is known; None to apply it.

    ``places``: the kind and community of every record the batch's references name that
    is stored or written by the batch (refs.py)."""
    refused = check_refs(mutation, stored, places=places)
    if refused is not None:
        return refused
    if stored is not None and (stored.kind, stored.community_id) != (
            mutation.kind, mutation.community_id):
        return DomainError("immutable_field",
                           field="kind" if stored.kind != mutation.kind else "community_id")
    if alone is not None:
        return alone
    kind = KINDS[mutation.kind]
    if kind.KIND == "case" and "status" in mutation.fields and not may_reopen(actor):
        # Reopening (a higher reopen_count) is for squad leaders and the bureau.
        stored_round = status_rank(stored.fields)[0] if stored is not None else 0
        if status_rank(mutation.fields)[0] > stored_round:
            return DomainError("forbidden", field="reopen_count")
    return _check_required(mutation.fields, kind, creating=stored is None)


@functools.cache
def _field_names(kind: type[RecordKind]) -> frozenset[str]:
    return frozenset(kind.__struct_fields__)


def _check_values(mutation: Mutation, kind: type[RecordKind]) -> DomainError | None:
    if not RECORD_ID.match(mutation.record_id):
        return DomainError("invalid_field", field="record_id", detail=t("detail.record_id"))
    if mutation.seq < 1:
        return DomainError("invalid_field", field="seq", detail=t("detail.seq"))
    if mutation.base_version < 0:
        return DomainError("invalid_field", field="base_version",
                           detail=t("detail.base_version"))
    try:
        converted = msgspec.convert(mutation.fields, kind)
    except msgspec.ValidationError as exc:
        # No kind nests a value deeper than the limit, so convert refuses such a value
        # (at its first level, without recursing): name it for what it is. Only here,
        # off the path every valid mutation takes.
        for name, value in mutation.fields.items():
            if isinstance(value, _CONTAINERS) and text.depth(value) > text.MAX_VALUE_DEPTH:
                return DomainError("invalid_field", field=name,
                                   detail=t("detail.too_deep", limit=text.MAX_VALUE_DEPTH))
        match = _AT_PATH.search(str(exc))
        return DomainError("invalid_field", field=match.group("path") if match else None,
                           detail=describe(_AT_PATH.sub("", str(exc))))
    for name in mutation.fields:
        value = getattr(converted, name, None)
        offset = value.utcoffset() if isinstance(value, datetime) else None
        if offset is not None and abs(offset) > MAX_UTC_OFFSET:
            return DomainError("invalid_field", field=name, detail=t("validation.utc_offset"))
    category = mutation.fields.get("category")
    if "category" in mutation.fields and kind.KIND in ("case", "patrol_finding") and (
            category not in category_values()):
        return DomainError("invalid_field", field="category", detail=t("detail.category"))
    if kind.KIND == "attachment" and "parent_kind" in mutation.fields and (
            mutation.fields["parent_kind"] not in KINDS):
        return DomainError("invalid_field", field="parent_kind", detail=t("detail.parent_kind"))
    if kind.KIND == "case":
        # A case's status is the lattice pair: it travels with the reopen_count it is
        # based on.
        fields = mutation.fields
        if "status" in fields and "reopen_count" not in fields:
            return _missing(kind, "reopen_count")
        if "reopen_count" in fields and "status" not in fields:
            return _missing(kind, "status")
    return None


def _check_required(fields: dict[str, Any], kind: type[RecordKind], *,
                    creating: bool) -> DomainError | None:
    if not creating:
        return None
    for name in kind.REQUIRED:
        if fields.get(name) is None:
            return _missing(kind, name)
    for (name, value), required in kind.REQUIRED_WHEN.items():
        if fields.get(name) == value:
            for other in required:
                if fields.get(other) is None:
                    return _missing(kind, other)
    return None


def _missing(kind: type[RecordKind], name: str) -> DomainError:
    """``missing_field``, naming the field as the form labels it."""
    return DomainError("missing_field", field=name,
                       name=FIELD_LABELS[kind.KIND].get(name, name))
