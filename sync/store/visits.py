"""Visits and who owed them, for the weekly rule's matrix, its drill-down and the charts.

Visits are read from ``console_visits`` (times as numbers, kept by triggers — see
sync/db/tables_console.py), not from every visit's JSON. The database pre-aggregates
them per author, community and week, numbering the weeks and counting the long-enough
visits with the parameters the rule gives (sync/domain/weekly.py ``Bucketing``): no
minimum and no week arithmetic is written here.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from sync.db.tables_console import console_visits as v
from sync.domain.weekly import Bucket, Bucketing, Visit
from sync.store.jsonq import chunks


def _in(query: Any, column: Any, community_ids: list[str] | None) -> list[Any]:
    if community_ids is None:
        return [query]
    return [query.where(column.in_(chunk)) for chunk in chunks(community_ids)]


async def visits_between(conn: AsyncConnection, community_ids: list[str] | None, *,
                         start_ms: int, end_ms: int) -> list[Visit]:
    """Visits, voided ones too, that started in [start, end) in these communities
    (None: all)."""
    query = sa.select(v.c.record_id, v.c.community_id, v.c.liaison_id, v.c.start_ms,
                      v.c.end_ms, v.c.voided).where(v.c.start_ms >= start_ms,
                                                    v.c.start_ms < end_ms)
    found = []
    for batch in _in(query, v.c.community_id, community_ids):
        for row in await conn.execute(batch):
            found.append(Visit(id=row.record_id, community_id=row.community_id,
                               liaison_id=row.liaison_id, start_ms=int(row.start_ms),
                               end_ms=None if row.end_ms is None else int(row.end_ms),
                               voided=bool(row.voided)))
    return found


async def week_buckets(conn: AsyncConnection, community_ids: list[str] | None, *,
                       start_ms: int, end_ms: int, bucketing: Bucketing) -> list[Bucket]:
    """Per community, author, week and voided-or-not: visits, long-enough visits, total
    and longest visit time, of the visits that started in [start, end)."""
    # Rendered as literals, so the grouped expression and the selected one are the same
    # text (PostgreSQL matches GROUP BY expressions textually, bound parameters differ).
    offset = sa.literal(bucketing.offset_ms, sa.BigInteger, literal_execute=True)
    week_ms = sa.literal(bucketing.week_ms, sa.BigInteger, literal_execute=True)
    minimum = sa.literal(bucketing.min_visit_ms, sa.BigInteger, literal_execute=True)
    week = ((v.c.start_ms + offset) // week_ms).label("week")
    duration = sa.case((v.c.end_ms > v.c.start_ms, v.c.end_ms - v.c.start_ms), else_=0)
    query = sa.select(
        v.c.community_id, v.c.liaison_id, week, v.c.voided, sa.func.count().label("visits"),
        sa.func.sum(sa.case((sa.and_(v.c.end_ms.is_not(None), duration >= minimum), 1),
                            else_=0)).label("qualifying"),
        sa.func.sum(duration).label("visit_ms"), sa.func.max(duration).label("longest_ms"),
    ).where(v.c.start_ms >= start_ms, v.c.start_ms < end_ms).group_by(
        v.c.community_id, v.c.liaison_id, week, v.c.voided)
    found = []
    for batch in _in(query, v.c.community_id, community_ids):
        for row in await conn.execute(batch):
            found.append(Bucket(community_id=row.community_id, liaison_id=row.liaison_id,
                                week=int(row.week), voided=bool(row.voided),
                                visits=int(row.visits), qualifying=int(row.qualifying or 0),
                                visit_ms=int(row.visit_ms or 0),
                                longest_ms=int(row.longest_ms or 0)))
    return found
