"""The records of one community over a period, for the record book (社区工作室记录本)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from sync.db.tables import records

# Offline work reaches the server late: a record of the period may arrive this long after.
LATE_ARRIVAL_MS = 14 * 24 * 3600 * 1000


async def community_records(conn: AsyncConnection, community_id: str, *, start_ms: int,
                            end_ms: int) -> list[Any]:
    """Candidates: received from the period's start until well after its end.

    The caller keeps those whose own time (visit start, step time, first write) falls in
    the period.
    """
    rows = await conn.execute(sa.select(records).where(
        records.c.community_id == community_id, records.c.created_ms >= start_ms - 86_400_000,
        records.c.created_ms < end_ms + LATE_ARRIVAL_MS,
        records.c.kind != "duty_log_review"))
    return list(rows)
