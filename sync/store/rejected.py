"""Which rejected mutations a supervisor has marked as dealt with."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from sync.db.tables import mutations
from sync.db.tables_console import console_rejected_handled as handled
from sync.store.upsert import insert_missing


async def handled_among(conn: AsyncConnection, mutation_ids: list[str]) -> dict[str, Any]:
    if not mutation_ids:
        return {}
    rows = await conn.execute(sa.select(handled).where(handled.c.mutation_id.in_(mutation_ids)))
    return {r.mutation_id: r for r in rows}


async def rejected_community(conn: AsyncConnection, mutation_id: str) -> tuple[str, str] | None:
    """(community id, sender's user id) of a rejected mutation, or None."""
    row = (await conn.execute(sa.select(mutations.c.community_id, mutations.c.user_id).where(
        mutations.c.id == mutation_id, mutations.c.status == "rejected"))).first()
    return None if row is None else (row.community_id, row.user_id)


async def mark_handled(conn: AsyncConnection, mutation_id: str, *, by: str, now_ms: int,
                       note: str | None) -> None:
    await insert_missing(conn, handled, [{"mutation_id": mutation_id, "handled_ms": now_ms,
                                          "handled_by": by, "note": note}])
