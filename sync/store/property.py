"""Property inspections with their checklist answers and rectifications."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from sync.db.tables import records
from sync.store.jsonq import chunks, field_text, kind_is


async def inspections(conn: AsyncConnection, community_ids: list[str], *, since_ms: int,
                      company_id: str | None = None) -> list[Any]:
    found: list[Any] = []
    for chunk in chunks(community_ids):
        query = sa.select(records).where(kind_is("property_inspection"),
                                         records.c.community_id.in_(chunk),
                                         records.c.created_ms >= since_ms)
        if company_id is not None:
            query = query.where(field_text(conn, "property_company_id") == company_id)
        found.extend(await conn.execute(query))
    return found


async def children(conn: AsyncConnection, inspection_ids: list[str]) -> list[Any]:
    """Checklist answers and rectifications of these inspections."""
    found: list[Any] = []
    ref = field_text(conn, "inspection_id")
    for chunk in chunks(inspection_ids):
        found.extend(await conn.execute(sa.select(records).where(
            records.c.kind.in_(("inspection_item", "rectification")), ref.in_(chunk))))
    return found
