"""Per user and device: the acknowledged seq, the device's clock offset, its app version."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from sync.db.tables import outboxes
from sync.store import locks
from sync.store.upsert import upsert


async def lock(conn: AsyncConnection, *, user_id: str, device_id: str) -> None:
    """Hold this outbox until commit: one push per user and device at a time.

    The push reads and then writes the device's seqs and acknowledged seq, so two pushes
    of one outbox (a retry racing the original) must not interleave. SQLite: the
    transaction already holds the database's write lock.
    """
    await locks.hold(conn, f"outbox\x1f{user_id}\x1f{device_id}")


async def acked_seq(conn: AsyncConnection, *, user_id: str, device_id: str) -> int:
    row = (await conn.execute(sa.select(outboxes.c.acked_seq).where(
        outboxes.c.user_id == user_id, outboxes.c.device_id == device_id))).first()
    return int(row.acked_seq) if row else 0


async def save(conn: AsyncConnection, *, user_id: str, device_id: str, acked: int,
               now_ms: int, clock_offset_ms: int | None, app_version: str | None) -> None:
    row = {"user_id": user_id, "device_id": device_id, "acked_seq": acked,
           "last_push_ms": now_ms, "clock_offset_ms": clock_offset_ms,
           "app_version": app_version}
    update = ["acked_seq", "last_push_ms"]
    if clock_offset_ms is not None:
        update.append("clock_offset_ms")
    if app_version is not None:
        update.append("app_version")
    await upsert(conn, outboxes, [row], key=["user_id", "device_id"], update=update)
