"""Console sessions: stored as SHA-256 hashes of the cookie's random id, like tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from sync.db.tables import console_sessions, users
from sync.domain.console_sessions import IDLE_MS, MAX_AGE_MS


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


async def open_session(conn: AsyncConnection, *, user_id: str, now_ms: int) -> str:
    session_id = secrets.token_urlsafe(32)
    await conn.execute(console_sessions.insert().values(
        session_hash=_digest(session_id), user_id=user_id, began_ms=now_ms, seen_ms=now_ms))
    return session_id


async def lookup(conn: AsyncConnection, session_id: str, *, now_ms: int) -> Any | None:
    """The live session's row (began_ms, seen_ms) joined with its user, or None."""
    return (await conn.execute(
        sa.select(console_sessions.c.began_ms, console_sessions.c.seen_ms, users)
        .join(users, users.c.id == console_sessions.c.user_id)
        .where(console_sessions.c.session_hash == _digest(session_id),
               console_sessions.c.ended_ms.is_(None),
               console_sessions.c.seen_ms > now_ms - IDLE_MS,
               console_sessions.c.began_ms > now_ms - MAX_AGE_MS,
               users.c.disabled.is_(False)))).first()


async def touch(conn: AsyncConnection, session_id: str, *, now_ms: int) -> None:
    await conn.execute(console_sessions.update().where(
        console_sessions.c.session_hash == _digest(session_id),
        console_sessions.c.ended_ms.is_(None)).values(seen_ms=now_ms))


async def end(conn: AsyncConnection, session_id: str, *, now_ms: int) -> None:
    await conn.execute(console_sessions.update().where(
        console_sessions.c.session_hash == _digest(session_id),
        console_sessions.c.ended_ms.is_(None)).values(ended_ms=now_ms))


async def end_all(conn: AsyncConnection, user_id: str, *, now_ms: int) -> int:
    result = await conn.execute(console_sessions.update().where(
        console_sessions.c.user_id == user_id, console_sessions.c.ended_ms.is_(None))
        .values(ended_ms=now_ms))
    return int(result.rowcount or 0)
