"""The audit log of security and organisation events: who, when, from where."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from sync.db.tables import audit_log


async def record(conn: AsyncConnection, *, at_ms: int, actor: str | None, action: str,
                 target: str | None = None, detail: dict[str, Any] | None = None,
                 source: str | None = None) -> None:
    await conn.execute(audit_log.insert().values(
        at_ms=at_ms, actor=actor, action=action, target=target, detail=detail, source=source))


async def recent(conn: AsyncConnection, *, limit: int = 100,
                 action: str | None = None) -> list[dict[str, Any]]:
    query = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if action is not None:
        query = query.where(audit_log.c.action == action)
    return [dict(row._mapping) for row in await conn.execute(query)]
