"""Reading and writing merged records and the mutation log."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from sync.db.tables import blob_refs, conflicts, mutations, records
from sync.domain.batch import Logged
from sync.domain.merge import Conflict, FieldWrite, RecordState
from sync.store.upsert import insert_missing, upsert

_RECORD_COLUMNS = ("kind", "community_id", "version", "fields", "field_meta", "updated_ms",
                   "clock_suspect")
# Keep IN lists well under both back ends' bound-parameter limits.
CHUNK = 2000


def _chunks(items: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def record_from_row(row: Any) -> RecordState:
    return RecordState(
        id=row.id, kind=row.kind, community_id=row.community_id, version=int(row.version),
        fields=row.fields, meta=msgspec.convert(row.field_meta, dict[str, FieldWrite]),
        created_by=row.created_by, created_ms=int(row.created_ms),
        updated_ms=int(row.updated_ms), clock_suspect=bool(row.clock_suspect))


async def load(conn: AsyncConnection, record_ids: Iterable[str]) -> dict[str, RecordState]:
    """The stored records among ``record_ids``.

    No row locks: every writer already holds the version lock (store/versions.py), so no
    one else can change these records before this transaction commits.
    """
    found: dict[str, RecordState] = {}
    for chunk in _chunks(sorted(set(record_ids))):
        for row in await conn.execute(sa.select(records).where(records.c.id.in_(chunk))):
            found[row.id] = record_from_row(row)
    return found


async def save(conn: AsyncConnection, states: Iterable[RecordState]) -> None:
    rows = [{"id": s.id, "kind": s.kind, "community_id": s.community_id, "version": s.version,
             "fields": s.fields, "field_meta": s.meta, "created_by": s.created_by,
             "created_ms": s.created_ms, "updated_ms": s.updated_ms,
             "clock_suspect": s.clock_suspect} for s in states]
    await upsert(conn, records, rows, key=["id"], update=_RECORD_COLUMNS)
    refs = [{"sha256": s.fields["sha256"], "record_id": s.id, "community_id": s.community_id}
            for s in states if s.kind == "attachment" and s.fields.get("sha256")]
    await insert_missing(conn, blob_refs, refs)


async def received_ids(conn: AsyncConnection, ids: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(sorted(set(ids))):
        rows = await conn.execute(sa.select(mutations.c.id).where(mutations.c.id.in_(chunk)))
        found.update(r.id for r in rows)
    return found


async def seq_owners(conn: AsyncConnection, *, user_id: str, device_id: str,
                     seqs: Iterable[int]) -> dict[int, str]:
    owners: dict[int, str] = {}
    for chunk in _chunks(sorted(set(seqs))):
        rows = await conn.execute(sa.select(mutations.c.seq, mutations.c.id).where(
            mutations.c.user_id == user_id, mutations.c.device_id == device_id,
            mutations.c.seq.in_(chunk)))
        for r in rows:
            owners.setdefault(int(r.seq), r.id)
    return owners


async def received_seqs_after(conn: AsyncConnection, *, user_id: str, device_id: str,
                              seq: int) -> set[int]:
    rows = await conn.execute(sa.select(mutations.c.seq).where(
        mutations.c.user_id == user_id, mutations.c.device_id == device_id,
        mutations.c.seq > seq))
    return {int(r.seq) for r in rows}


async def log_mutations(conn: AsyncConnection, logged: list[Logged], *, user_id: str,
                        device_id: str, now_ms: int, device_offset_ms: int | None,
                        app_version: str | None) -> None:
    if not logged:
        return
    await conn.execute(mutations.insert(), [{
        "id": entry.mutation.id, "user_id": user_id, "device_id": device_id,
        "seq": entry.mutation.seq, "hlc": entry.mutation.hlc, "kind": entry.mutation.kind,
        "record_id": entry.mutation.record_id, "community_id": entry.mutation.community_id,
        "base_version": entry.mutation.base_version, "fields": entry.mutation.fields,
        "status": "rejected" if entry.error else "applied",
        "error_code": entry.error.code if entry.error else None,
        "error_message": entry.error.message if entry.error else None,
        "error_field": entry.error.field if entry.error else None,
        "applied_version": entry.applied_version, "received_ms": now_ms,
        "device_offset_ms": device_offset_ms, "app_version": app_version,
    } for entry in logged])


async def log_conflicts(conn: AsyncConnection, found: list[Conflict], *, now_ms: int,
                        new_id: Any) -> None:
    if not found:
        return
    await conn.execute(conflicts.insert(), [{
        "id": new_id(), "kind": c.kind, "record_id": c.record_id,
        "community_id": c.community_id, "field": c.field,
        "winner": msgspec.to_builtins(c.winner), "loser": msgspec.to_builtins(c.loser),
        "detected_ms": now_ms} for c in found])
