"""Queries behind the review queues: conflicts and rejected mutations."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from sync.db.tables import conflicts, mutations, users


def _page(query: sa.Select[Any], time_column: sa.Column[Any], id_column: sa.Column[Any],
          before: tuple[int, str] | None, limit: int) -> sa.Select[Any]:
    if before is not None:
        at, key = before
        query = query.where(sa.or_(time_column < at,
                                   sa.and_(time_column == at, id_column < key)))
    return query.order_by(time_column.desc(), id_column.desc()).limit(limit)


async def list_conflicts(conn: AsyncConnection, *, communities: list[str] | None,
                         before: tuple[int, str] | None, limit: int,
                         unresolved_only: bool) -> list[Any]:
    query = sa.select(conflicts)
    if communities is not None:
        query = query.where(conflicts.c.community_id.in_(communities))
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


async def list_rejected(conn: AsyncConnection, *, communities: list[str] | None,
                        squad_id: str | None, before: tuple[int, str] | None,
                        limit: int) -> list[Any]:
    query = sa.select(mutations).where(mutations.c.status == "rejected")
    if communities is not None:
        # A squad leader sees what was sent to the squad's communities, and everything
        # the squad's own people sent (a liaison writing to a wrong community included).
        squad_users = sa.select(users.c.id).where(users.c.squad_id == squad_id)
        query = query.where(sa.or_(mutations.c.community_id.in_(communities),
                                   mutations.c.user_id.in_(squad_users)))
    return list(await conn.execute(_page(query, mutations.c.received_ms, mutations.c.id,
                                         before, limit)))
