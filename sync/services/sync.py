"""Push and pull (design/sync-protocol.md): one transaction each."""

from __future__ import annotations

import functools
import uuid

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from sync.clock import Clock
from sync.db.engine import read_transaction, write_transaction
from sync.domain import cursor as cursors
from sync.domain.batch import BatchOutcome, Facts, advance_acked, merge_batch
from sync.domain.hlc import MAX_AHEAD_MS, server_hlc
from sync.domain.roles import Actor
from sync.domain.validate import RECORD_ID
from sync.protocol import (
    ErrorOut,
    Mutation,
    MutationResult,
    PullResponse,
    PushRequest,
    PushResponse,
    RecordOut,
)
from sync.store import org, outboxes, pulls, records, versions
from sync.timefmt import iso

MAX_PULL_LIMIT = 5000
# A batch stamps all its records with one time, so a page of a pull holds few distinct
# ones: formatting each once saves most of the page's formatting work.
_iso = functools.lru_cache(maxsize=4096)(iso)


class SyncService:
    def __init__(self, engine: AsyncEngine, clock: Clock, *, cursor_key: bytes) -> None:
        self.engine = engine
        self.clock = clock
        self.cursor_key = cursor_key

    async def push(self, actor: Actor, device_id: str, request: PushRequest) -> PushResponse:
        now = self.clock.now_ms()
        offset = None if request.device_time is None else request.device_time - now
        async with write_transaction(self.engine) as conn:
            version, max_hlc = await versions.lock(conn)
            out, acked = await apply_mutations(
                conn, actor=actor, device_id=device_id, mutations=request.mutations,
                now_ms=now, version=version, max_hlc=max_hlc, device_offset_ms=offset,
                app_version=request.app_version)
        results = [MutationResult(id=mid, status=status,  # type: ignore[arg-type]
                                  error=None if error is None else ErrorOut(
                                      code=error.code, message=error.message,
                                      field=error.field))
                   for mid, status, error in out.results]
        return PushResponse(acked_seq=acked, server_time=now,
                            hlc=server_hlc(now_ms=now, max_applied=out.max_hlc),
                            results=results)

    async def pull(self, actor: Actor, *, cursor: str | None, limit: int) -> PullResponse:
        async with read_transaction(self.engine) as conn:
            # Read the committed version first: everything at or below it has committed
            # (versions are handed out in commit order), so it is a safe new cursor.
            upto, max_hlc = await versions.read(conn)
            scope = [c.id for c in await org.scope(conn, actor)]
            current = (cursors.decode(cursor, key=self.cursor_key, user_id=actor.id) if cursor
                       else cursors.Cursor(user_id=actor.id, since=0))
            granted, revoked = (await pulls.scope_changes(
                conn, user_id=actor.id, after=current.since, upto=upto)
                if current.since else (set(), set()))
            in_scope = set(scope)
            backfill = sorted((set(current.backfill) | granted) & in_scope)
            position = current.position
            if granted - set(current.backfill):
                # A community entered the scope mid-run: start the run again so none of
                # its records below the position is skipped (repeats are harmless).
                position = 0
            normal = [c for c in scope if c not in set(backfill)]
            changed = await records.changed(conn, normal=normal, backfill=backfill,
                                            since=current.since, position=position,
                                            upto=upto, limit=limit + 1)
        has_more = len(changed) > limit
        changed = changed[:limit]
        if has_more:
            following = cursors.Cursor(user_id=actor.id, since=current.since,
                                       position=int(changed[-1].version),
                                       backfill=tuple(backfill))
        else:
            following = cursors.Cursor(user_id=actor.id, since=upto)
        now = self.clock.now_ms()
        return PullResponse(
            cursor=cursors.encode(following, key=self.cursor_key), has_more=has_more,
            server_time=now, hlc=server_hlc(now_ms=now, max_applied=max_hlc),
            records=[RecordOut(kind=kind, id=record_id, community_id=community_id,
                               version=int(version), fields=msgspec.Raw(fields),
                               updated_at=_iso(int(updated_ms)), created_by=created_by,
                               created_at=_iso(int(created_ms)))
                     for (kind, record_id, community_id, version, fields, updated_ms,
                          created_by, created_ms) in changed],
            purge=sorted(revoked - in_scope))


async def apply_mutations(conn: AsyncConnection, *, actor: Actor, device_id: str,
                          mutations: list[Mutation], now_ms: int, version: int, max_hlc: str,
                          device_offset_ms: int | None,
                          app_version: str | None) -> tuple[BatchOutcome, int]:
    """Merge and store one batch; the caller holds the version lock. Returns (outcome, acked)."""
    suspect = device_offset_ms is not None and abs(device_offset_ms) > MAX_AHEAD_MS
    ids = [m.id for m in mutations]
    facts = Facts(
        received_ids=frozenset(await records.received_ids(conn, ids)),
        seq_owners=await records.seq_owners(conn, user_id=actor.id, device_id=device_id,
                                            seqs=[m.seq for m in mutations]),
        records=await records.load(conn, [m.record_id for m in mutations
                                          if RECORD_ID.match(m.record_id)]),
        writable=frozenset(c.id for c in await org.scope(conn, actor)),
    )
    out = merge_batch(mutations, facts, actor=actor, device_id=device_id, now_ms=now_ms,
                      version=version, max_hlc=max_hlc, clock_suspect=suspect)
    await records.save(conn, out.records.values())
    await records.log_mutations(conn, out.logged, user_id=actor.id, device_id=device_id,
                                now_ms=now_ms, device_offset_ms=device_offset_ms,
                                app_version=app_version)
    await records.log_conflicts(conn, out.conflicts, now_ms=now_ms,
                                new_id=lambda: str(uuid.uuid4()))
    acked = await outboxes.acked_seq(conn, user_id=actor.id, device_id=device_id)
    received = await records.received_seqs_after(conn, user_id=actor.id, device_id=device_id,
                                                 seq=acked)
    acked = advance_acked(acked, received)
    await outboxes.save(conn, user_id=actor.id, device_id=device_id, acked=acked, now_ms=now_ms,
                        clock_offset_ms=device_offset_ms, app_version=app_version)
    if out.version != version or out.max_hlc != max_hlc:
        await versions.advance(conn, version=out.version, max_hlc=out.max_hlc)
    return out, acked
