"""The version counter: hands out versions in commit order.

Every transaction that writes records takes the row lock on ``sync_state`` before it
reads the records it merges into (PostgreSQL: ``FOR UPDATE``; SQLite: the database write
lock taken by ``BEGIN IMMEDIATE``) and holds it until commit. A push logs its batch
before taking it (services/sync.py ``receive``); the log is not read by pulls.
So a transaction that drew smaller versions has always committed before one that draws
larger ones, and a pull that reads ``version > cursor`` can never skip a change that
commits late — the classic bug of plain sequences.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from sync.db.tables import sync_state
from sync.store.upsert import is_postgres


async def lock(conn: AsyncConnection) -> tuple[int, str]:
    """Take the write lock; return (last committed version, greatest applied HLC)."""
    row = (await conn.execute(
        sa.select(sync_state.c.version, sync_state.c.max_hlc)
        .where(sync_state.c.id == 1).with_for_update())).one()
    return int(row.version), str(row.max_hlc)


async def reserve(conn: AsyncConnection, *, count: int, max_hlc: str) -> tuple[int, str]:
    """Take the write lock and publish, in the same statement, ``count`` more versions and
    ``max_hlc`` as applied; return (the last version before them, the greatest applied
    HLC now published).

    For a push, which knows before the lock how many of its mutations may apply and the
    greatest HLC among them: it uses the versions it needs of those reserved, and skips
    ``advance`` (one round trip fewer while everyone else waits). Unused versions are
    gaps, which no reader minds; the published HLC may exceed the applied ones by a
    mutation that the stored record then rejected, which keeps the server's clock ahead
    of every applied HLC as before.
    """
    statement = _RESERVE_PG if is_postgres(conn) else _RESERVE_SQLITE
    row = (await conn.execute(statement, {"count": count, "hlc": max_hlc})).one()
    return int(row.version) - count, str(row.max_hlc)


def _reserve(ordered: sa.ColumnElement[str]) -> sa.Update:
    count = sa.bindparam("count", type_=sa.BigInteger)
    hlc = sa.bindparam("hlc", type_=sa.String)
    return (sync_state.update().where(sync_state.c.id == 1)
            .values(version=sync_state.c.version + count,
                    max_hlc=sa.case((ordered < hlc, hlc), else_=sync_state.c.max_hlc))
            .returning(sync_state.c.version, sync_state.c.max_hlc))


# Built once: a push runs it under the lock everyone waits for. HLCs order as bytes
# (sync/domain/hlc.py): PostgreSQL must not compare them by the database's collation;
# SQLite compares text as bytes already.
_RESERVE_PG = _reserve(sync_state.c.max_hlc.collate("C"))
_RESERVE_SQLITE = _reserve(sync_state.c.max_hlc)


async def advance(conn: AsyncConnection, *, version: int, max_hlc: str | None = None) -> None:
    """Publish ``version`` as used (call with the lock held, before commit)."""
    values: dict[str, object] = {"version": version}
    if max_hlc is not None:
        values["max_hlc"] = max_hlc
    await conn.execute(sync_state.update().where(sync_state.c.id == 1).values(**values))


async def read(conn: AsyncConnection) -> tuple[int, str]:
    """The last committed version and greatest applied HLC, without locking."""
    row = (await conn.execute(
        sa.select(sync_state.c.version, sync_state.c.max_hlc).where(sync_state.c.id == 1))).one()
    return int(row.version), str(row.max_hlc)
