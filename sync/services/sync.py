"""Push and pull (design/sync-protocol.md): one transaction each."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass

import msgspec
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from sync.clock import Clock
from sync.db.engine import is_unavailable, read_transaction, write_transaction
from sync.domain import cursor as cursors
from sync.domain import refs
from sync.domain.access import Action, Subject
from sync.domain.batch import BatchOutcome, Screened, merge_batch, screen, to_log
from sync.domain.hlc import MAX_AHEAD_MS, server_hlc
from sync.domain.merge import RecordState
from sync.domain.roles import Actor
from sync.domain.shanghai import wire_iso
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

MAX_PULL_LIMIT = 5000
# Only a mutation or record id sent by two devices at once (a client bug) makes a push
# run again; the second attempt finds the id logged or the record stored.
PUSH_ATTEMPTS = 3
# A batch stamps all its records with one time, so a page of a pull holds few distinct
# ones: formatting each once saves most of the page's formatting work.
_iso = functools.lru_cache(maxsize=4096)(wire_iso)


class SyncService:
    def __init__(self, engine: AsyncEngine, clock: Clock, *, cursor_key: bytes) -> None:
        self.engine = engine
        self.clock = clock
        self.cursor_key = cursor_key

    async def push(self, actor: Actor, device_id: str, request: PushRequest, *,
                   may_hold_forbidden: bool = True) -> PushResponse:
        """``may_hold_forbidden=False``: ``text.may_hold_forbidden`` of the raw body is False."""
        now = self.clock.now_ms()
        offset = None if request.device_time is None else request.device_time - now
        for attempt in range(1, PUSH_ATTEMPTS + 1):
            try:
                async with write_transaction(self.engine) as conn:
                    received = await receive(conn, actor=actor, device_id=device_id,
                                             mutations=request.mutations, now_ms=now,
                                             device_offset_ms=offset,
                                             app_version=request.app_version,
                                             may_hold_forbidden=may_hold_forbidden,
                                             careful=attempt > 1)
                    out = await merge_received(conn, received, actor=actor,
                                               device_id=device_id, now_ms=now)
                break
            except DBAPIError as exc:
                # The connection dropped mid-push (a database restart or failover, a
                # terminated backend): nothing of it was committed, so run it again on
                # a fresh connection once the pool has one.
                if not is_unavailable(exc) or attempt == PUSH_ATTEMPTS:
                    raise
            except records.WrittenConcurrently:
                # A concurrent push logged one of these mutation ids first (another
                # device's push committed it, or it was held before and not looked up),
                # or created one of these records: the batch rolled back whole, and the
                # next attempt finds the id held (a duplicate) or the record stored.
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
        current = (cursors.decode(cursor, key=self.cursor_key, user_id=actor.id) if cursor
                   else cursors.Cursor(user_id=actor.id, since=0))
        async with read_transaction(self.engine) as conn:
            if current.upto:
                # A page run under way: it reads up to where its first page could.
                late, carried = list(current.late), list(current.in_flight)
                upto, max_hlc = current.upto, (await versions.horizon(conn)).max_hlc
            else:
                # Settle the transactions the last run saw in flight before reading how
                # far this one may go (store/versions.py).
                late, running = await versions.settle(conn, current.in_flight)
                upto, max_hlc, in_flight = await versions.horizon(conn)
                carried = sorted({*running, *in_flight})
            scope = await org.scope_ids(conn, await org.record_scope(conn, actor))
            granted, revoked = (await pulls.scope_changes(
                conn, user_id=actor.id, after=current.since, upto=upto, late=late)
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
                                            since=current.since, late=late,
                                            position=position, upto=upto, limit=limit + 1)
        has_more = len(changed) > limit
        changed = changed[:limit]
        if has_more:
            following = cursors.Cursor(
                user_id=actor.id, since=current.since, position=int(changed[-1].version),
                backfill=tuple(backfill), upto=upto, late=tuple(late),
                in_flight=tuple(carried))
        else:
            following = cursors.Cursor(user_id=actor.id, since=upto,
                                       in_flight=tuple(carried))
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
    """A batch logged and screened, with the records it touches read and locked."""

    mutations: list[Mutation]
    screened: list[Screened | None]
    fresh: set[str]  # ids the mutation log did not hold before
    applicable_hlcs: list[str]  # of the fresh mutations no check has rejected yet
    acked: int
    clock_suspect: bool
    stored: dict[str, RecordState]  # the touched records, row-locked until commit
    # The kind and community of every record the batch's references name that is stored
    # or written by the batch (domain/refs.py).
    places: dict[str, refs.Place]


async def receive(conn: AsyncConnection, *, actor: Actor, device_id: str,
                  mutations: list[Mutation], now_ms: int, device_offset_ms: int | None,
                  app_version: str | None, may_hold_forbidden: bool = True,
                  careful: bool = False) -> Received:
    """Screen and log one batch, acknowledge it, and read (locking them) the records it
    touches: everything a push does before the merge.

    The mutation log is searched for the batch's ids only if some of its seqs are logged
    (a batch sent again) or ``careful`` (a push run again after ``WrittenConcurrently``):
    otherwise only a client bug can repeat a logged id, and the log's COPY catches it."""
    await outboxes.lock(conn, user_id=actor.id, device_id=device_id)
    owners = await records.seq_owners(conn, user_id=actor.id, device_id=device_id,
                                      seqs=[m.seq for m in mutations])
    writable = frozenset(await org.scope_ids(conn, await org.scope_of(
        conn, actor, Subject.RECORDS, Action.WRITE)))
    screened = screen(mutations, actor=actor, device_id=device_id, now_ms=now_ms,
                      seq_owners=owners, writable=writable,
                      may_hold_forbidden=may_hold_forbidden)
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
    applicable = [s.mutation for s in screened
                  if s is not None and not s.final and s.mutation.id in fresh]
    stored = await records.load(conn, touched)
    named = refs.referenced_ids(applicable, stored)
    # A touched record is stored or new to this batch: only the others named are read.
    known = await records.places(conn, named - set(touched))
    known.update((i, refs.Place(s.kind, s.community_id))
                 for i in named if (s := stored.get(i)) is not None)
    places = refs.batch_places(mutations, known, named=named)
    return Received(mutations, screened, fresh, [m.hlc for m in applicable], acked,
                    clock_suspect=(device_offset_ms is not None
                                   and abs(device_offset_ms) > MAX_AHEAD_MS),
                    stored=stored, places=places)


async def merge_received(conn: AsyncConnection, received: Received, *, actor: Actor,
                         device_id: str, now_ms: int) -> BatchOutcome:
    """Claim versions for a received batch, merge it and store the outcome.

    A version for every mutation that may still apply, claimed with the greatest HLC
    among them (store/versions.py): one the stored record then rejects leaves a gap,
    which no reader minds, and the claimed HLC keeps the server's clock ahead of every
    applied one."""
    claimed: list[int] = []
    max_hlc = ""
    if received.applicable_hlcs:
        claimed, max_hlc = await versions.claim(conn, count=len(received.applicable_hlcs),
                                                max_hlc=max(received.applicable_hlcs))
    out = merge_batch(received.mutations, received.screened, fresh=received.fresh,
                      records=received.stored, places=received.places, actor=actor,
                      device_id=device_id, now_ms=now_ms, versions=claimed, max_hlc=max_hlc,
                      clock_suspect=received.clock_suspect)
    await records.save(conn, out.records.values(),
                       created=out.records.keys() - received.stored.keys())
    await records.relog(conn, out.relogged)
    await records.log_conflicts(conn, out.conflicts, now_ms=now_ms,
                                new_id=lambda: str(uuid.uuid4()))
    return out
