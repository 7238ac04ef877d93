"""INSERT … ON CONFLICT for both back ends (their dialects spell it alike)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


def _insert(conn: AsyncConnection, table: sa.Table) -> Any:
    return (postgresql.insert(table) if conn.dialect.name == "postgresql"
            else sqlite.insert(table))


async def upsert(conn: AsyncConnection, table: sa.Table, rows: Sequence[dict[str, Any]], *,
                 key: Sequence[str], update: Sequence[str]) -> None:
    if not rows:
        return
    statement = _insert(conn, table)
    statement = statement.on_conflict_do_update(
        index_elements=list(key), set_={name: statement.excluded[name] for name in update})
    await conn.execute(statement, list(rows))


async def insert_missing(conn: AsyncConnection, table: sa.Table,
                         rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows whose key is not there yet; leave existing ones alone."""
    if not rows:
        return
    await conn.execute(_insert(conn, table).on_conflict_do_nothing(), list(rows))
