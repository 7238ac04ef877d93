"""The merge engine: (stored record, mutation) -> (new record, conflict entries). Pure.

Rules (design/sync-protocol.md, "Merge rules"):
- every field is a last-writer-wins register ordered by HLC (ties: mutation id, so the
  outcome never depends on arrival order);
- a case's ``status`` is the lattice pair (reopen_count, stage) and merges by max (other
  kinds' ``status``, e.g. a rectification's, is an ordinary register);
- two different devices writing different values to one field, neither having seen the
  other's write, is a conflict: the winner stays current and an entry keeps both.
"""

from __future__ import annotations

from typing import Any

import msgspec

from schema.kinds import CASE_STAGES

STAGE_RANK = {stage: rank for rank, stage in enumerate(CASE_STAGES)}
LATTICE_FIELDS = ("status", "reopen_count")


class FieldWrite(msgspec.Struct, frozen=True, array_like=True):
    """Who wrote a field's current value, and at which record version."""

    hlc: str
    device_id: str
    user_id: str
    version: int
    mutation_id: str

    def beats(self, other: FieldWrite) -> bool:
        return (self.hlc, self.mutation_id) > (other.hlc, other.mutation_id)


class StoredMeta(msgspec.Struct, frozen=True, array_like=True):
    """A record's field_meta as stored: each distinct writer once, and per field the
    index of the writer of its current value.

    A mutation writes several fields with one stamp, so most records have one or two
    writers for five to ten fields: stored per field, the stamps were two thirds of a
    record's bytes and of the database's work on every push (ops/bench/RESULTS.md).
    """

    writers: list[FieldWrite]
    fields: dict[str, int]


def pack_meta(meta: dict[str, FieldWrite]) -> StoredMeta:
    index: dict[FieldWrite, int] = {}
    fields = {name: index.setdefault(write, len(index)) for name, write in meta.items()}
    return StoredMeta(writers=list(index), fields=fields)


_stored_meta = msgspec.json.Decoder(StoredMeta)


def field_writes(stored: str | bytes | list[Any] | StoredMeta) -> dict[str, FieldWrite]:
    """Who wrote each field's current value, from the stored field_meta (its JSON text,
    or that JSON decoded)."""
    if isinstance(stored, (str, bytes)):
        stored = _stored_meta.decode(stored)
    elif not isinstance(stored, StoredMeta):
        stored = msgspec.convert(stored, StoredMeta)
    writers = stored.writers
    return {name: writers[i] for name, i in stored.fields.items()}


class RecordState(msgspec.Struct):
    id: str
    kind: str
    community_id: str
    version: int
    fields: dict[str, Any]
    meta: dict[str, FieldWrite]
    created_by: str
    created_ms: int
    updated_ms: int
    clock_suspect: bool = False


class Write(msgspec.Struct, frozen=True):
    """A validated mutation, as the merge sees it."""

    id: str
    user_id: str
    device_id: str
    hlc: str
    kind: str
    record_id: str
    community_id: str
    base_version: int
    fields: dict[str, Any]


class Side(msgspec.Struct, frozen=True):
    value: Any
    hlc: str
    device_id: str
    user_id: str


class Conflict(msgspec.Struct, frozen=True):
    kind: str
    record_id: str
    community_id: str
    field: str
    winner: Side
    loser: Side


def create(write: Write, *, version: int, now_ms: int, clock_suspect: bool) -> RecordState:
    fields = dict(write.fields)
    if write.kind == "case" and "status" not in fields:
        # (0, received) is the lattice's bottom: defaulting to it changes no merge result.
        fields["status"], fields["reopen_count"] = CASE_STAGES[0], 0
    stamp = _stamp(write, version)
    return RecordState(id=write.record_id, kind=write.kind, community_id=write.community_id,
                       version=version, fields=fields, meta=dict.fromkeys(fields, stamp),
                       created_by=write.user_id, created_ms=now_ms, updated_ms=now_ms,
                       clock_suspect=clock_suspect)


def apply(record: RecordState, write: Write, *, version: int, now_ms: int,
          clock_suspect: bool) -> tuple[RecordState, list[Conflict]]:
    """Merge ``write`` into ``record``; the caller has validated it against the record."""
    fields = dict(record.fields)
    meta = dict(record.meta)
    stamp = _stamp(write, version)
    conflicts: list[Conflict] = []
    lattice = record.kind == "case"
    for name, value in write.fields.items():
        if lattice and name in LATTICE_FIELDS:
            continue
        current = meta.get(name)
        if current is None:
            fields[name], meta[name] = value, stamp
            continue
        if _concurrent(current, write) and fields.get(name) != value:
            conflicts.append(_conflict(record, name, (fields.get(name), current), (value, stamp)))
        if stamp.beats(current):
            fields[name], meta[name] = value, stamp
    if lattice and "status" in write.fields:
        _merge_status(fields, meta, write, stamp)
    merged = RecordState(
        id=record.id, kind=record.kind, community_id=record.community_id, version=version,
        fields=fields, meta=meta, created_by=record.created_by, created_ms=record.created_ms,
        updated_ms=now_ms, clock_suspect=record.clock_suspect or clock_suspect)
    return merged, conflicts


def status_rank(fields: dict[str, Any]) -> tuple[int, int]:
    return int(fields.get("reopen_count") or 0), STAGE_RANK.get(fields.get("status", ""), -1)


def _merge_status(fields: dict[str, Any], meta: dict[str, FieldWrite], write: Write,
                  stamp: FieldWrite) -> None:
    incoming = status_rank(write.fields)
    stored = status_rank(fields)
    stored_stamp = meta.get("status")
    # Equal pairs: keep the earlier writer's stamp unless the HLC order says otherwise,
    # so the stamp, too, is independent of arrival order.
    if incoming > stored or (incoming == stored and stored_stamp is not None
                             and stamp.beats(stored_stamp)):
        fields["status"] = write.fields["status"]
        fields["reopen_count"] = write.fields["reopen_count"]
        meta["status"] = meta["reopen_count"] = stamp


def _concurrent(current: FieldWrite, write: Write) -> bool:
    """Neither write had seen the other: another device, and a base older than the value."""
    return current.device_id != write.device_id and write.base_version < current.version


def _conflict(record: RecordState, field: str, stored: tuple[Any, FieldWrite],
              incoming: tuple[Any, FieldWrite]) -> Conflict:
    (stored_value, stored_stamp), (new_value, new_stamp) = stored, incoming
    a = Side(stored_value, stored_stamp.hlc, stored_stamp.device_id, stored_stamp.user_id)
    b = Side(new_value, new_stamp.hlc, new_stamp.device_id, new_stamp.user_id)
    winner, loser = (b, a) if new_stamp.beats(stored_stamp) else (a, b)
    return Conflict(kind=record.kind, record_id=record.id, community_id=record.community_id,
                    field=field, winner=winner, loser=loser)


def _stamp(write: Write, version: int) -> FieldWrite:
    return FieldWrite(hlc=write.hlc, device_id=write.device_id, user_id=write.user_id,
                      version=version, mutation_id=write.id)
