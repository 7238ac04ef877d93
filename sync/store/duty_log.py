"""Queries behind the daily duty log: what each liaison touched on a day, from any device."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from sync.db.tables import conflicts, mutations, records
from sync.store.jsonq import chunks, hlc_floor


class Touch:
    __slots__ = ("user_id", "record_id", "hlc", "device_id", "offset_ms")

    def __init__(self, row: Any) -> None:
        self.user_id: str = row.user_id
        self.record_id: str = row.record_id
        self.hlc: str = row.hlc
        self.device_id: str = row.device_id
        self.offset_ms: int | None = row.device_offset_ms


# A literal, not a bound parameter: only then can both back ends see that the query
# stays within the partial index ``ix_console_mutations_applied_hlc`` (migration 0009).
_APPLIED = mutations.c.status == sa.literal_column("'applied'")


def _touch_query(start_ms: int, end_ms: int) -> sa.Select[Any]:
    """One day's range of the applied-mutation index; callers add who or where."""
    return sa.select(mutations.c.user_id, mutations.c.record_id, mutations.c.hlc,
                     mutations.c.device_id, mutations.c.device_offset_ms).where(
        mutations.c.hlc >= hlc_floor(start_ms), mutations.c.hlc < hlc_floor(end_ms),
        _APPLIED)


async def touched_by(conn: AsyncConnection, user_ids: list[str], *, start_ms: int,
                     end_ms: int) -> list[Touch]:
    """Applied mutations by these users whose HLC (device time) falls in [start, end)."""
    if not user_ids:
        return []
    found: list[Touch] = []
    for chunk in chunks(user_ids):
        rows = await conn.execute(_touch_query(start_ms, end_ms).where(
            mutations.c.user_id.in_(chunk)))
        found.extend(Touch(r) for r in rows)
    return found


async def touched_in(conn: AsyncConnection, community_ids: list[str], *, start_ms: int,
                     end_ms: int, exclude_user: str) -> list[Touch]:
    """What others (colleagues, residents' QR reports, supervisors) did in these communities."""
    if not community_ids:
        return []
    rows = await conn.execute(_touch_query(start_ms, end_ms).where(
        mutations.c.community_id.in_(community_ids), mutations.c.user_id != exclude_user,
        mutations.c.device_id != "console"))
    return [Touch(r) for r in rows]


async def load_rows(conn: AsyncConnection, record_ids: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for chunk in chunks(sorted(set(record_ids))):
        for row in await conn.execute(sa.select(records).where(records.c.id.in_(chunk))):
            found[row.id] = row
    return found


async def conflicted(conn: AsyncConnection, record_ids: list[str]) -> dict[str, int]:
    """Unresolved conflicts per record."""
    counts: dict[str, int] = {}
    for chunk in chunks(sorted(set(record_ids))):
        rows = await conn.execute(
            sa.select(conflicts.c.record_id, sa.func.count()).where(
                conflicts.c.record_id.in_(chunk), conflicts.c.resolved_ms.is_(None))
            .group_by(conflicts.c.record_id))
        counts.update({r[0]: int(r[1]) for r in rows})
    return counts
