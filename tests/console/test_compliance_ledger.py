"""Weekly compliance colours, the case ledger's filters, SLAs, reopen and Excel exports."""

from __future__ import annotations

import io
from typing import Any

from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from sync.clock import ManualClock
from tests.console.conftest import console_login, post_form
from tests.console.scenario import synced_day

WEEK = "2026-11-23"  # the Monday of 2026-11-28 (ISO week 2026-W48)


def _cell(html: str, community: str, week: str = WEEK) -> str:
    row = html[html.index(f'<tr data-community="{community}">'):]
    cell = row[row.index(f'data-week="{week}"'):]
    return cell[cell.index('data-colour="') + 13:].split('"')[0]


async def test_the_matrix_colours_met_short_and_missing_weeks(
        demo_client: AsyncTestClient[Any], clock: ManualClock) -> None:
    await synced_day(demo_client, clock)
    await console_login(demo_client, "leader01")
    html = (await demo_client.get("/console/compliance")).text
    assert _cell(html, "c-hy-01") == "green"   # 2.5 h and 2.25 h
    assert _cell(html, "c-hy-02") == "amber"   # only 1 h
    assert _cell(html, "c-hy-03") == "red"     # nothing, and it is Saturday
    assert 'data-community="c-js-01"' not in html
    gaps = html[html.index('data-testid="gaps"'):]
    assert "大西别墅居民区" in gaps and "西镇居民区" in gaps and "华三居民区" not in gaps[:300]
    drill = (await demo_client.get(f"/console/compliance/visits?community=c-hy-01&week={WEEK}"))
    assert drill.status_code == 200 and "张伟" in drill.text and "李娜" in drill.text
    book = load_workbook(io.BytesIO((await demo_client.get("/console/compliance/export")).content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("中队", "社区", "周次")
    assert ("华阳路街道中队", "华三居民区", "第48周 11月23日–11月29日", 2, 2, 4.8, "达标") in rows


async def test_the_bureau_sees_every_squad_in_the_matrix(
        demo_client: AsyncTestClient[Any], clock: ManualClock) -> None:
    await synced_day(demo_client, clock)
    await console_login(demo_client, "bureau01")
    html = (await demo_client.get("/console/compliance")).text
    assert 'data-community="c-js-01"' in html and 'data-community="c-lk-03"' in html
    only_hy = (await demo_client.get("/console/compliance?squad=sq-hy")).text
    assert 'data-community="c-js-01"' not in only_hy


async def test_the_ledger_filters_and_exports_a_workbook_with_the_right_rows(
        demo_client: AsyncTestClient[Any], clock: ManualClock) -> None:
    day = await synced_day(demo_client, clock)
    day.li_na.write("case", "c-hy-01", {"title": "扫码反映乱张贴", "category": "乱张贴",
                                        "source": "qr"})
    await day.li_na.push()
    await console_login(demo_client, "leader01")
    everything = (await demo_client.get("/console/ledger")).text
    assert "共 2 件" in everything
    qr_only = (await demo_client.get("/console/ledger?source=qr")).text
    assert "扫码反映乱张贴" in qr_only and "小区门口占道经营" not in qr_only
    others = (await demo_client.get("/console/ledger?source=other&category=占道经营")).text
    assert "小区门口占道经营" in others and "共 1 件" in others
    by_status = (await demo_client.get("/console/ledger?status=received")).text
    assert "共 2 件" in by_status
    none = (await demo_client.get("/console/ledger?first=2026-12-01")).text
    assert "共 0 件" in none
    export = await demo_client.get("/console/ledger/export?source=other")
    assert export.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(export.content))
    assert book.sheetnames == ["工作台账", "处置记录"]
    cases = list(book["工作台账"].iter_rows(values_only=True))
    assert cases[0][:5] == ("诉件编号", "受理时间", "中队", "社区", "诉件标题")
    assert [r[0] for r in cases[1:]] == [day.case_id]
    assert cases[1][4:8] == ("小区门口占道经营", "占道经营", "居民当面反映", "已接收")
    steps = list(book["处置记录"].iter_rows(values_only=True))
    assert steps[1][0] == day.case_id and steps[1][3] == "受理"


async def test_sla_overdue_shows_after_the_deadline(
        demo_client: AsyncTestClient[Any], clock: ManualClock) -> None:
    await synced_day(demo_client, clock)
    await console_login(demo_client, "leader01")
    assert 'data-flag="overdue"' not in (await demo_client.get("/console/ledger")).text
    clock.advance(minutes=60 * 24 * 4)  # 占道经营 must be resolved within 3 days
    await console_login(demo_client, "leader01")
    assert 'data-flag="overdue"' in (await demo_client.get("/console/ledger")).text


async def test_the_ledger_shows_and_exports_only_the_overdue_cases_when_asked(
        demo_client: AsyncTestClient[Any], clock: ManualClock) -> None:
    day = await synced_day(demo_client, clock)
    # Both still "received" and within 15 days to resolve; one was answered (a contact
    # step), the other not within the 24 hours to respond.
    contacted = day.li_na.write("case", "c-hy-01", {
        "title": "已联系的违法搭建", "category": "违法搭建", "source": "patrol"})["record_id"]
    day.li_na.write("case_step", "c-hy-01", {"case_id": contacted, "action": "contact"})
    ignored = day.li_na.write("case", "c-hy-01", {
        "title": "无人理会的违法搭建", "category": "违法搭建", "source": "patrol"})["record_id"]
    await day.li_na.push()
    clock.advance(minutes=60 * 24 * 4)  # 占道经营 must be resolved within 3 days
    day.li_na.write("case", "c-hy-01", {"title": "新发现的违法搭建", "category": "违法搭建",
                                        "source": "patrol"})
    await day.li_na.push()
    await console_login(demo_client, "leader01")
    assert "共 4 件" in (await demo_client.get("/console/ledger")).text
    late = (await demo_client.get("/console/ledger?overdue=1")).text
    assert "共 2 件" in late and "小区门口占道经营" in late and "无人理会的违法搭建" in late
    assert "已联系的违法搭建" not in late and "新发现的违法搭建" not in late
    assert "overdue=1" in late[late.index('data-testid="ledger-export"'):][:200]
    export = await demo_client.get("/console/ledger/export?overdue=1")
    rows = list(load_workbook(io.BytesIO(export.content))["工作台账"].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [ignored, day.case_id]  # newest first


async def test_a_squad_leader_reopens_a_case_and_the_device_pulls_it(
        demo_client: AsyncTestClient[Any], clock: ManualClock) -> None:
    day = await synced_day(demo_client, clock)
    await console_login(demo_client, "leader01")
    url = f"/console/ledger/{day.case_id}"
    response = await post_form(demo_client, url + "/reopen",
                               {"stage": "in_progress", "note": "居民反映仍在摆摊"}, page_url=url)
    assert response.status_code == 303
    html = (await demo_client.get(url)).text
    assert "处置中" in html and "第 1 次重新打开" in html
    assert 'data-action="reopen"' in html and "居民反映仍在摆摊" in html
    pulled = {r["id"]: r for r in await day.tablet.pull()}
    assert pulled[day.case_id]["fields"]["status"] == "in_progress"
    assert pulled[day.case_id]["fields"]["reopen_count"] == 1


async def test_the_bureau_may_reopen_but_another_squad_cannot_see_the_case(
        demo_client: AsyncTestClient[Any], clock: ManualClock) -> None:
    day = await synced_day(demo_client, clock)
    await console_login(demo_client, "leader02")
    assert (await demo_client.get(f"/console/ledger/{day.case_id}")).status_code == 404
    response = await post_form(demo_client, f"/console/ledger/{day.case_id}/reopen",
                               {"stage": "accepted"}, page_url="/console/ledger")
    assert response.status_code == 404
    await console_login(demo_client, "bureau01")
    url = f"/console/ledger/{day.case_id}"
    assert (await post_form(demo_client, url + "/reopen", {"stage": "accepted"},
                            page_url=url)).status_code == 303


async def test_a_voided_visit_no_longer_counts_and_a_late_end_time_does(
        demo_client: AsyncTestClient[Any], clock: ManualClock) -> None:
    day = await synced_day(demo_client, clock)
    day.tablet.write("visit", "c-hy-02", {"voided": True, "void_reason": "误建"},
                     record_id=day.visit_hy02)
    await day.tablet.push()
    await console_login(demo_client, "bureau01")
    html = (await demo_client.get("/console/compliance?squad=sq-hy")).text
    assert _cell(html, "c-hy-02") == "red"
    late = day.phone.write("visit", "c-hy-02", {"started_at": "2026-11-27T09:00:00+08:00"})
    await day.phone.push()
    html = (await demo_client.get("/console/compliance?squad=sq-hy")).text
    assert _cell(html, "c-hy-02") == "amber"  # visited, not yet ended
    day.phone.write("visit", "c-hy-02", {"ended_at": "2026-11-27T12:00:00Z"},
                    record_id=late["record_id"])
    await day.phone.push()
    html = (await demo_client.get("/console/compliance?squad=sq-hy")).text
    assert _cell(html, "c-hy-02") == "green"
