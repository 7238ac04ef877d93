"""Reading the change feed for a pull, and the scope events behind backfill and purge."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from sync.db.tables import scope_events


async def scope_changes(conn: AsyncConnection, *, user_id: str, after: int, upto: int,
                        late: Sequence[tuple[int, int]] = ()) -> tuple[set[str], set[str]]:
    """Communities granted and revoked for ``user_id`` with versions in (after, upto] or
    in one of the ``late`` runs (first, last: store/versions.py)."""
    version = scope_events.c.version
    rows = await conn.execute(
        sa.select(scope_events.c.community_id, scope_events.c.granted)
        .where(scope_events.c.user_id == user_id, version <= upto,
               sa.or_(version > after, *(version.between(first, last) for first, last in late)))
        .order_by(scope_events.c.version, scope_events.c.id))
    latest: dict[str, bool] = {}
    for row in rows:
        latest[row.community_id] = bool(row.granted)
    return ({c for c, granted in latest.items() if granted},
            {c for c, granted in latest.items() if not granted})
