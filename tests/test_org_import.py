"""The organisation from a spreadsheet: rows checked one by one, applied on both back ends,
idempotent, from the command line and usable at once (a liaison assigned to an imported
community sees its property company)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import AsyncTestClient
from openpyxl import Workbook
from sqlalchemy.ext.asyncio import AsyncEngine

from sync.clock import ManualClock
from sync.db.tables import audit_log, communities, property_companies, squads
from sync.errors import DomainError
from sync.services.auth import AuthService
from sync.services.org_import import HEADERS, company_id, import_org, parse_org
from sync.store import org
from tests.databases import START_MS
from tests.sync.helpers import device
from tests.test_cli import db_url, workroom  # noqa: F401  (db_url: a fixture)

HEADER = [names[0] for names in HEADERS.values()]
SHEET = [
    HEADER,
    ["sq-test", "测试街道中队", "街道", "c-test-01", "测试一村", "测试路1弄", "测试物业有限公司",
     "021-60000001"],
    ["sq-test", "测试街道中队", "街道", "c-test-01", "测试一村", "", "另一家物业公司", ""],
    ["sq-test", "测试街道中队", "", "c-test-02", "测试二村", "测试路2弄", "测试物业有限公司", ""],
    [None, None, None, None, None, None, None, None],  # a blank line Excel left behind
    ["sq-test", "测试街道中队", "街道", "C Test 03", "测试三村", "", "", ""],
    ["sq-test", "别的名字", "街道", "c-test-04", "测试四村", "", "", ""],
    ["sq-test", "测试街道中队", "街道", "c-test-01", "改了名的一村", "", "", ""],
    ["sq-park", "园区中队", "开发区", "c-park-01", "园区一", "", "", ""],
    ["sq-park", "园区中队", "园区", "c-park-02", "园区二", "", "", "021-1"],
]


def _csv(rows: list[list[object]]) -> bytes:
    return "\n".join(",".join("" if c is None else str(c) for c in row)
                     for row in rows).encode()


def test_each_row_is_checked_and_the_bad_ones_get_their_reason() -> None:
    good, problems = parse_org(SHEET)
    assert [(r.row, r.community_id, r.area_type) for r in good] == [
        (2, "c-test-01", "street"), (3, "c-test-01", "street"), (4, "c-test-02", "street")]
    reasons = {p.row: p.reason for p in problems}
    assert sorted(reasons) == [6, 7, 8, 9, 10]  # row 5 is blank
    assert "社区编号" in reasons[6] and "小写字母" in reasons[6]
    assert "第 2 行" in reasons[7] and "中队" in reasons[7]
    assert "第 2 行" in reasons[8] and "社区名称" in reasons[8]
    assert "开发区" in reasons[9]
    assert "物业电话" in reasons[10]


def test_a_sheet_without_a_required_column_or_rows_is_refused() -> None:
    with pytest.raises(DomainError) as missing:
        parse_org([["中队", "社区"], ["测试中队", "测试一村"]])
    assert missing.value.code == "import_missing_column"
    assert "中队编号" in missing.value.message and "社区编号" in missing.value.message
    with pytest.raises(DomainError) as empty:
        parse_org([])
    assert empty.value.code == "import_empty"


async def test_the_import_creates_links_and_a_second_run_changes_nothing(
        engine: AsyncEngine, clock: ManualClock) -> None:
    first = await import_org(engine, _csv(SHEET), file_name="org.csv", by="admin",
                             source="test", now_ms=clock.now_ms())
    assert (first.rows, first.squads, first.communities, first.companies, first.links) == (
        3, 1, 2, 2, 3)
    assert len(first.problems) == 5
    async with engine.connect() as conn:
        squad = (await conn.execute(sa.select(squads).where(squads.c.id == "sq-test"))).one()
        orders = await org.squad_orders(conn)
        places = {r.id: r for r in await conn.execute(sa.select(communities).where(
            communities.c.squad_id == "sq-test"))}
        companies = await org.property_companies_by_name(conn)
        served = await org.property_companies_of(conn, ["c-test-01", "c-test-02"])
        audited = (await conn.execute(sa.select(audit_log.c.detail).where(
            audit_log.c.action == "org_import"))).scalar_one()
    assert squad.name == "测试街道中队" and squad.area_type == "street"
    assert orders["sq-test"] == max(orders.values())  # after the demo's eleven
    assert places["c-test-01"].address_keywords == "测试路1弄"
    assert companies["测试物业有限公司"] == (company_id("测试物业有限公司"), "021-60000001")
    assert sorted(name for _, name in served["c-test-01"]) == ["另一家物业公司", "测试物业有限公司"]
    assert [name for _, name in served["c-test-02"]] == ["测试物业有限公司"]
    assert audited == {"squads": 1, "communities": 2, "companies": 2, "links": 3, "rows": 3,
                       "problems": 5}

    again = await import_org(engine, _csv(SHEET), file_name="org.csv", by="admin",
                             source="test", now_ms=clock.now_ms())
    assert (again.squads, again.communities, again.companies, again.links) == (0, 0, 0, 0)


async def test_a_community_moves_squad_and_empty_cells_keep_what_is_stored(
        engine: AsyncEngine, clock: ManualClock) -> None:
    # c-hy-03 is a demo community of 华阳路; its demo keywords stay when the cell is empty.
    async with engine.connect() as conn:
        before = (await org.community_keywords(conn))["c-hy-03"]
    moved = [HEADER, ["sq-js", "江苏路街道中队", "街道", "c-hy-03", "西镇居民区", "", "", ""]]
    result = await import_org(engine, _csv(moved), file_name="org.csv", by="admin",
                              source="test", now_ms=clock.now_ms())
    assert (result.squads, result.communities, result.problems) == (0, 1, [])
    async with engine.connect() as conn:
        row = (await conn.execute(sa.select(communities).where(
            communities.c.id == "c-hy-03"))).one()
        names = {r.id: r.name for r in await conn.execute(sa.select(property_companies))}
    assert row.squad_id == "sq-js" and row.address_keywords == before != ""
    assert company_id("") not in names


async def test_an_xlsx_sheet_reads_like_the_csv(engine: AsyncEngine,
                                                clock: ManualClock) -> None:
    book = Workbook()
    for row in SHEET[:4]:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    result = await import_org(engine, data.getvalue(), file_name="组织架构.xlsx", by="admin",
                              source="test", now_ms=START_MS)
    assert (result.rows, result.communities, result.problems) == (3, 2, [])


async def test_a_liaison_assigned_to_an_imported_community_sees_its_property_company(
        engine: AsyncEngine, clock: ManualClock, demo_client: AsyncTestClient[Any]) -> None:
    await import_org(engine, _csv(SHEET[:4]), file_name="org.csv", by="admin", source="test",
                     now_ms=clock.now_ms())
    auth = AuthService(engine, clock, token_ttl_days=30)
    await auth.assign("liaison01", "c-test-02", assigned=True, by="admin", source="test")
    phone = await device(demo_client, clock, "liaison01")
    me = (await demo_client.get("/api/v1/me", headers=phone.headers)).json()
    imported = next(c for c in me["communities"] if c["id"] == "c-test-02")
    assert imported["squad_id"] == "sq-test"
    assert imported["property_companies"] == [
        {"id": company_id("测试物业有限公司"), "name": "测试物业有限公司"}]


def test_the_command_imports_good_rows_and_exits_1_naming_the_bad_ones(
        db_url: str, tmp_path: Path) -> None:  # noqa: F811
    sheet = tmp_path / "组织架构.csv"
    sheet.write_bytes(_csv(SHEET[:4]))
    done = workroom("org", "import", str(sheet), "--db", db_url)
    assert done.returncode == 0, done.stderr
    assert "应用 3 行" in done.stdout and "社区 2 个" in done.stdout
    sheet.write_bytes(_csv(SHEET))
    partly = workroom("org", "import", str(sheet), "--db", db_url)
    assert partly.returncode == 1 and "第 6 行" in partly.stdout and "应用 3 行" in partly.stdout
