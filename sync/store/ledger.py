"""Queries behind the case ledger (工作台账): a filtered, paged list of cases and their steps.

Filters, counts and pages run on ``console_cases`` (narrow, trigger-kept columns); only
the page's records are opened.
"""

from __future__ import annotations

from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from schema.kinds import CASE_STAGES
from sync.db.tables import records
from sync.db.tables_console import console_cases as cc
from sync.domain import refs
from sync.store.jsonq import chunks, field_text, kind_is

SOURCE_GROUPS = {"qr": ("qr",), "hotline": ("hotline_12345",)}
UNRESOLVED = CASE_STAGES[:CASE_STAGES.index("resolved")]


class LedgerFilter(msgspec.Struct, frozen=True):
    community_ids: list[str] | None  # None: every community (the bureau, unfiltered)
    source: str | None = None  # qr | hotline | other
    category: str | None = None
    status: str | None = None
    received_from_ms: int | None = None
    received_to_ms: int | None = None


def _where(query: sa.Select[Any], f: LedgerFilter) -> sa.Select[Any]:
    if f.community_ids is not None:
        query = query.where(cc.c.community_id.in_(f.community_ids))
    if f.source in SOURCE_GROUPS:
        query = query.where(cc.c.source.in_(SOURCE_GROUPS[f.source]))
    elif f.source == "other":
        query = query.where(cc.c.source.not_in(("qr", "hotline_12345")))
    if f.category:
        query = query.where(cc.c.category == f.category)
    if f.status:
        query = query.where(cc.c.status == f.status)
    if f.received_from_ms is not None:
        query = query.where(cc.c.received_ms >= f.received_from_ms)
    if f.received_to_ms is not None:
        query = query.where(cc.c.received_ms < f.received_to_ms)
    return query


async def count(conn: AsyncConnection, f: LedgerFilter) -> int:
    if f.community_ids == []:
        return 0
    query = _where(sa.select(sa.func.count()).select_from(cc), f)
    return int((await conn.execute(query)).scalar_one())


async def page(conn: AsyncConnection, f: LedgerFilter, *, offset: int, limit: int) -> list[Any]:
    """The records of the page's cases, newest first."""
    if f.community_ids == []:
        return []
    query = _where(sa.select(cc.c.record_id), f).order_by(
        cc.c.received_ms.desc(), cc.c.record_id.desc()).offset(offset).limit(limit)
    return await cases_by_id(conn, [r.record_id for r in await conn.execute(query)])


async def unresolved(conn: AsyncConnection, f: LedgerFilter) -> list[Any]:
    """(record_id, received_ms, category, source, status, due_at) of the filter's cases
    not yet resolved, newest first: what their deadlines need, without their records."""
    if f.community_ids == []:
        return []
    query = _where(sa.select(cc.c.record_id, cc.c.received_ms, cc.c.category, cc.c.source,
                             cc.c.status, field_text(conn, "due_at").label("due_at"))
                   .join(records, records.c.id == cc.c.record_id)
                   .where(cc.c.status.in_(UNRESOLVED)), f)
    return list(await conn.execute(query.order_by(cc.c.received_ms.desc(),
                                                  cc.c.record_id.desc())))


async def cases_by_id(conn: AsyncConnection, ids: list[str]) -> list[Any]:
    """The records of these cases, in this order."""
    found: dict[str, Any] = {}
    for chunk in chunks(ids):
        found.update((r.id, r) for r in await conn.execute(
            sa.select(records).where(records.c.id.in_(chunk))))
    return [found[i] for i in ids if i in found]


async def get_case(conn: AsyncConnection, case_id: str) -> Any | None:
    return (await conn.execute(sa.select(records).where(
        records.c.id == case_id, kind_is("case")))).first()


async def steps_for(conn: AsyncConnection, cases: list[Any]) -> dict[str, list[Any]]:
    """The steps of these cases (records), by case id: only steps of the case's own
    community, as a step naming another community's case is nobody's (domain/refs.py)."""
    found: dict[str, list[Any]] = {c.id: [] for c in cases}
    wanted = {refs.key(c) for c in cases}
    case_ref = field_text(conn, "case_id")
    for chunk in chunks(list(found)):
        rows = await conn.execute(sa.select(records).where(kind_is("case_step"),
                                                           case_ref.in_(chunk)))
        for row in rows:
            community_id, case_id = refs.parent_key(row, "case_id")
            if (community_id, case_id) in wanted:
                found[case_id].append(row)
    return found


async def case_facts_since(conn: AsyncConnection, community_ids: list[str], *,
                           since_ms: int) -> list[Any]:
    """(created_ms, source, status) of cases received since ``since_ms``, for the charts."""
    found: list[Any] = []
    for chunk in chunks(community_ids):
        found.extend(await conn.execute(sa.select(
            cc.c.received_ms.label("created_ms"), cc.c.source, cc.c.status).where(
            cc.c.community_id.in_(chunk), cc.c.received_ms >= since_ms)))
    return found
