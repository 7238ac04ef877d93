"""A realistic quarter (2026-Q3) written through the real merge, with hand-computed scores.

Workroom A, c-hy-03 西镇居民区 (liaison04 刘洋 alone), misses the weekly rule twice: no
visit in W30, only 1.5 h in W33. Workroom B, c-hy-02 大西别墅居民区 (liaison01 张伟), visits
3 h every week and does nothing else.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from sync.db.engine import write_transaction
from sync.domain.shanghai import TZ as SHANGHAI
from sync.domain.shanghai import to_ms
from sync.services.server_writes import QR_DEVICE, RESIDENT_INTAKE, ServerWrite, write_records
from sync.store import org
from sync.store import qr as qr_store

A, B = "c-hy-03", "c-hy-02"
RESIDENT = RESIDENT_INTAKE.username
W27_MONDAY = datetime(2026, 6, 29, tzinfo=SHANGHAI)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


class Quarter:
    """Writes queued by author, then applied in time order, each at its own server time."""

    def __init__(self) -> None:
        self.writes: list[tuple[datetime, str, ServerWrite]] = []

    def add(self, when: datetime, username: str, kind: str, community_id: str,
            fields: dict[str, Any], record_id: str | None = None) -> str:
        record_id = record_id or uuid.uuid4().hex
        self.writes.append((when, username, ServerWrite(
            kind=kind, record_id=record_id, community_id=community_id, fields=fields)))
        return record_id

    def visit(self, username: str, community_id: str, start: datetime, hours: float,
              *, summary: str = "巡查小区环境，走访居委") -> str:
        end = start + timedelta(hours=hours)
        return self.add(end, username, "visit", community_id, {
            "started_at": start.isoformat(), "ended_at": end.isoformat(), "summary": summary})

    async def apply(self, engine: AsyncEngine) -> None:
        for when, username, write in sorted(self.writes, key=lambda w: w[0]):
            async with write_transaction(engine) as conn:
                resident = username == RESIDENT
                author = RESIDENT_INTAKE if resident else (
                    await org.get_user(conn, username)).as_actor()
                # Residents' answers are fields only the QR intake may write.
                await write_records(conn, [write], author=author,
                                    device_id=QR_DEVICE if resident else "seed",
                                    now_ms=to_ms(when))


async def post_qr_codes(engine: AsyncEngine) -> None:
    """A's codes: at the committee and the property office; the entrance's was revoked."""
    async with write_transaction(engine) as conn:
        for code, placement in (("evalqr1", "居委会"), ("evalqr2", "物业"),
                                ("evalqr3", "小区出入口")):
            await qr_store.add_code(conn, code=code, community_id=A, placement=placement,
                                    created_by="admin", now_ms=to_ms(at(7, 1)))
        await qr_store.revoke_code(conn, "evalqr3", now_ms=to_ms(at(8, 1)))


def hand_computed_quarter() -> tuple[Quarter, dict[str, Any]]:
    q = Quarter()
    ids: dict[str, Any] = {"a_visits": {}, "b_visits": {}}
    for week in range(13):  # W27 … W39
        wednesday = W27_MONDAY + timedelta(days=7 * week + 2, hours=9)
        thursday = W27_MONDAY + timedelta(days=7 * week + 3, hours=14)
        label = f"2026-W{27 + week}"
        if week != 3:  # W30: no visit at all
            ids["a_visits"][label] = q.visit("liaison04", A, wednesday,
                                             1.5 if week == 6 else 2.5)  # W33: too short
        ids["b_visits"][label] = q.visit("liaison01", B, thursday, 3)
    # Two cases in A: one resolved in time with feedback, one late without feedback.
    on_time = ids["case_on_time"] = q.add(at(7, 10), "liaison04", "case", A, {
        "title": "楼道堆物", "category": "乱堆物", "source": "resident_in_person",
        "status": "received", "reopen_count": 0})
    q.add(at(7, 12), "liaison04", "case_step", A, {"case_id": on_time, "action": "resolve",
                                                    "at": at(7, 12).isoformat()})
    q.add(at(7, 13), "liaison04", "case_step", A, {
        "case_id": on_time, "action": "feedback", "at": at(7, 13).isoformat(),
        "channel": "phone", "content": "已清理"})
    late = ids["case_late"] = q.add(at(8, 3), "liaison04", "case", A, {
        "title": "乱张贴小广告", "category": "乱张贴", "source": "qr",
        "status": "received", "reopen_count": 0})
    q.add(at(8, 20), "liaison04", "case_step", A, {"case_id": late, "action": "resolve",
                                                    "at": at(8, 20).isoformat()})
    # The resident who reported it by QR rates it on the tracking page: 3 stars.
    q.add(at(8, 22), RESIDENT, "case", A, {"resident_outcome": "partly_solved",
                                           "resident_satisfaction": 3}, record_id=late)
    q.add(at(7, 20), "liaison04", "publicity_event", A, {
        "form": "case_explanation", "topic": "以案释法：违法搭建",
        "held_at": at(7, 20).isoformat()})
    q.add(at(8, 10), "liaison04", "suggestion", A, {"content": "增设非机动车停放点",
                                                    "response": "已转物业落实"})
    inspection = q.add(at(8, 5), "liaison04", "property_inspection", A, {
        "property_company_id": "pc-hy-03", "result": "needs_rectification"})
    q.add(at(8, 18), "liaison04", "rectification", A, {
        "inspection_id": inspection, "action_required": "清理消防通道",
        "deadline": at(8, 20).isoformat(), "recheck_result": "已整改，复查合格"})
    for month in (7, 8, 9):
        q.add(at(month, 15), "liaison04", "participation", A, {
            "type": "meeting", "held_at": at(month, 15).isoformat()})
    return q, ids


# Points per criterion, computed by hand from the default criteria (schema/criteria).
EXPECTED_A = {
    "liaison_card": 3.33,        # 5 × 2/3: name and phone posted, no WeChat card
    "qr_placements": 3.33,       # 5 × 2/3: entrance code revoked, not replaced
    "weekly_visits": 21.15,      # 25 × 11/13
    "record_book": 10.0,         # 12 visits, all ended and written up
    "cases_on_time": 7.5,        # 15 × 1/2
    "cases_feedback": 5.0,       # 10 × 1/2
    "publicity": 2.5,            # 5 × 1/2 events
    "suggestions": 5.0,          # 1 answered of target 1
    "property_supervision": 5.0,  # 1 inspection of 1; its rectification done
    "meetings": 5.0,             # 3 of 3
    "resident_ratings": 3.0,     # 5 × 3/5: one QR case rated 3 stars
    "satisfaction": 4.0,         # reviewer (the later of 3 and 4)
}
EXPECTED_B = {
    "liaison_card": 3.33, "qr_placements": 0.0, "weekly_visits": 25.0, "record_book": 10.0,
    "cases_on_time": 15.0, "cases_feedback": 10.0,  # no case fell due: full marks
    "publicity": 0.0, "suggestions": 0.0,
    "property_supervision": 2.5,  # no inspection; no rectification left unfollowed
    "meetings": 0.0, "resident_ratings": 5.0,  # no rating: nothing to judge
    "satisfaction": 0.0,
}
TOTAL_A = 74.81
TOTAL_B = 70.83
