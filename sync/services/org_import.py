"""The organisation from a spreadsheet: squads, their communities and the property
companies serving each, as the bureau keeps them in Excel.

One row per community and property company (a community served by two companies takes
two rows; one served by none leaves the company empty). Rows that are right are applied
— created, or updated where they differ — and the rest reported with their reason, as
the 12345 import does. An empty address-keyword or company-phone cell keeps what is
stored.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine

from sync.db.engine import write_transaction
from sync.i18n import t
from sync.spreadsheets import RowProblem, read_rows, sheet_cells
from sync.store import audit, locks, org

# Our field -> the header names accepted (the first is the one the template uses).
HEADERS: dict[str, tuple[str, ...]] = {
    "squad_id": ("中队编号", "squad_id"),
    "squad": ("中队", "中队名称", "squad"),
    "area_type": ("类型", "中队类型", "area_type"),
    "community_id": ("社区编号", "community_id"),
    "community": ("社区", "社区名称", "居民区", "community"),
    "keywords": ("地址关键词", "address_keywords"),
    "company": ("物业公司", "property_company"),
    "company_phone": ("物业电话", "property_phone"),
}
REQUIRED = ("squad_id", "squad", "community_id", "community")
# What the template shows under its header: a community with one company, one with none.
TEMPLATE_ROWS = [
    ["sq-hy", "华阳路街道中队", "街道", "c-hy-01", "华三居民区", "淞虹路674弄",
     "上海长宁物业有限公司", "021-62000000"],
    ["sq-xj", "新泾镇中队", "镇", "c-xj-01", "新泾一村", "新泾一村", "", ""],
]
AREA_TYPES = {"街道": "street", "镇": "town", "园区": "park",
              "street": "street", "town": "town", "park": "park"}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
# Column widths of the tables (sync/db/tables.py).
_LIMITS = {"squad": 100, "community": 100, "keywords": 500, "company": 200,
           "company_phone": 40}


class OrgRow(msgspec.Struct, frozen=True):
    row: int  # as numbered in the spreadsheet (the header is row 1)
    squad_id: str
    squad: str
    area_type: str
    community_id: str
    community: str
    keywords: str
    company: str
    company_phone: str


class OrgImport(msgspec.Struct, frozen=True):
    rows: int  # rows applied
    squads: int  # created or changed
    communities: int
    companies: int
    links: int
    problems: list[RowProblem]


def parse_org(rows: list[list[Any]]) -> tuple[list[OrgRow], list[RowProblem]]:
    """The sheet's rows, checked one by one. Pure."""
    good: list[OrgRow] = []
    problems: list[RowProblem] = []
    seen: dict[str, OrgRow] = {}  # community id -> its first row
    squads: dict[str, OrgRow] = {}
    for number, cell in sheet_cells(rows, HEADERS, REQUIRED):
        reason = _problem(cell)
        parsed = None if reason else OrgRow(
            row=number, squad_id=cell["squad_id"], squad=cell["squad"],
            area_type=AREA_TYPES[cell.get("area_type") or "街道"],
            community_id=cell["community_id"], community=cell["community"],
            keywords=cell.get("keywords", ""), company=cell.get("company", ""),
            company_phone=cell.get("company_phone", ""))
        if parsed is not None:
            first = seen.setdefault(parsed.community_id, parsed)
            squad = squads.setdefault(parsed.squad_id, parsed)
            if (first.squad_id, first.community) != (parsed.squad_id, parsed.community):
                reason = t("org_import.community_differs", row=first.row)
            elif (squad.squad, squad.area_type) != (parsed.squad, parsed.area_type):
                reason = t("org_import.squad_differs", row=squad.row)
        if reason:
            problems.append(RowProblem(row=number, reason=reason))
        elif parsed is not None:
            good.append(parsed)
    return good, problems


def _problem(cell: dict[str, str]) -> str | None:
    for field in REQUIRED:
        if not cell.get(field):
            return t("org_import.missing", column=HEADERS[field][0])
    for field in ("squad_id", "community_id"):
        if not _ID.match(cell[field]):
            return t("org_import.bad_id", column=HEADERS[field][0], value=cell[field][:40])
    for field, limit in _LIMITS.items():
        if len(cell.get(field, "")) > limit:
            return t("org_import.too_long", column=HEADERS[field][0], limit=limit)
    if (cell.get("area_type") or "街道") not in AREA_TYPES:
        return t("org_import.bad_area_type", value=cell["area_type"][:20])
    if cell.get("company_phone") and not cell.get("company"):
        return t("org_import.phone_without_company")
    return None


def _firsts(rows: list[OrgRow], key: Callable[[OrgRow], str]) -> list[OrgRow]:
    """The first row of each key, in the sheet's order."""
    firsts: dict[str, OrgRow] = {}
    for row in rows:
        firsts.setdefault(key(row), row)
    return list(firsts.values())


def company_id(name: str) -> str:
    """A new property company's id: stable for its name, so importing twice makes one."""
    return "pc-" + hashlib.sha256(name.encode()).hexdigest()[:12]


async def import_org(engine: AsyncEngine, data: bytes, *, file_name: str, by: str,
                     source: str, now_ms: int) -> OrgImport:
    rows, problems = parse_org(read_rows(data, file_name))
    changed = {"squads": 0, "communities": 0, "companies": 0, "links": 0}
    async with write_transaction(engine) as conn:
        # One import at a time: two would both create a squad or company they lack.
        await locks.hold(conn, "org-import")
        orders = await org.squad_orders(conn)
        # A new squad goes after the others, in the sheet's order.
        for row in _firsts(rows, lambda r: r.squad_id):
            order = orders.setdefault(row.squad_id, max(orders.values(), default=-1) + 1)
            changed["squads"] += await org.upsert_squad(
                conn, id=row.squad_id, name=row.squad, area_type=row.area_type,
                sort_order=order)
        keywords = await org.community_keywords(conn)
        for row in _firsts(rows, lambda r: r.community_id):
            given = next((r.keywords for r in rows
                          if r.community_id == row.community_id and r.keywords), "")
            changed["communities"] += await org.upsert_community(
                conn, id=row.community_id, squad_id=row.squad_id, name=row.community,
                address_keywords=given or keywords.get(row.community_id, ""), now_ms=now_ms)
        companies = await org.property_companies_by_name(conn)
        for row in rows:
            if not row.company:
                continue
            known_id, known_phone = companies.get(row.company, (company_id(row.company), None))
            phone = row.company_phone or known_phone
            changed["companies"] += await org.upsert_property_company(
                conn, id=known_id, name=row.company, phone=phone)
            companies[row.company] = (known_id, phone)
            changed["links"] += await org.link_property_company(conn, row.community_id,
                                                                known_id)
        await audit.record(conn, at_ms=now_ms, actor=by, action="org_import",
                           target=file_name[:200], source=source,
                           detail={**changed, "rows": len(rows), "problems": len(problems)})
    return OrgImport(rows=len(rows), problems=problems, **changed)
