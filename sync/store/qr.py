"""Every SQL statement of the QR intake: the code registry, reports, events, case reads.

A community's public card is the organisation's (``sync.store.org.cards``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from sync.db.tables import communities, records
from sync.db.tables_qr import qr_codes, qr_events, qr_reports
from sync.domain.access import DISTRICT, Scope
from sync.store.scope import community_in


class QrCode(msgspec.Struct, frozen=True):
    code: str
    community_id: str
    community_name: str
    squad_id: str
    placement: str
    created_ms: int
    posted_ms: int
    revoked_ms: int | None
    replaced_by: str | None
    last_scan_ms: int | None

    @property
    def active(self) -> bool:
        return self.revoked_ms is None


class Report(msgspec.Struct, frozen=True):
    tracking_number: str
    case_id: str
    code: str
    community_id: str
    created_ms: int
    feedback_ms: int | None


_CODE_COLUMNS = (qr_codes, communities.c.name.label("community_name"), communities.c.squad_id)


def _code(row: Any) -> QrCode:
    return QrCode(code=row.code, community_id=row.community_id,
                  community_name=row.community_name, squad_id=row.squad_id,
                  placement=row.placement, created_ms=int(row.created_ms),
                  posted_ms=int(row.posted_ms), revoked_ms=row.revoked_ms,
                  replaced_by=row.replaced_by, last_scan_ms=row.last_scan_ms)


def _codes_query() -> sa.Select[Any]:
    return (sa.select(*_CODE_COLUMNS)
            .join(communities, communities.c.id == qr_codes.c.community_id))


# --- the registry -----------------------------------------------------------------------

async def add_code(conn: AsyncConnection, *, code: str, community_id: str, placement: str,
                   created_by: str, now_ms: int) -> None:
    await conn.execute(qr_codes.insert().values(
        code=code, community_id=community_id, placement=placement, created_ms=now_ms,
        created_by=created_by, posted_ms=now_ms))


async def find_code(conn: AsyncConnection, code: str) -> QrCode | None:
    row = (await conn.execute(_codes_query().where(qr_codes.c.code == code))).first()
    return _code(row) if row else None


async def list_codes(conn: AsyncConnection, *, scope: Scope = DISTRICT,
                     community_ids: Sequence[str] | None = None, squad_id: str | None = None,
                     active_only: bool = False) -> list[QrCode]:
    """The codes of the communities ``scope`` covers (narrowed to ``community_ids`` or
    ``squad_id`` when given)."""
    query = _codes_query().where(community_in(scope, qr_codes.c.community_id,
                                              squad_id=communities.c.squad_id))
    if community_ids is not None:
        query = query.where(qr_codes.c.community_id.in_(list(community_ids)))
    if squad_id is not None:
        query = query.where(communities.c.squad_id == squad_id)
    if active_only:
        query = query.where(qr_codes.c.revoked_ms.is_(None))
    rows = await conn.execute(query.order_by(qr_codes.c.community_id, qr_codes.c.created_ms,
                                             qr_codes.c.code))
    return [_code(r) for r in rows]


async def revoke_code(conn: AsyncConnection, code: str, *, now_ms: int,
                      replaced_by: str | None = None) -> None:
    await conn.execute(qr_codes.update().where(qr_codes.c.code == code).values(
        revoked_ms=now_ms, replaced_by=replaced_by))


# --- events: scans, reports, limits, figures ---------------------------------------------

async def record_scan(conn: AsyncConnection, found: QrCode, *, client_key: str,
                      now_ms: int) -> None:
    await conn.execute(qr_events.insert().values(
        event="scan", code=found.code, community_id=found.community_id,
        client_key=client_key, at_ms=now_ms))
    await conn.execute(qr_codes.update().where(qr_codes.c.code == found.code)
                       .values(last_scan_ms=now_ms))


async def record_report_event(conn: AsyncConnection, found: QrCode, *, client_key: str,
                              now_ms: int) -> None:
    await conn.execute(qr_events.insert().values(
        event="report", code=found.code, community_id=found.community_id,
        client_key=client_key, at_ms=now_ms))


async def recent_reports(conn: AsyncConnection, *, client_key: str, code: str,
                         since_ms: int) -> tuple[int, int]:
    """Reports since ``since_ms``: (from this client, through this code)."""
    report = qr_events.c.event == "report"
    since = qr_events.c.at_ms >= since_ms
    by_client = (await conn.execute(sa.select(sa.func.count()).where(
        report, since, qr_events.c.client_key == client_key))).scalar_one()
    by_code = (await conn.execute(sa.select(sa.func.count()).where(
        report, since, qr_events.c.code == code))).scalar_one()
    return int(by_client), int(by_code)


async def events_since(conn: AsyncConnection, *, community_ids: Sequence[str] | None,
                       since_ms: int) -> list[tuple[str, str, str, int]]:
    """(event, code, community_id, at_ms) of every event since ``since_ms``."""
    query = sa.select(qr_events.c.event, qr_events.c.code, qr_events.c.community_id,
                      qr_events.c.at_ms).where(qr_events.c.at_ms >= since_ms)
    if community_ids is not None:
        query = query.where(qr_events.c.community_id.in_(list(community_ids)))
    return [(r.event, r.code, r.community_id, int(r.at_ms)) for r in await conn.execute(query)]


# --- reports ------------------------------------------------------------------------------

async def add_report(conn: AsyncConnection, *, token_sha256: str, tracking_number: str,
                     case_id: str, found: QrCode, now_ms: int) -> None:
    await conn.execute(qr_reports.insert().values(
        token_sha256=token_sha256, tracking_number=tracking_number, case_id=case_id,
        code=found.code, community_id=found.community_id, created_ms=now_ms))


async def tracking_number_taken(conn: AsyncConnection, number: str) -> bool:
    row = (await conn.execute(sa.select(qr_reports.c.token_sha256).where(
        qr_reports.c.tracking_number == number))).first()
    return row is not None


async def find_report(conn: AsyncConnection, token_sha256: str) -> Report | None:
    row = (await conn.execute(sa.select(qr_reports).where(
        qr_reports.c.token_sha256 == token_sha256))).first()
    if row is None:
        return None
    return Report(tracking_number=row.tracking_number, case_id=row.case_id, code=row.code,
                  community_id=row.community_id, created_ms=int(row.created_ms),
                  feedback_ms=row.feedback_ms)


async def mark_feedback(conn: AsyncConnection, token_sha256: str, *, now_ms: int) -> None:
    await conn.execute(qr_reports.update().where(qr_reports.c.token_sha256 == token_sha256)
                       .values(feedback_ms=now_ms))


# --- the case as the tracking page shows it -----------------------------------------------

async def case_fields(conn: AsyncConnection, case_id: str) -> dict[str, Any] | None:
    row = (await conn.execute(sa.select(records.c.fields).where(
        records.c.id == case_id, records.c.kind == "case"))).first()
    return dict(row.fields) if row else None


async def case_steps(conn: AsyncConnection, *, case_id: str,
                     community_id: str) -> list[tuple[dict[str, Any], int]]:
    """(fields, created_ms) of the case's steps, oldest first."""
    rows = await conn.execute(
        sa.select(records.c.fields, records.c.created_ms).where(
            records.c.kind == "case_step", records.c.community_id == community_id,
            records.c.fields["case_id"].as_string() == case_id)
        .order_by(records.c.created_ms, records.c.version))
    return [(dict(r.fields), int(r.created_ms)) for r in rows]
