"""Queries behind the review queues: conflicts and rejected mutations."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from sync.db.tables import conflicts, mutations, users
from sync.domain.access import Scope
from sync.store.scope import community_in, squad_in


def _page(query: sa.Select[Any], time_column: sa.Column[Any], id_column: sa.Column[Any],
          before: tuple[int, str] | None, limit: int) -> sa.Select[Any]:
    if before is not None:
        at, key = before
        query = query.where(sa.or_(time_column < at,
                                   sa.and_(time_column == at, id_column < key)))
    return query.order_by(time_column.desc(), id_column.desc()).limit(limit)


async def list_conflicts(conn: AsyncConnection, *, scope: Scope,
                         before: tuple[int, str] | None, limit: int,
                         unresolved_only: bool) -> list[Any]:
    query = sa.select(conflicts).where(community_in(scope, conflicts.c.community_id))
    if unresolved_only:
        query = query.where(conflicts.c.resolved_ms.is_(None))
    return list(await conn.execute(_page(query, conflicts.c.detected_ms, conflicts.c.id,
                                         before, limit)))


async def get_conflict(conn: AsyncConnection, conflict_id: str) -> Any | None:
    return (await conn.execute(sa.select(conflicts).where(conflicts.c.id == conflict_id))).first()


async def mark_resolved(conn: AsyncConnection, conflict_id: str, *, now_ms: int, by: str,
                        mutation_id: str) -> None:
    await conn.execute(conflicts.update().where(conflicts.c.id == conflict_id).values(
        resolved_ms=now_ms, resolved_by=by, resolution_mutation_id=mutation_id))


async def list_rejected(conn: AsyncConnection, *, scope: Scope,
                        before: tuple[int, str] | None, limit: int) -> list[Any]:
    """Rejected mutations as ``access.may_see_rejected`` says: sent to a community of
    ``scope``, or sent by one of its people."""
    senders = sa.select(users.c.id).where(squad_in(scope, users.c.squad_id))
    query = sa.select(mutations).where(mutations.c.status == "rejected", sa.or_(
        community_in(scope, mutations.c.community_id), mutations.c.user_id.in_(senders)))
    return list(await conn.execute(_page(query, mutations.c.received_ms, mutations.c.id,
                                         before, limit)))
