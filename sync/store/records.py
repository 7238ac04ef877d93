"""Reading and writing merged records and the mutation log.

On PostgreSQL the push's reads take one array parameter (``= ANY($1)``); rows known to
be new (logged mutations, created records) are appended with one binary COPY, and the
rest of its bulk writes are one ``INSERT … SELECT FROM jsonb_to_recordset($1)`` each:
never one executed row per mutation (ops/bench/RESULTS.md). SQLite keeps the portable
SQLAlchemy statements; both write the same rows.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any, TypedDict

import asyncpg
import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from sync.db.tables import blob_refs, conflicts, mutations, records
from sync.domain.batch import Logged, advance_acked
from sync.domain.merge import Conflict, RecordState, Side, field_writes, pack_meta
from sync.domain.refs import Place
from sync.errors import DomainError
from sync.store.upsert import copy_rows, insert_missing, insert_rows, is_postgres, upsert

_RECORD_COLUMNS = ("kind", "community_id", "version", "fields", "field_meta", "updated_ms",
                   "clock_suspect")
# Keep IN lists well under both back ends' bound-parameter limits.
CHUNK = 2000
SEQ_PAGE = 1000
_encode = msgspec.json.Encoder().encode


def _chunks(items: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def record_from_row(row: Any) -> RecordState:
    return RecordState(
        id=row.id, kind=row.kind, community_id=row.community_id, version=int(row.version),
        fields=row.fields,
        # The PostgreSQL reads below fetch field_meta as its JSON text (tables.JsonText):
        # decoding it straight into FieldWrite structs skips building generic lists.
        meta=field_writes(row.field_meta),
        created_by=row.created_by, created_ms=int(row.created_ms),
        updated_ms=int(row.updated_ms), clock_suspect=bool(row.clock_suspect))


_DEADLOCK = "40P01"
# In id order, so two pushes that touch the same records lock them in the same order.
_PG_LOAD = ("SELECT id, kind, community_id, version, fields, field_meta,"
            " created_by, created_ms, updated_ms, clock_suspect"
            " FROM records WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE")


async def load(conn: AsyncConnection, record_ids: Iterable[str]) -> dict[str, RecordState]:
    """The stored records among ``record_ids``, locked until commit.

    Whoever writes a record reads it with this first, so a concurrent write of the same
    record waits for this transaction to commit and then merges into its outcome (and
    claims greater versions: store/versions.py). SQLite: the transaction holds the
    database's write lock already.
    """
    found: dict[str, RecordState] = {}
    if is_postgres(conn):
        ids = list(set(record_ids))
        if ids:
            try:
                rows = await conn.exec_driver_sql(_PG_LOAD, (ids,))
            except sa.exc.DBAPIError as exc:
                # Waiting for a record another push created with the same id (a client
                # bug) while it waits for one this push has locked.
                if getattr(exc.orig, "sqlstate", None) == _DEADLOCK:
                    raise WrittenConcurrently from exc
                raise
            for row in rows:
                found[row.id] = record_from_row(row)
        return found
    for chunk in _chunks(sorted(set(record_ids))):
        for row in await conn.execute(sa.select(records).where(records.c.id.in_(chunk))):
            found[row.id] = record_from_row(row)
    return found


async def places(conn: AsyncConnection, record_ids: Collection[str]) -> dict[str, Place]:
    """The kind and community of the stored records among ``record_ids``, unlocked: a
    record's kind and community never change once it exists (refs.py)."""
    found: dict[str, Place] = {}
    if not record_ids:
        return found
    if is_postgres(conn):
        rows = await conn.exec_driver_sql(
            "SELECT id, kind, community_id FROM records WHERE id = ANY($1::text[])",
            (list(record_ids),))
        return {row.id: Place(row.kind, row.community_id) for row in rows}
    for chunk in _chunks(sorted(record_ids)):
        for row in await conn.execute(sa.select(records.c.id, records.c.kind,
                                                records.c.community_id)
                                      .where(records.c.id.in_(chunk))):
            found[row.id] = Place(row.kind, row.community_id)
    return found


_RECORD_TYPES = {"id": "text", "kind": "text", "community_id": "text", "version": "bigint",
                 "fields": "jsonb", "field_meta": "text", "created_by": "text",
                 "created_ms": "bigint", "updated_ms": "bigint", "clock_suspect": "boolean"}


class _RecordRow(msgspec.Struct):
    id: str
    kind: str
    community_id: str
    version: int
    fields: dict[str, Any]
    field_meta: str  # StoredMeta's JSON text (tables.JsonText)
    created_by: str
    created_ms: int
    updated_ms: int
    clock_suspect: bool


def _meta_text(s: RecordState) -> str:
    return _encode(pack_meta(s.meta)).decode()


async def save(conn: AsyncConnection, states: Iterable[RecordState], *,
               created: Collection[str] = ()) -> None:
    """Write merged records. ``created``: ids ``load`` found no stored row for; on
    PostgreSQL those are appended with a binary COPY and only the rest upserted. If a
    concurrent transaction created one of them meanwhile (only a client bug reuses a
    record id), ``WrittenConcurrently`` is raised."""
    states = list(states)
    if not is_postgres(conn):
        await upsert(conn, records, [{
            "id": s.id, "kind": s.kind, "community_id": s.community_id, "version": s.version,
            "fields": s.fields, "field_meta": pack_meta(s.meta), "created_by": s.created_by,
            "created_ms": s.created_ms, "updated_ms": s.updated_ms,
            "clock_suspect": s.clock_suspect} for s in states], key=["id"],
            update=_RECORD_COLUMNS)
    else:
        try:
            await copy_rows(conn, "records", tuple(_RECORD_TYPES), [(
                s.id, s.kind, s.community_id, s.version, _encode(s.fields), _meta_text(s),
                s.created_by, s.created_ms, s.updated_ms, s.clock_suspect)
                for s in sorted(states, key=lambda s: s.id) if s.id in created])
        except (asyncpg.UniqueViolationError, asyncpg.DeadlockDetectedError) as exc:
            raise WrittenConcurrently from exc
        await insert_rows(conn, "records", [_RecordRow(
            s.id, s.kind, s.community_id, s.version, s.fields, _meta_text(s), s.created_by,
            s.created_ms, s.updated_ms, s.clock_suspect) for s in states if s.id not in created],
            columns=_RECORD_TYPES, conflict=["id"], update=_RECORD_COLUMNS)
    # Who wrote the hash is kept with the reference: it opens the photo to the record's
    # readers only if that writer holds the bytes (store/blobs.py).
    refs = [{"sha256": s.fields["sha256"], "record_id": s.id, "community_id": s.community_id,
             "referred_by": _writer(s, "sha256")}
            for s in states if s.kind == "attachment" and s.fields.get("sha256")]
    await insert_missing(conn, blob_refs, refs)


def _writer(state: RecordState, field: str) -> str:
    write = state.meta.get(field)
    return write.user_id if write is not None else state.created_by


# What a pull sends of a record: everything but the merge's bookkeeping (field_meta is
# the largest column and a pull never needs it).
_PULLED = (records.c.kind, records.c.id, records.c.community_id, records.c.version,
           # As JSON text: the pull passes it through without decoding it.
           sa.cast(records.c.fields, sa.Text).label("fields"), records.c.updated_ms,
           records.c.created_by, records.c.created_ms)


async def changed(conn: AsyncConnection, *, normal: list[str], backfill: list[str],
                  since: int, late: list[tuple[int, int]], position: int, upto: int,
                  limit: int) -> list[Any]:
    """Rows (the ``_PULLED`` columns) of the records in ``normal`` communities changed
    since ``since`` or at a version in one of the ``late`` runs (first, last), and of
    every record of the ``backfill`` communities, all after ``position`` and at most
    ``upto``: the first ``limit`` in version order.

    One index range per community, merged: PostgreSQL reads just the rows of the page
    (a Merge Append of ``ix_records_community_version`` scans) instead of every change
    of the scope followed by a sort. The late runs lie a little below ``since`` (they
    were claimed by transactions in flight when it was read): the range starts at the
    lowest and skips what lies between them.
    """
    bottom = min([since, *(first - 1 for first, _ in late)])
    wanted = sa.or_(records.c.version > since, *(records.c.version.between(first, last)
                                                  for first, last in late))
    bounds = ([(c, max(bottom, position), wanted if late else None) for c in normal]
              + [(c, position, None) for c in backfill])
    if not bounds:
        return []
    ranges = [sa.select(*_PULLED).where(records.c.community_id == community,
                                        records.c.version > after,
                                        records.c.version <= upto,
                                        *([] if also is None else [also]))
              .order_by(records.c.version).limit(limit).subquery()
              for community, after, also in bounds]
    merged = sa.union_all(*(sa.select(r) for r in ranges)).subquery()
    query = sa.select(merged).order_by(merged.c.version).limit(limit)
    return list(await conn.execute(query))


async def seq_owners(conn: AsyncConnection, *, user_id: str, device_id: str,
                     seqs: Iterable[int]) -> dict[int, str]:
    owners: dict[int, str] = {}
    if is_postgres(conn):
        wanted = list(set(seqs))
        if wanted:
            # The bounds keep the index scan on the batch's own range: with only
            # ``= ANY`` PostgreSQL may scan the device's whole history and filter it.
            rows = await conn.exec_driver_sql(
                "SELECT seq, id FROM mutations WHERE user_id = $1 AND device_id = $2"
                " AND seq BETWEEN $3 AND $4 AND seq = ANY($5::bigint[])",
                (user_id, device_id, min(wanted), max(wanted), wanted))
            for r in rows:
                owners.setdefault(int(r.seq), r.id)
        return owners
    for chunk in _chunks(sorted(set(seqs))):
        rows = await conn.execute(sa.select(mutations.c.seq, mutations.c.id).where(
            mutations.c.user_id == user_id, mutations.c.device_id == device_id,
            mutations.c.seq.in_(chunk)))
        for r in rows:
            owners.setdefault(int(r.seq), r.id)
    return owners


async def contiguous_seq(conn: AsyncConnection, *, user_id: str, device_id: str,
                         after: int) -> int:
    """The highest seq such that ``after`` + 1 … seq are all in this outbox's log, or
    ``after`` when ``after`` + 1 is not.

    Looks at the seqs in order, a page at a time, and stops at the first gap: a device
    with a gap it never fills costs each push one short read, not its history past the
    gap. A page without a gap (the usual case) comes back as three numbers, not as its
    rows; only a page with a gap is read row by row.
    """
    acked = after
    while True:
        outbox = {"user_id": user_id, "device_id": device_id, "after": acked}
        rows, distinct, highest = (await conn.execute(_SEQ_PAGE_COUNTS, outbox)).one()
        if not rows:
            return acked
        if highest - acked != distinct:
            # A gap in this page (a seq may repeat: rejected reuses are logged too).
            seqs = {int(row.seq) for row in await conn.execute(_SEQ_PAGE_ROWS, outbox)}
            return advance_acked(acked, seqs)
        acked = int(highest)
        if rows < SEQ_PAGE:
            return acked


# contiguous_seq's page: built once, as every push runs it.
_SEQ_PAGE = (sa.select(mutations.c.seq).where(
    mutations.c.user_id == sa.bindparam("user_id"),
    mutations.c.device_id == sa.bindparam("device_id"),
    mutations.c.seq > sa.bindparam("after")).order_by(mutations.c.seq).limit(SEQ_PAGE)
    .subquery())
_SEQ_PAGE_COUNTS = sa.select(sa.func.count(), sa.func.count(sa.distinct(_SEQ_PAGE.c.seq)),
                             sa.func.max(_SEQ_PAGE.c.seq))
_SEQ_PAGE_ROWS = sa.select(_SEQ_PAGE.c.seq)


async def log_received(conn: AsyncConnection, logged: list[Logged], *, user_id: str,
                       device_id: str, now_ms: int, device_offset_ms: int | None,
                       app_version: str | None, look_up: bool = True) -> set[str]:
    """Add the batch's mutations to the log, skipping ids it already holds; return the
    ids added (the rest are duplicates).

    The ids already held are looked up first and the rest appended: on PostgreSQL with
    one binary COPY (upsert.copy_rows), in id order, so two pushes that share new ids wait
    for each other in the same order and never deadlock. An id already logged makes the
    COPY fail with ``WrittenConcurrently``: one a concurrent push logged and committed
    meanwhile, or, with ``look_up=False`` (PostgreSQL only: the caller saw none of the
    batch's seqs logged, so only a client bug can repeat an id), one held before. Run the
    push again looking up (it will find the id held). On SQLite the transaction holds
    the database's write lock, so nobody logs meanwhile, and the ids are always looked up.
    """
    if not logged:
        return set()
    held = (await _held_mutation_ids(conn, [m.id for m, _ in logged])
            if look_up or not is_postgres(conn) else set())
    new = sorted((entry for entry in logged if entry.mutation.id not in held),
                 key=lambda entry: entry.mutation.id)
    if not new:
        return set()
    if is_postgres(conn):
        try:
            await copy_rows(conn, "mutations", _MUTATION_COLUMNS, [(
                m.id, user_id, device_id, m.seq, m.hlc, m.kind, m.record_id, m.community_id,
                m.base_version, _encode(m.fields).decode(), *_outcome_row(error), now_ms,
                device_offset_ms, app_version) for m, error in new])
        except asyncpg.UniqueViolationError as exc:
            raise WrittenConcurrently from exc
    else:
        await conn.execute(mutations.insert(), [{
            "id": m.id, "user_id": user_id, "device_id": device_id, "seq": m.seq,
            "hlc": m.hlc, "kind": m.kind, "record_id": m.record_id,
            "community_id": m.community_id, "base_version": m.base_version,
            "fields": m.fields, **_outcome(error), "received_ms": now_ms,
            "device_offset_ms": device_offset_ms, "app_version": app_version,
        } for m, error in new])
    return {m.id for m, _ in new}


class WrittenConcurrently(Exception):
    """A concurrent push logged one of this batch's mutation ids, or created one of the
    records it creates, first: the transaction is lost; run the push again."""


async def _held_mutation_ids(conn: AsyncConnection, ids: list[str]) -> set[str]:
    if is_postgres(conn):
        rows = await conn.exec_driver_sql(
            "SELECT id FROM mutations WHERE id = ANY($1::text[])", (ids,))
        return {row.id for row in rows}
    held: set[str] = set()
    for chunk in _chunks(sorted(set(ids))):
        found = await conn.execute(sa.select(mutations.c.id).where(mutations.c.id.in_(chunk)))
        held.update(r.id for r in found)
    return held


async def relog(conn: AsyncConnection, logged: list[Logged]) -> None:
    """Record the outcome the merge found for mutations logged before it."""
    if logged:
        await conn.execute(
            mutations.update().where(mutations.c.id == sa.bindparam("mutation_id")),
            [{"mutation_id": m.id, **_outcome(error)} for m, error in logged])


class _Outcome(TypedDict):
    status: str
    error_code: str | None
    error_message: str | None
    error_field: str | None


def _outcome(error: DomainError | None) -> _Outcome:
    status, code, message, field = _outcome_row(error)
    return {"status": status, "error_code": code, "error_message": message,
            "error_field": field}


def _outcome_row(error: DomainError | None) -> tuple[str, str | None, str | None, str | None]:
    if error is None:
        return ("applied", None, None, None)
    return ("rejected", error.code, error.message, error.field)


_MUTATION_COLUMNS = ("id", "user_id", "device_id", "seq", "hlc", "kind", "record_id",
                     "community_id", "base_version", "fields", "status", "error_code",
                     "error_message", "error_field", "received_ms", "device_offset_ms",
                     "app_version")


class _ConflictRow(msgspec.Struct):
    id: str
    kind: str
    record_id: str
    community_id: str
    field: str
    winner: Side
    loser: Side


_CONFLICT_TYPES = {"id": "text", "kind": "text", "record_id": "text", "community_id": "text",
                   "field": "text", "winner": "jsonb", "loser": "jsonb"}


async def log_conflicts(conn: AsyncConnection, found: list[Conflict], *, now_ms: int,
                        new_id: Any) -> None:
    if not found:
        return
    if is_postgres(conn):
        rows = [_ConflictRow(new_id(), c.kind, c.record_id, c.community_id, c.field, c.winner,
                             c.loser) for c in found]
        await insert_rows(conn, "conflicts", rows, columns=_CONFLICT_TYPES,
                          constants={"detected_ms": ("bigint", now_ms)})
        return
    await conn.execute(conflicts.insert(), [{
        "id": new_id(), "kind": c.kind, "record_id": c.record_id,
        "community_id": c.community_id, "field": c.field,
        "winner": msgspec.to_builtins(c.winner), "loser": msgspec.to_builtins(c.loser),
        "detected_ms": now_ms} for c in found])
