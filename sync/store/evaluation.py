"""SQL of the assessment: workrooms, a period's records, manual scores, nominations."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from sync.db.tables import records
from sync.db.tables_evaluation import assessment_scores, nominations
from sync.db.tables_qr import qr_codes
from sync.domain.access import DISTRICT, Scope
from sync.evaluation.facts import ManualScore, Rec, Workroom
from sync.store import org

# The kinds any formula reads.
ASSESSED_KINDS = ("visit", "case", "case_step", "publicity_event", "suggestion",
                  "participation", "property_inspection", "rectification")


async def workrooms(conn: AsyncConnection, *, scope: Scope = DISTRICT,
                    during: tuple[int, int] | None = None) -> list[Workroom]:
    """The workroom of every community ``scope`` covers, with its active liaisons: those
    assigned now, or with ``during`` (start, end in ms) those assigned at any time in it."""
    cards = await org.cards(conn, scope)
    spans = await _liaisons_by_community(conn, during)
    placements = await _active_placements(conn)
    return [Workroom(card=card, liaison_spans=tuple(spans.get(card.community.id, ())),
                     qr_placements=frozenset(placements.get(card.community.id, ())))
            for card in cards]


async def _active_placements(conn: AsyncConnection) -> dict[str, set[str]]:
    """The placements where each community has a QR code posted and not revoked."""
    rows = await conn.execute(sa.select(qr_codes.c.community_id, qr_codes.c.placement)
                              .where(qr_codes.c.revoked_ms.is_(None)))
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row.community_id, set()).add(row.placement)
    return found


async def _liaisons_by_community(
        conn: AsyncConnection, during: tuple[int, int] | None,
) -> dict[str, list[tuple[str, int, int | None]]]:
    """Community id -> (liaison id, from ms, to ms) of the assignments covering it."""
    found: dict[str, list[tuple[str, int, int | None]]] = {}
    for span in await org.liaison_assignments(conn, during=during):
        found.setdefault(span.community_id, []).append((span.liaison_id, span.from_ms, span.to_ms))
    return found


async def period_records(conn: AsyncConnection, *, community_ids: list[str],
                         from_ms: int) -> list[Rec]:
    """Records a period's formulas read: stored on the server since its first day.

    A record reaches the server after what it records happened, so nothing of the
    period is older than its first day; later periods' records are filtered by the
    formulas, which read the recorded times.
    """
    rows = await conn.execute(
        sa.select(records.c.id, records.c.kind, records.c.community_id, records.c.fields,
                  records.c.created_by, records.c.created_ms, records.c.updated_ms)
        .where(records.c.kind.in_(ASSESSED_KINDS), records.c.created_ms >= from_ms,
               records.c.community_id.in_(community_ids))
        .order_by(records.c.created_ms, records.c.id))
    return [Rec(id=r.id, kind=r.kind, community_id=r.community_id, fields=r.fields,
                created_by=r.created_by, created_ms=int(r.created_ms),
                updated_ms=int(r.updated_ms)) for r in rows]


# --- manual scores ------------------------------------------------------------------------

def _score(row: Any) -> ManualScore:
    return ManualScore(id=row.id, period=row.period, community_id=row.community_id,
                       criterion_id=row.criterion_id, points=float(row.points), note=row.note,
                       by_user=row.by_user, by_name=row.by_name, at_ms=int(row.at_ms),
                       contested_by=row.contested_by, contest_reason=row.contest_reason,
                       contested_ms=row.contested_ms)


async def manual_scores(conn: AsyncConnection, period: str) -> list[ManualScore]:
    rows = await conn.execute(sa.select(assessment_scores)
                              .where(assessment_scores.c.period == period)
                              .order_by(assessment_scores.c.at_ms, assessment_scores.c.id))
    return [_score(r) for r in rows]


async def get_manual_score(conn: AsyncConnection, score_id: str) -> ManualScore | None:
    row = (await conn.execute(sa.select(assessment_scores)
                              .where(assessment_scores.c.id == score_id))).first()
    return _score(row) if row else None


async def add_manual_score(conn: AsyncConnection, score: ManualScore) -> None:
    await conn.execute(assessment_scores.insert().values(
        id=score.id, period=score.period, community_id=score.community_id,
        criterion_id=score.criterion_id, points=score.points, note=score.note,
        by_user=score.by_user, by_name=score.by_name, at_ms=score.at_ms))


async def contest_manual_score(conn: AsyncConnection, score_id: str, *, by: str, reason: str,
                               at_ms: int) -> None:
    await conn.execute(assessment_scores.update().where(assessment_scores.c.id == score_id)
                       .values(contested_by=by, contest_reason=reason, contested_ms=at_ms))


# --- nominations --------------------------------------------------------------------------

async def list_nominations(conn: AsyncConnection, period: str) -> list[dict[str, Any]]:
    rows = await conn.execute(sa.select(nominations).where(nominations.c.period == period)
                              .order_by(nominations.c.rank, nominations.c.community_id))
    return [dict(r._mapping) for r in rows]


async def nominate(conn: AsyncConnection, *, period: str, community_id: str, rank: int,
                   total: float, by: str, at_ms: int) -> bool:
    """Record a nomination; False when the workroom is already on the period's list."""
    exists = (await conn.execute(sa.select(nominations.c.status).where(
        nominations.c.period == period, nominations.c.community_id == community_id))).first()
    if exists:
        return False
    await conn.execute(nominations.insert().values(
        period=period, community_id=community_id, rank=rank, total=total, status="nominated",
        nominated_by=by, nominated_ms=at_ms))
    return True


async def decide_nomination(conn: AsyncConnection, *, period: str, community_id: str,
                            status: str, by: str, at_ms: int, note: str | None) -> bool:
    result = await conn.execute(nominations.update().where(
        nominations.c.period == period, nominations.c.community_id == community_id)
        .values(status=status, decided_by=by, decided_ms=at_ms, note=note))
    return bool(result.rowcount)


async def awarded_communities(conn: AsyncConnection, period: str) -> set[str]:
    rows = await conn.execute(sa.select(nominations.c.community_id).where(
        nominations.c.period == period, nominations.c.status == "awarded"))
    return {r.community_id for r in rows}


async def get_record(conn: AsyncConnection, record_id: str) -> Rec | None:
    """One record, for the click-through from a score to what it was computed from."""
    row = (await conn.execute(
        sa.select(records.c.id, records.c.kind, records.c.community_id, records.c.fields,
                  records.c.created_by, records.c.created_ms, records.c.updated_ms)
        .where(records.c.id == record_id))).first()
    if row is None:
        return None
    return Rec(id=row.id, kind=row.kind, community_id=row.community_id, fields=row.fields,
               created_by=row.created_by, created_ms=int(row.created_ms),
               updated_ms=int(row.updated_ms))
