"""Visits between two times, for the weekly compliance matrix and the charts.

Read from ``console_visits`` (times as numbers, kept by triggers — see
sync/db/tables_console.py), not from every visit's JSON.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from sync.console.compliance import (
    MIN_VISIT_MS,
    WEEK_MS,
    WEEK_OFFSET_MS,
    Tally,
    VisitFact,
    monday_of_week_number,
)
from sync.db.tables_console import console_visits as v
from sync.store.jsonq import chunks


async def visits_between(conn: AsyncConnection, community_ids: list[str] | None, *,
                         start_ms: int, end_ms: int) -> list[VisitFact]:
    """Visits (not voided) that started in [start, end), in these communities (None: all)."""
    query = sa.select(v.c.record_id, v.c.community_id, v.c.liaison_id, v.c.start_ms,
                      v.c.end_ms).where(v.c.start_ms >= start_ms, v.c.start_ms < end_ms,
                                        v.c.voided.is_(False))
    batches = [query] if community_ids is None else [
        query.where(v.c.community_id.in_(chunk)) for chunk in chunks(community_ids)]
    found = []
    for batch in batches:
        for row in await conn.execute(batch):
            found.append(VisitFact(id=row.record_id, community_id=row.community_id,
                                   liaison_id=row.liaison_id, start_ms=int(row.start_ms),
                                   end_ms=None if row.end_ms is None else int(row.end_ms)))
    return found


async def week_tallies(conn: AsyncConnection, community_ids: list[str] | None, *,
                       start_ms: int, end_ms: int) -> list[Tally]:
    """Per community and Shanghai ISO week: visits, visits of ≥ 2 h, total visit time."""
    week = ((v.c.start_ms + WEEK_OFFSET_MS) // WEEK_MS).label("week")
    duration = sa.case((v.c.end_ms > v.c.start_ms, v.c.end_ms - v.c.start_ms), else_=0)
    query = sa.select(v.c.community_id, week, sa.func.count().label("visits"),
                      sa.func.sum(sa.case((duration >= MIN_VISIT_MS, 1), else_=0))
                      .label("qualifying"),
                      sa.func.sum(duration).label("visit_ms")).where(
        v.c.start_ms >= start_ms, v.c.start_ms < end_ms, v.c.voided.is_(False)).group_by(
        v.c.community_id, week)
    batches = [query] if community_ids is None else [
        query.where(v.c.community_id.in_(chunk)) for chunk in chunks(community_ids)]
    found = []
    for batch in batches:
        for row in await conn.execute(batch):
            found.append(Tally(community_id=row.community_id,
                               monday=monday_of_week_number(int(row.week)),
                               visits=int(row.visits), qualifying=int(row.qualifying or 0),
                               visit_ms=int(row.visit_ms or 0)))
    return found
