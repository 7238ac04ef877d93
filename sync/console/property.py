"""Property supervision (物业监督): per company, inspections, failed items, rectifications."""

from __future__ import annotations

from collections import Counter
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.kinds import InspectionItem, PropertyInspection
from schema.kinds import Rectification as RectificationRecord
from schema.stored import read, time_ms
from sync.console import present
from sync.console.viewer import Viewer
from sync.db.engine import read_transaction
from sync.domain import refs
from sync.domain.shanghai import to_local
from sync.errors import DomainError
from sync.store import people
from sync.store import property as store

YEAR_MS = 366 * 24 * 3600 * 1000


class Rectification(msgspec.Struct):
    id: str
    action_required: str
    deadline_ms: int | None
    status: str
    status_label: str
    overdue: bool


class Inspection(msgspec.Struct):
    id: str
    community_name: str
    at_ms: int
    result_label: str
    failed_items: list[str]
    author: str


class CompanyReport(msgspec.Struct):
    id: str
    name: str
    inspections: list[Inspection]
    failed: int
    rectifications: list[Rectification]
    trend: list[tuple[str, int, int]]  # (month, inspections, failed items)

    @property
    def open(self) -> list[Rectification]:
        return [r for r in self.rectifications if r.status not in ("done",)]

    @property
    def overdue(self) -> list[Rectification]:
        return [r for r in self.rectifications if r.overdue]


def _rectification(row: Any, *, now_ms: int) -> Rectification:
    fix = read(RectificationRecord, row.fields)
    status = fix.status or "open"
    deadline = time_ms(fix.deadline)
    overdue = status == "overdue" or (status in ("open", "escalated") and deadline is not None
                                      and deadline < now_ms)
    return Rectification(id=row.id, action_required=fix.action_required or "",
                         deadline_ms=deadline, status=status,
                         status_label=present.option_label(fix.KIND, "status", status),
                         overdue=overdue)


class PropertySupervision:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def reports(self, viewer: Viewer, *, now_ms: int,
                      company_id: str | None = None) -> list[CompanyReport]:
        async with read_transaction(self.engine) as conn:
            companies = await people.list_property_companies(conn, viewer.community_ids)
            if company_id is not None:
                companies = [c for c in companies if c["id"] == company_id]
                if not companies:
                    raise DomainError("not_found")
            found = await store.inspections(conn, viewer.community_ids, since_ms=now_ms - YEAR_MS,
                                            company_id=company_id)
            kids = await store.children(conn, [r.id for r in found])
            names = await people.names(conn, [r.created_by for r in found])
        inspected = {r.id: read(PropertyInspection, r.fields) for r in found}
        items = [(kid, read(InspectionItem, kid.fields)) for kid in kids
                 if kid.kind == InspectionItem.KIND]
        out = []
        for company in companies:
            mine = [r for r in found if inspected[r.id].property_company_id == company["id"]]
            ids = {refs.key(r) for r in mine}
            fails: dict[str, list[str]] = {}
            for kid, item in items:
                if item.result == "fail" and item.inspection_id and (
                        refs.parent_key(kid, "inspection_id") in ids):
                    fails.setdefault(item.inspection_id, []).append(
                        present.option_label(item.KIND, "item", item.item))
            inspections = sorted((Inspection(
                id=r.id, community_name=viewer.places[r.community_id].name,
                at_ms=int(r.created_ms),
                result_label=present.option_label(PropertyInspection.KIND, "result",
                                                  inspected[r.id].result),
                failed_items=fails.get(r.id, []), author=names.get(r.created_by, ""))
                for r in mine), key=lambda i: -i.at_ms)
            months: Counter[str] = Counter()
            failed_months: Counter[str] = Counter()
            for inspection in inspections:
                month = to_local(inspection.at_ms).strftime("%Y-%m")
                months[month] += 1
                failed_months[month] += len(inspection.failed_items)
            out.append(CompanyReport(
                id=company["id"], name=company["name"], inspections=inspections,
                failed=sum(len(i.failed_items) for i in inspections),
                rectifications=[_rectification(k, now_ms=now_ms) for k in kids
                                if k.kind == RectificationRecord.KIND
                                and refs.parent_key(k, "inspection_id") in ids],
                trend=[(m, months[m], failed_months[m]) for m in sorted(months)]))
        return out
