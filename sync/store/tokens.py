"""Bearer tokens (stored as SHA-256 hashes: a leaked table is no master key) and login attempts."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from sync.db.tables import login_attempts, tokens, users
from sync.domain.lockout import WINDOW_MS


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue(conn: AsyncConnection, *, user_id: str, device_id: str,
                device_name: str | None, now_ms: int, ttl_ms: int) -> tuple[str, int]:
    token = secrets.token_urlsafe(32)
    expires_ms = now_ms + ttl_ms
    await conn.execute(tokens.insert().values(
        token_hash=_digest(token), user_id=user_id, device_id=device_id,
        device_name=device_name, created_ms=now_ms, expires_ms=expires_ms))
    return token, expires_ms


async def lookup(conn: AsyncConnection, token: str, *, now_ms: int) -> Any | None:
    """The live token's row joined with its user, or None (unknown, expired, revoked, disabled)."""
    row = (await conn.execute(
        sa.select(tokens.c.device_id, tokens.c.expires_ms, users)
        .join(users, users.c.id == tokens.c.user_id)
        .where(tokens.c.token_hash == _digest(token), tokens.c.revoked_ms.is_(None),
               tokens.c.expires_ms > now_ms, users.c.disabled.is_(False)))).first()
    return row


async def revoke(conn: AsyncConnection, token: str, *, now_ms: int) -> None:
    await conn.execute(tokens.update().where(tokens.c.token_hash == _digest(token),
                                             tokens.c.revoked_ms.is_(None))
                       .values(revoked_ms=now_ms))


async def revoke_all(conn: AsyncConnection, user_id: str, *, now_ms: int) -> int:
    result = await conn.execute(tokens.update().where(
        tokens.c.user_id == user_id, tokens.c.revoked_ms.is_(None)).values(revoked_ms=now_ms))
    return int(result.rowcount or 0)


async def note_attempt(conn: AsyncConnection, username: str, *, ok: bool, now_ms: int,
                       address: str | None) -> None:
    await conn.execute(login_attempts.insert().values(username=username, at_ms=now_ms, ok=ok,
                                                      address=address))


async def failures_from(conn: AsyncConnection, address: str, *, now_ms: int) -> int:
    """Failed logins from ``address`` inside the throttle's window, whatever the username."""
    return int((await conn.execute(sa.select(sa.func.count()).where(
        login_attempts.c.address == address, login_attempts.c.ok.is_(False),
        login_attempts.c.at_ms > now_ms - WINDOW_MS))).scalar_one())


async def recent_attempts(conn: AsyncConnection, username: str, *,
                          now_ms: int) -> list[tuple[int, bool]]:
    rows = await conn.execute(sa.select(login_attempts.c.at_ms, login_attempts.c.ok).where(
        login_attempts.c.username == username, login_attempts.c.at_ms > now_ms - WINDOW_MS))
    return [(int(r.at_ms), bool(r.ok)) for r in rows]
