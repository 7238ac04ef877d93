"""SQL of the 12345 work orders: imports, their row errors, mapping, and QR use figures."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from sync.db.tables import communities, squads
from sync.db.tables_evaluation import work_order_import_errors, work_order_imports, work_orders
from sync.db.tables_qr import qr_codes, qr_events
from sync.domain.access import DISTRICT, District, Scope
from sync.evaluation.diversion import HotlineOrder
from sync.store.scope import community_in, squad_in

CHUNK = 1000


async def known_order_nos(conn: AsyncConnection, order_nos: Iterable[str]) -> set[str]:
    wanted = sorted(set(order_nos))
    found: set[str] = set()
    for start in range(0, len(wanted), CHUNK):
        rows = await conn.execute(sa.select(work_orders.c.order_no).where(
            work_orders.c.order_no.in_(wanted[start:start + CHUNK])))
        found.update(r.order_no for r in rows)
    return found


async def address_keywords(conn: AsyncConnection) -> list[tuple[str, str]]:
    rows = await conn.execute(sa.select(communities.c.id, communities.c.address_keywords)
                              .order_by(communities.c.id))
    return [(r.id, r.address_keywords or "") for r in rows]


async def add_import(conn: AsyncConnection, *, import_id: str, file_name: str, at_ms: int,
                     by: str, counts: tuple[int, int, int]) -> None:
    imported, duplicates, rejected = counts
    await conn.execute(work_order_imports.insert().values(
        id=import_id, file_name=file_name[:300], imported_ms=at_ms, imported_by=by,
        imported_count=imported, duplicate_count=duplicates, rejected_count=rejected))


async def insert_orders(conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    if rows:
        await conn.execute(work_orders.insert(), rows)


async def insert_errors(conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    if rows:
        await conn.execute(work_order_import_errors.insert(), rows)


async def import_errors(conn: AsyncConnection, import_id: str) -> list[dict[str, Any]]:
    rows = await conn.execute(sa.select(work_order_import_errors)
                              .where(work_order_import_errors.c.import_id == import_id)
                              .order_by(work_order_import_errors.c.row_number))
    return [dict(r._mapping) for r in rows]


async def imports(conn: AsyncConnection, *, limit: int = 50) -> list[dict[str, Any]]:
    rows = await conn.execute(sa.select(work_order_imports)
                              .order_by(work_order_imports.c.imported_ms.desc()).limit(limit))
    return [dict(r._mapping) for r in rows]


def _order_in(scope: Scope) -> ColumnElement[bool]:
    """Orders ``scope`` covers: placed in one of its communities, or placed in none and
    naming the street of one of its squads (``access.order_of_squad``)."""
    if isinstance(scope, District):
        return sa.true()
    street = work_orders.c.street
    named = sa.select(squads.c.id).where(
        squad_in(scope, squads.c.id), street != "",
        sa.func.substr(squads.c.name, 1, sa.func.length(street)) == street)
    return sa.or_(community_in(scope, work_orders.c.community_id),
                  sa.and_(work_orders.c.community_id.is_(None), sa.exists(named)))


async def unmapped_orders(conn: AsyncConnection, scope: Scope) -> list[dict[str, Any]]:
    """The orders of ``scope`` no community was found for, oldest first."""
    rows = await conn.execute(sa.select(work_orders).where(
        work_orders.c.community_id.is_(None), _order_in(scope))
        .order_by(work_orders.c.received_ms))
    return [dict(r._mapping) for r in rows]


async def get_order(conn: AsyncConnection, order_no: str, *,
                    scope: Scope = DISTRICT) -> dict[str, Any] | None:
    """The order, if ``scope`` covers it."""
    row = (await conn.execute(sa.select(work_orders).where(
        work_orders.c.order_no == order_no, _order_in(scope)))).first()
    return dict(row._mapping) if row else None


async def map_order(conn: AsyncConnection, order_no: str, *, community_id: str, by: str,
                    at_ms: int) -> None:
    await conn.execute(work_orders.update().where(work_orders.c.order_no == order_no)
                       .values(community_id=community_id, mapped_by=by, mapped_ms=at_ms))


async def orders_between(conn: AsyncConnection, *, from_ms: int,
                         to_ms: int) -> list[HotlineOrder]:
    rows = await conn.execute(
        sa.select(work_orders.c.order_no, work_orders.c.community_id,
                  work_orders.c.received_ms, work_orders.c.category, work_orders.c.address)
        .where(work_orders.c.received_ms >= from_ms, work_orders.c.received_ms < to_ms)
        .order_by(work_orders.c.received_ms))
    return [HotlineOrder(order_no=r.order_no, community_id=r.community_id,
                         received_ms=int(r.received_ms), category=r.category,
                         address=r.address) for r in rows]


async def qr_use(conn: AsyncConnection, *, from_ms: int,
                 to_ms: int) -> list[tuple[str, str, str, int]]:
    """(event, community, placement, at_ms) of every QR scan and report in the window."""
    rows = await conn.execute(
        sa.select(qr_events.c.event, qr_events.c.community_id, qr_codes.c.placement,
                  qr_events.c.at_ms)
        .join(qr_codes, qr_codes.c.code == qr_events.c.code)
        .where(qr_events.c.at_ms >= from_ms, qr_events.c.at_ms < to_ms))
    return [(r.event, r.community_id, r.placement, int(r.at_ms)) for r in rows]

