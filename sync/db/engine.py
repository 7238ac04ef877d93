"""Engines for both back ends, and the two kinds of transaction the store uses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import msgspec
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

_json_encoder = msgspec.json.Encoder()
_json_decoder = msgspec.json.Decoder()


def _to_json(value: Any) -> str:
    return _json_encoder.encode(value).decode()


def _from_json(text: str | bytes) -> Any:
    return _json_decoder.decode(text)


def make_engine(url: str, *, pool_size: int = 8) -> AsyncEngine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_async_engine(
        url, json_serializer=_to_json, json_deserializer=_from_json,
        pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True,
    )


def _sqlite_engine(url: str) -> AsyncEngine:
    engine = create_async_engine(
        url, json_serializer=_to_json, json_deserializer=_from_json,
        connect_args={"timeout": 30},
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us issue BEGIN ourselves: the driver's implicit BEGIN is DEFERRED, and a
        # deferred transaction that reads and then writes can fail with SQLITE_BUSY
        # instead of waiting for the lock.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


@asynccontextmanager
async def write_transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A transaction that will write: on SQLite it takes the write lock up front."""
    async with engine.begin() as conn:
        yield conn


@asynccontextmanager
async def read_transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A read-only transaction: on SQLite it does not block writers (WAL)."""
    async with engine.connect() as conn:
        conn = await conn.execution_options(sqlite_begin="DEFERRED")
        async with conn.begin():
            yield conn
