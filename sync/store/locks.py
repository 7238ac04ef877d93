"""Named locks held until commit: one writer at a time where a check and the write that
follows it must not interleave with another's.

PostgreSQL: a transaction-scoped advisory lock on the name's hash. SQLite: nothing to
take, the write transaction holds the database's write lock (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from sync.store.upsert import is_postgres


async def hold(conn: AsyncConnection, name: str) -> None:
    """Hold the lock ``name`` until this transaction ends."""
    if is_postgres(conn):
        await conn.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                                   (name,))
