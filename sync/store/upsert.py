"""INSERT … ON CONFLICT for both back ends (their dialects spell it alike), and two
PostgreSQL-only bulk forms: one statement with the whole batch as one JSON parameter, and
a binary COPY for rows known to be new."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


def is_postgres(conn: AsyncConnection) -> bool:
    return conn.dialect.name == "postgresql"


def _insert(conn: AsyncConnection, table: sa.Table) -> Any:
    return postgresql.insert(table) if is_postgres(conn) else sqlite.insert(table)


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


async def insert_rows(conn: AsyncConnection, table: str, rows: Sequence[Any], *,
                      columns: Mapping[str, str], keys: Mapping[str, str] | None = None,
                      constants: Mapping[str, tuple[str, Any]] | None = None,
                      conflict: Sequence[str] = (), update: Sequence[str] = (),
                      returning: str | None = None) -> list[Any]:
    """PostgreSQL: insert ``rows`` (msgspec-encodable objects, e.g. Structs) in one
    ``INSERT … SELECT FROM jsonb_to_recordset($1)``; with ``conflict``, update the
    ``update`` columns of rows already there, or skip those rows when ``update`` is
    empty. With ``returning``, return that column of the rows written.

    ``columns`` maps a table column to its SQL type; each row supplies it under the same
    key, or under ``keys[column]``. ``constants`` are columns with one value for every
    row, sent once. One statement and one parameter whatever the row count: an
    executemany runs its statement once per row, and column arrays cost Python a type
    check per element. The JSON goes as bytes (``bytea``): as text it was decoded to a str
    and encoded back, a third of a push's server time. Table and column names come from
    our code, never from a request.
    """
    if not rows:
        return []
    result = await conn.exec_driver_sql(
        _insert_rows_sql(table, tuple(columns.items()), tuple((keys or {}).items()),
                         tuple((name, sql_type) for name, (sql_type, _) in
                               (constants or {}).items()),
                         tuple(conflict), tuple(update), returning),
        (_encode(rows), *(value for _, value in (constants or {}).values())))
    return list(result) if returning else []


_encode = msgspec.json.Encoder().encode


async def copy_rows(conn: AsyncConnection, table: str, columns: Sequence[str],
                    rows: Sequence[tuple[Any, ...]]) -> None:
    """PostgreSQL: append ``rows`` (tuples in ``columns`` order; jsonb columns as JSON
    bytes or text) with one binary ``COPY``, in the caller's transaction.

    No JSON for PostgreSQL to parse and no executor per row, but no ON CONFLICT either:
    only for rows the caller knows are new (ops/bench/RESULTS.md has the figures).
    """
    if not rows:
        return
    driver = (await conn.get_raw_connection()).driver_connection
    assert driver is not None
    # SQLAlchemy begins its transaction lazily, on the first statement it runs: a COPY
    # sent before one would commit on its own.
    assert conn.in_transaction() and driver.is_in_transaction(), "copy_rows needs a transaction"
    await driver.copy_records_to_table(table, columns=list(columns), records=rows)


@functools.lru_cache(maxsize=32)
def _insert_rows_sql(table: str, columns: tuple[tuple[str, str], ...],
                     keys: tuple[tuple[str, str], ...], constants: tuple[tuple[str, str], ...],
                     conflict: tuple[str, ...], update: tuple[str, ...],
                     returning: str | None) -> str:
    renamed = dict(keys)
    source = ", ".join(f"{renamed.get(name, name)} {sql_type}" for name, sql_type in columns)
    picked = [f"t.{renamed.get(name, name)}" for name, _ in columns]
    picked += [f"${n}::{sql_type}" for n, (_, sql_type) in enumerate(constants, start=2)]
    names = ", ".join([name for name, _ in columns] + [name for name, _ in constants])
    statement = (f"INSERT INTO {table} ({names}) SELECT {', '.join(picked)}"
                 f" FROM jsonb_to_recordset(convert_from($1::bytea, 'UTF8')::jsonb)"
                 f" AS t({source})")
    if conflict and update:
        assignments = ", ".join(f"{name} = excluded.{name}" for name in update)
        statement += f" ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {assignments}"
    elif conflict:
        statement += f" ON CONFLICT ({', '.join(conflict)}) DO NOTHING"
    if returning:
        statement += f" RETURNING {returning}"
    return statement
