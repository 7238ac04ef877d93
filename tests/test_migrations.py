"""The migrations build every database: up from empty, down to nothing, up again."""

from __future__ import annotations

import sqlalchemy as sa

from sync.db.all_tables import metadata
from sync.db.engine import make_engine
from sync.db.migrate import downgrade, upgrade
from tests.databases import Databases, run_blocking


async def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
    finally:
        await engine.dispose()
    return set(names) - {"alembic_version"}


async def _columns(url: str, table: str) -> set[str]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            cols = await conn.run_sync(lambda c: sa.inspect(c).get_columns(table))
    finally:
        await engine.dispose()
    return {c["name"] for c in cols}


def test_migrations_up_from_empty_down_and_up_again(databases: Databases, backend: str) -> None:
    url = databases.empty(backend)
    upgrade(url)
    tables = run_blocking(_tables(url))
    # The migrations and the tables the code uses agree, table by table, column by column.
    assert tables == set(metadata.tables)
    for name, table in metadata.tables.items():
        assert run_blocking(_columns(url, name)) == {c.name for c in table.columns}, name
    downgrade(url, "base")
    assert run_blocking(_tables(url)) == set()
    upgrade(url)
    assert run_blocking(_tables(url)) == set(metadata.tables)
