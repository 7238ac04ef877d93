"""Reading the change feed for a pull, and the scope events behind backfill and purge."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from sync.db.tables import records, scope_events
from sync.domain.merge import RecordState
from sync.store.records import record_from_row


async def scope_changes(conn: AsyncConnection, *, user_id: str, after: int,
                        upto: int) -> tuple[set[str], set[str]]:
    """Communities granted and revoked for ``user_id`` with versions in (after, upto]."""
    rows = await conn.execute(
        sa.select(scope_events.c.community_id, scope_events.c.granted)
        .where(scope_events.c.user_id == user_id, scope_events.c.version > after,
               scope_events.c.version <= upto)
        .order_by(scope_events.c.version, scope_events.c.id))
    latest: dict[str, bool] = {}
    for row in rows:
        latest[row.community_id] = bool(row.granted)
    return ({c for c, granted in latest.items() if granted},
            {c for c, granted in latest.items() if not granted})


async def changes(conn: AsyncConnection, *, normal: list[str], backfill: list[str],
                  since: int, position: int, upto: int, limit: int) -> list[RecordState]:
    """Records changed since ``since`` in ``normal`` communities, and every record of the
    ``backfill`` communities, all after ``position`` and at most ``upto``, in version order."""
    clauses = []
    if normal:
        clauses.append(sa.and_(records.c.community_id.in_(normal),
                               records.c.version > max(since, position)))
    if backfill:
        clauses.append(sa.and_(records.c.community_id.in_(backfill),
                               records.c.version > position))
    if not clauses:
        return []
    query = (sa.select(records).where(sa.or_(*clauses), records.c.version <= upto)
             .order_by(records.c.version).limit(limit))
    return [record_from_row(row) for row in await conn.execute(query)]
