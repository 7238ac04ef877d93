"""Push and pull (design/sync-protocol.md): one transaction each."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from sync.clock import Clock
from sync.db.engine import read_transaction, write_transaction
from sync.domain import cursor as cursors
from sync.domain.batch import BatchOutcome, Screened, merge_batch, screen, to_log
from sync.domain.hlc import MAX_AHEAD_MS, server_hlc
from sync.domain.merge import RecordState
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
# Only a mutation id sent by two devices at once (a client bug) makes a push run again;
# the second attempt finds the id logged.
PUSH_ATTEMPTS = 3
# A batch stamps all its records with one time, so a page of a pull holds few distinct
# ones: formatting each once saves most of the page's formatting work.
_iso = functools.lru_cache(maxsize=4096)(iso)


class SyncService:
    def __init__(self, engine: AsyncEngine, clock: Clock, *, cursor_key: bytes) -> None:
        self.engine = engine
        self.clock = clock
        self.cursor_key = cursor_key

    async def push(self, actor: Actor, device_id: str, request: PushRequest, *,
                   may_hold_nul: bool = True) -> PushResponse:
        """``may_hold_nul=False``: the raw body had no ``\\u0000`` escape."""
        now = self.clock.now_ms()
        offset = None if request.device_time is None else request.device_time - now
        for attempt in range(1, PUSH_ATTEMPTS + 1):
            try:
                async with write_transaction(self.engine) as conn:
                    received = await receive(conn, actor=actor, device_id=device_id,
                                             mutations=request.mutations, now_ms=now,
                                             device_offset_ms=offset,
                                             app_version=request.app_version,
                                             may_hold_nul=may_hold_nul,
                                             careful=attempt > 1)
                    version, max_hlc = await versions.reserve(
                        conn, count=len(received.applicable_hlcs),
                        max_hlc=max(received.applicable_hlcs, default=""))
                    out = await merge_received(conn, received, actor=actor,
                                               device_id=device_id, now_ms=now,
                                               version=version, max_hlc=max_hlc)
                    assert out.version <= version + len(received.applicable_hlcs)
                break
            except records.LoggedConcurrently:
                # One of these mutation ids was logged already (another device's push
                # committed it first, or it was held before and not looked up): the batch
                # rolled back whole, and the next attempt finds the id held (a duplicate).
                if attempt == PUSH_ATTEMPTS:
                    raise
        results = [MutationResult(id=mid, status=status,  # type: ignore[arg-type]
                                  error=None if error is None else ErrorOut(
                                      code=error.code, message=error.message,
                                      field=error.field))
                   for mid, status, error in out.results]
        return PushResponse(acked_seq=received.acked, server_time=now,
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


@dataclass(frozen=True)
class Received:
    """A batch logged and screened, waiting for the version lock."""

    mutations: list[Mutation]
    screened: list[Screened | None]
    fresh: set[str]  # ids the mutation log did not hold before
    applicable_hlcs: list[str]  # of the fresh mutations no check has rejected yet
    acked: int
    clock_suspect: bool
    touched: list[str]  # the records the fresh mutations write
    # The touched records as they were at version ``stored_at``: under the lock, only
    # the ones changed since are read again.
    stored: dict[str, RecordState]
    stored_at: int


async def receive(conn: AsyncConnection, *, actor: Actor, device_id: str,
                  mutations: list[Mutation], now_ms: int, device_offset_ms: int | None,
                  app_version: str | None, may_hold_nul: bool = True,
                  careful: bool = False) -> Received:
    """Screen and log one batch, and acknowledge it: everything a push does that needs no
    stored record, so it runs before the version lock, side by side with other pushes.

    The mutation log is searched for the batch's ids only if some of its seqs are logged
    (a batch sent again) or ``careful`` (a push run again after ``LoggedConcurrently``):
    otherwise only a client bug can repeat a logged id, and the log's COPY catches it."""
    await outboxes.lock(conn, user_id=actor.id, device_id=device_id)
    owners = await records.seq_owners(conn, user_id=actor.id, device_id=device_id,
                                      seqs=[m.seq for m in mutations])
    writable = frozenset(c.id for c in await org.scope(conn, actor))
    screened = screen(mutations, actor=actor, device_id=device_id, now_ms=now_ms,
                      seq_owners=owners, writable=writable, may_hold_nul=may_hold_nul)
    fresh = await records.log_received(conn, to_log(screened), user_id=actor.id,
                                       device_id=device_id, now_ms=now_ms,
                                       device_offset_ms=device_offset_ms,
                                       app_version=app_version, look_up=careful or bool(owners))
    acked = await records.contiguous_seq(
        conn, user_id=actor.id, device_id=device_id,
        after=await outboxes.acked_seq(conn, user_id=actor.id, device_id=device_id))
    await outboxes.save(conn, user_id=actor.id, device_id=device_id, acked=acked, now_ms=now_ms,
                        clock_offset_ms=device_offset_ms, app_version=app_version)
    touched = [m.record_id for m in mutations
               if m.id in fresh and RECORD_ID.match(m.record_id)]
    # Read the version first: whatever commits after it has a greater one.
    stored_at, _ = await versions.read(conn)
    applicable_hlcs = [s.mutation.hlc for s in screened
                       if s is not None and not s.final and s.mutation.id in fresh]
    return Received(mutations, screened, fresh, applicable_hlcs, acked, clock_suspect=(
        device_offset_ms is not None and abs(device_offset_ms) > MAX_AHEAD_MS),
        touched=touched, stored=await records.load(conn, touched), stored_at=stored_at)


async def merge_received(conn: AsyncConnection, received: Received, *, actor: Actor,
                         device_id: str, now_ms: int, version: int,
                         max_hlc: str) -> BatchOutcome:
    """Merge a received batch and store the outcome; the caller holds the version lock
    (store/versions.py), whose ``version`` and ``max_hlc`` it passes, and publishes the
    outcome's: reserved with the lock (a push), or ``versions.advance`` afterwards."""
    # Every write of records publishes a greater version (store/versions.py): if none
    # committed since the pre-lock read, the records read then are current.
    since = ({} if version == received.stored_at else
             await records.load(conn, received.touched, changed_after=received.stored_at))
    stored = {**received.stored, **since}
    out = merge_batch(received.mutations, received.screened, fresh=received.fresh,
                      records=stored, actor=actor, device_id=device_id, now_ms=now_ms,
                      version=version, max_hlc=max_hlc,
                      clock_suspect=received.clock_suspect)
    await records.save(conn, out.records.values(), created=out.records.keys() - stored.keys())
    await records.relog(conn, out.relogged)
    await records.log_conflicts(conn, out.conflicts, now_ms=now_ms,
                                new_id=lambda: str(uuid.uuid4()))
    return out
