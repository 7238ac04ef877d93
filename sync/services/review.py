"""The review queues for squad leaders and the bureau: conflicts and rejected mutations."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from sync.clock import Clock
from sync.db.engine import read_transaction, write_transaction
from sync.domain import access
from sync.domain.access import Action, Subject
from sync.domain.roles import Actor
from sync.domain.shanghai import wire_iso
from sync.errors import DomainError
from sync.protocol import (
    ConflictOut,
    ConflictSide,
    ConflictsResponse,
    RejectedOut,
    RejectedResponse,
    ResolveConflictRequest,
)
from sync.services.server_writes import CONSOLE_DEVICE, ServerWrite, write_records
from sync.store import org, people, review


def encode_before(at_ms: int, key: str) -> str:
    return f"{at_ms}.{key}"


def decode_before(text: str | None) -> tuple[int, str] | None:
    if not text:
        return None
    at, _, key = text.partition(".")
    if not at.isdigit() or not key:
        raise DomainError("invalid_cursor", field="before")
    return int(at), key


class ReviewService:
    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    async def names(self, user_ids: list[str]) -> dict[str, str]:
        """The names of the people the queues' entries mention."""
        async with read_transaction(self.engine) as conn:
            return await people.names(conn, user_ids)

    async def conflicts(self, actor: Actor, *, before: str | None, limit: int,
                        unresolved_only: bool) -> ConflictsResponse:
        async with read_transaction(self.engine) as conn:
            scope = await _scope(conn, actor, Subject.CONFLICTS, Action.READ)
            rows = await review.list_conflicts(conn, scope=scope,
                                               before=decode_before(before), limit=limit,
                                               unresolved_only=unresolved_only)
        return ConflictsResponse(
            conflicts=[conflict_out(r) for r in rows],
            next_before=encode_before(rows[-1].detected_ms, rows[-1].id)
            if len(rows) == limit else None)

    async def resolve(self, actor: Actor, conflict_id: str,
                      choice: ResolveConflictRequest) -> ConflictOut:
        now = self.clock.now_ms()
        async with write_transaction(self.engine) as conn:
            scope = await _scope(conn, actor, Subject.CONFLICTS, Action.WRITE)
            row = await review.get_conflict(conn, conflict_id)
            if row is None or not access.covers(scope, community_id=row.community_id,
                                                squad_id=await _squad_of(conn, row)):
                raise DomainError("not_found")
            if row.resolved_ms is not None:
                raise DomainError("conflict_resolved")
            value = {"winner": row.winner["value"], "loser": row.loser["value"]}.get(
                choice.choose, choice.value)
            out = await write_records(conn, [ServerWrite(
                kind=row.kind, record_id=row.record_id, community_id=row.community_id,
                fields={row.field: value})], author=actor, device_id=CONSOLE_DEVICE, now_ms=now)
            mutation_id = out.results[0][0]
            await review.mark_resolved(conn, conflict_id, now_ms=now, by=actor.id,
                                       mutation_id=mutation_id)
            resolved = await review.get_conflict(conn, conflict_id)
        return conflict_out(resolved)

    async def rejected(self, actor: Actor, *, before: str | None,
                       limit: int) -> RejectedResponse:
        async with read_transaction(self.engine) as conn:
            scope = await _scope(conn, actor, Subject.REJECTED, Action.READ)
            rows = await review.list_rejected(conn, scope=scope, before=decode_before(before),
                                              limit=limit)
        return RejectedResponse(
            rejected=[RejectedOut(
                id=r.id, device_id=r.device_id, user_id=r.user_id, code=r.error_code,
                message=r.error_message, field=r.error_field, received_at=wire_iso(r.received_ms),
                mutation={"id": r.id, "seq": r.seq, "hlc": r.hlc, "kind": r.kind,
                          "record_id": r.record_id, "community_id": r.community_id,
                          "base_version": r.base_version, "fields": r.fields})
                for r in rows],
            next_before=encode_before(rows[-1].received_ms, rows[-1].id)
            if len(rows) == limit else None)


async def _scope(conn: AsyncConnection, actor: Actor, subject: Subject,
                 action: Action) -> access.Scope:
    access.require(actor, subject, action)
    return await org.scope_of(conn, actor, subject, action)


async def _squad_of(conn: AsyncConnection, row: Any) -> str | None:
    found = await org.communities_of(conn, ids=[row.community_id])
    return found[0].squad_id if found else None


def conflict_out(row: Any) -> ConflictOut:
    return ConflictOut(
        id=row.id, kind=row.kind, record_id=row.record_id, community_id=row.community_id,
        field=row.field, winner=ConflictSide(**row.winner), loser=ConflictSide(**row.loser),
        detected_at=wire_iso(row.detected_ms),
        resolved_at=wire_iso(row.resolved_ms) if row.resolved_ms is not None else None)
