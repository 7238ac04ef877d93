"""The diversion report (R3, R7): per community and month, workroom cases against 12345,
repeat complaints, and QR adoption (scans → reports per placement)."""

from __future__ import annotations

import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine

from sync.db.engine import read_transaction
from sync.domain.roles import Actor
from sync.domain.shanghai import month_of
from sync.evaluation.diversion import (
    REPEAT_WINDOW_MS,
    DiversionRow,
    RepeatComplaint,
    by_month,
    complaints,
    district_trend,
    repeats,
)
from sync.evaluation.facts import Workroom
from sync.evaluation.period import parse_period
from sync.evaluation.service import evaluation_scope
from sync.store import evaluation as store
from sync.store import work_orders


class AdoptionRow(msgspec.Struct, frozen=True):
    community_id: str
    placement: str
    month: str
    scans: int
    reports: int


class DiversionReport(msgspec.Struct, frozen=True):
    period: str
    months: list[str]
    workrooms: list[Workroom]
    rows: list[DiversionRow]
    trend: list[DiversionRow]
    repeats: list[RepeatComplaint]
    adoption: list[AdoptionRow]


class Diversion:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def report(self, period_code: str, *, actor: Actor | None) -> DiversionReport:
        scope = evaluation_scope(actor)
        period = parse_period(period_code)
        months = period.months()
        async with read_transaction(self.engine) as conn:
            rooms = await store.workrooms(conn, scope=scope,
                                          during=(period.start_ms, period.end_ms))
            ids = [r.community_id for r in rooms]
            # A month back, so a repeat of a complaint from before the period is seen.
            since = period.start_ms - REPEAT_WINDOW_MS
            cases = [r for r in await store.period_records(conn, community_ids=ids, from_ms=since)
                     if r.kind == "case" and r.created_ms < period.end_ms]
            orders = [o for o in await work_orders.orders_between(
                conn, from_ms=since, to_ms=period.end_ms) if o.community_id in ids]
            use = await work_orders.qr_use(conn, from_ms=period.start_ms, to_ms=period.end_ms)
        items = complaints(cases, orders)
        rows = by_month(items, months=months, community_ids=ids)
        in_period = [r for r in repeats(items) if period.contains(r.repeat.at_ms)]
        return DiversionReport(period=period.code, months=months, workrooms=rooms, rows=rows,
                               trend=district_trend(rows, months), repeats=in_period,
                               adoption=_adoption(use, community_ids=ids))


def _adoption(use: list[tuple[str, str, str, int]], *,
              community_ids: list[str]) -> list[AdoptionRow]:
    """Scans and reports per community, placement and month, from the QR use events."""
    counts: dict[tuple[str, str, str], list[int]] = {}
    for event, community_id, placement, at_ms in use:
        if community_id not in community_ids:
            continue
        slot = counts.setdefault((community_id, placement, month_of(at_ms)), [0, 0])
        slot[0 if event == "scan" else 1] += 1
    return [AdoptionRow(community_id=c, placement=p, month=m, scans=s, reports=r)
            for (c, p, m), (s, r) in sorted(counts.items())]
