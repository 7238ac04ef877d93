"""Engines for both back ends, and the two kinds of transaction the store uses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import msgspec
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from sync.db.json import decode_stored

_json_encoder = msgspec.json.Encoder()


def _to_json(value: Any) -> str:
    return _json_encoder.encode(value).decode()


def _from_json(text: str | bytes) -> Any:
    return decode_stored(text)


def make_engine(url: str, *, pool_size: int = 8) -> AsyncEngine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    engine = create_async_engine(
        url, json_serializer=_json_encoder.encode, json_deserializer=_from_json,
        pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True,
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # JSON as bytes both ways: SQLAlchemy's own asyncpg codec takes and gives str,
        # so every value was encoded to bytes by msgspec, decoded to str, and encoded
        # back (and the reverse on reads) — and a COPY had to do the same.
        dbapi_connection.run_async(_json_as_bytes)

    return engine


async def _json_as_bytes(conn: Any) -> None:
    """Runs after the dialect's own connect hook, so these codecs replace its."""
    await conn.set_type_codec("jsonb", encoder=_jsonb_bytes, decoder=_from_jsonb,
                              schema="pg_catalog", format="binary")
    await conn.set_type_codec("json", encoder=_json_bytes, decoder=_from_json,
                              schema="pg_catalog", format="binary")


def _json_bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode()


def _jsonb_bytes(value: str | bytes) -> bytes:
    # jsonb's binary format: a version byte, then the JSON text.
    return b"\x01" + _json_bytes(value)


def _from_jsonb(data: bytes) -> Any:
    return decode_stored(memoryview(data)[1:])


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


def is_unavailable(exc: BaseException) -> bool:
    """The database could not be reached, or dropped the connection mid-transaction (a
    restart, a failover, a terminated backend): nothing the request did is committed,
    and the same request may succeed a moment later."""
    if isinstance(exc, DBAPIError):
        return bool(exc.connection_invalidated) or isinstance(exc.orig, OSError)
    return isinstance(exc, OSError | asyncpg.exceptions.CannotConnectNowError |
                      asyncpg.exceptions.ConnectionDoesNotExistError)


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
