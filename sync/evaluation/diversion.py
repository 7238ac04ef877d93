"""Diversion from 12345 (R3, R7): workroom cases against hotline orders. Pure.

The diversion ratio of a community and month is the share of its complaints that came
to the workroom (QR reports and every other workroom channel) rather than to 12345:
workroom / (workroom + 12345). Cases the liaison logged *from* a 12345 order are the
hotline's, not diverted, and are left out of both sides (the imported order counts).
"""

from __future__ import annotations

import msgspec

from schema.kinds import Case
from sync.domain.shanghai import month_of
from sync.evaluation.facts import Rec

REPEAT_WINDOW_MS = 30 * 24 * 3600 * 1000


class HotlineOrder(msgspec.Struct, frozen=True):
    order_no: str
    community_id: str | None
    received_ms: int
    category: str  # ours, see addresses.category_of
    address: str


class DiversionRow(msgspec.Struct, frozen=True):
    community_id: str
    month: str
    qr_cases: int
    workroom_cases: int  # QR included
    hotline_orders: int

    @property
    def ratio(self) -> float | None:
        total = self.workroom_cases + self.hotline_orders
        return round(self.workroom_cases / total, 4) if total else None


class Complaint(msgspec.Struct, frozen=True):
    ref: str  # case record id or 12345 order number
    channel: str  # workroom | qr | 12345
    community_id: str
    category: str
    at_ms: int


class RepeatComplaint(msgspec.Struct, frozen=True):
    first: Complaint
    repeat: Complaint

    @property
    def days_apart(self) -> int:
        return (self.repeat.at_ms - self.first.at_ms) // (24 * 3600 * 1000)


def complaints(cases: list[Rec], orders: list[HotlineOrder]) -> list[Complaint]:
    found = [Complaint(ref=c.id, channel="qr" if c.record.source == "qr" else "workroom",
                       community_id=c.community_id, category=c.record.category or "",
                       at_ms=c.created_ms)
             for c in cases if isinstance(c.record, Case) and not c.voided
             and c.record.source != "hotline_12345"]
    found += [Complaint(ref=o.order_no, channel="12345", community_id=o.community_id,
                        category=o.category, at_ms=o.received_ms)
              for o in orders if o.community_id is not None]
    return sorted(found, key=lambda c: (c.at_ms, c.ref))


def by_month(items: list[Complaint], *, months: list[str],
             community_ids: list[str]) -> list[DiversionRow]:
    counts: dict[tuple[str, str], list[int]] = {
        (cid, m): [0, 0, 0] for cid in community_ids for m in months}
    for item in items:
        slot = counts.get((item.community_id, month_of(item.at_ms)))
        if slot is None:
            continue
        if item.channel == "12345":
            slot[2] += 1
        else:
            slot[1] += 1
            slot[0] += item.channel == "qr"
    return [DiversionRow(community_id=cid, month=m, qr_cases=q, workroom_cases=w,
                         hotline_orders=h) for (cid, m), (q, w, h) in counts.items()]


def district_trend(rows: list[DiversionRow], months: list[str]) -> list[DiversionRow]:
    """One row per month for the whole district (community_id "*")."""
    totals = {m: [0, 0, 0] for m in months}
    for row in rows:
        slot = totals[row.month]
        slot[0] += row.qr_cases
        slot[1] += row.workroom_cases
        slot[2] += row.hotline_orders
    return [DiversionRow(community_id="*", month=m, qr_cases=q, workroom_cases=w,
                         hotline_orders=h) for m, (q, w, h) in totals.items()]


def repeats(items: list[Complaint]) -> list[RepeatComplaint]:
    """Complaints about the same community and category within 30 days of the last one."""
    last: dict[tuple[str, str], Complaint] = {}
    found: list[RepeatComplaint] = []
    for item in items:
        key = (item.community_id, item.category)
        before = last.get(key)
        if before is not None and item.at_ms - before.at_ms <= REPEAT_WINDOW_MS:
            found.append(RepeatComplaint(first=before, repeat=item))
        last[key] = item
    return found

