"""The other console pages: record book, property supervision, conflicts, charts, admin."""

from __future__ import annotations

import io
from typing import Any

from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from sync.clock import ManualClock
from tests.console.conftest import console_login, post_form
from tests.console.scenario import at, synced_day
from tests.sync.helpers import device


async def test_the_record_book_is_the_communitys_chronological_record_and_exports(
        demo_client: AsyncTestClient[Any], clock: ManualClock) -> None:
    day = await synced_day(demo_client, clock)
    await console_login(demo_client, "leader01")
    html = (await demo_client.get("/console/record-book/c-hy-01?first=2026-11-01")).text
    visit = html.index("周例行走访")
    finding = html.index("3号楼楼道堆放纸箱")
    suggestion = html.index("希望增加非机动车充电桩")
    assert visit < finding < suggestion
    assert "小区门口占道经营" not in html  # another community's case
    book = load_workbook(io.BytesIO((await demo_client.get(
        "/console/record-book/c-hy-01/export?first=2026-11-01")).content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("时间", "类型", "摘要", "内容", "记录人", "已作废")
    kinds = [r[1] for r in rows[1:]]
    assert kinds.count("走访") == 2 and "巡查发现" in kinds and "人民建议" in kinds
    assert day.case_id not in str(rows)


async def test_property_supervision_shows_failed_items_and_overdue_rectifications(
        demo_client: AsyncTestClient[Any], clock: ManualClock) -> None:
    day = await synced_day(demo_client, clock)
    phone = day.phone
    inspection = phone.write("property_inspection", "c-hy-01", {
        "property_company_id": "pc-hy-01", "result": "needs_rectification",
        "visit_id": day.visit_hy01})
    phone.write("inspection_item", "c-hy-01", {"inspection_id": inspection["record_id"],
                                               "item": "fire_lanes", "result": "fail"})
    phone.write("inspection_item", "c-hy-01", {"inspection_id": inspection["record_id"],
                                               "item": "greenery", "result": "pass"})
    phone.write("rectification", "c-hy-01", {"inspection_id": inspection["record_id"],
                                             "action_required": "清理消防通道",
                                             "deadline": at("12:00")})
    await phone.push()
    await console_login(demo_client, "leader01")
    html = (await demo_client.get("/console/property")).text
    row = html[html.index('data-company="pc-hy-01"'):]
    row = row[:row.index("</tr>")]
    assert [c.split(">")[-1] for c in row.split("</td>")[1:5]] == ["1", "1", "1", "1"]
    detail = (await demo_client.get("/console/property/pc-hy-01")).text
    assert "清理消防通道" in detail and "消防通道畅通" in detail
    assert 'class="late"' in detail


async def test_a_conflict_is_resolved_from_the_queue_by_a_new_mutation(
        demo_client: AsyncTestClient[Any], clock: ManualClock) -> None:
    day = await synced_day(demo_client, clock)
    await day.tablet.pull()
    await day.phone.pull()
    day.phone.write("case", "c-hy-02", {"location": "东门"}, record_id=day.case_id)
    day.tablet.write("case", "c-hy-02", {"location": "西门"}, record_id=day.case_id)
    await day.phone.push()
    await day.tablet.push()
    await console_login(demo_client, "leader01")
    html = (await demo_client.get("/console/review")).text
    assert "事发位置" in html and "东门" in html and "西门" in html
    start = html.index('data-conflict="') + len('data-conflict="')
    conflict_id = html[start:html.index('"', start)]
    response = await post_form(demo_client, f"/console/review/conflicts/{conflict_id}/resolve",
                               {"choose": "loser"}, page_url="/console/review")
    assert response.status_code == 303
    assert f'data-conflict="{conflict_id}"' not in (await demo_client.get("/console/review")).text
    pulled = {r["id"]: r for r in await day.phone.pull()}
    assert pulled[day.case_id]["fields"]["location"] == "东门"  # the loser was the first write


async def test_rejected_records_are_listed_for_the_squad(
        demo_client: AsyncTestClient[Any], clock: ManualClock) -> None:
    day = await synced_day(demo_client, clock)
    day.phone.write("case", "c-hy-01", {"title": "缺类别"})
    await day.phone.push()
    await console_login(demo_client, "leader01")
    html = (await demo_client.get("/console/review")).text
    rejected = html[html.index('data-testid="rejected"'):]
    assert "缺少必填字段" in rejected and "张伟" in rejected and "缺类别" in rejected
    start = rejected.index('data-rejected="') + len('data-rejected="')
    mutation_id = rejected[start:rejected.index('"', start)]
    await console_login(demo_client, "leader02")
    other = (await demo_client.get("/console/review")).text
    assert "缺类别" not in other
    assert (await post_form(demo_client, f"/console/review/rejected/{mutation_id}/handled",
                            {"note": "x"}, page_url="/console/review")).status_code == 404
    await console_login(demo_client, "leader01")
    response = await post_form(demo_client, f"/console/review/rejected/{mutation_id}/handled",
                               {"note": "已让联络员补填类别后重新提交"},
                               page_url="/console/review")
    assert response.status_code == 303
    html = (await demo_client.get("/console/review")).text
    assert 'data-testid="handled"' in html and "已让联络员补填类别后重新提交" in html


async def test_the_charts_are_svg_with_their_numbers_one_click_away(
        demo_client: AsyncTestClient[Any], clock: ManualClock) -> None:
    await synced_day(demo_client, clock)
    await console_login(demo_client, "leader01")
    html = (await demo_client.get("/console/charts")).text
    assert html.count('data-testid="chart"') == 4
    assert html.count("<svg") == 4 and html.count("<details>") == 4
    hours = html[html.index('id="visit-hours"'):html.index('id="compliance-trend"')]
    assert "华阳路街道中队" in hours and "<td>5.8</td>" in hours  # 2.5 + 1 + 2.25 h


async def test_an_admin_adds_a_user_assigns_and_disables_them(
        demo_client: AsyncTestClient[Any]) -> None:
    await console_login(demo_client, "admin")
    page = "/console/admin/users"
    assert (await post_form(demo_client, page, {
        "username": "liaison99", "name": "赵敏", "role": "liaison", "squad_id": "sq-hy",
        "password": "Newpassword2026"}, page_url=page)).status_code == 303
    await post_form(demo_client, f"{page}/liaison99",
                    {"action": "assign", "community_id": "c-hy-03"}, page_url=page)
    html = (await demo_client.get(page)).text
    row = html[html.index('data-user="liaison99"'):]
    assert "赵敏" in row[:400] and "西镇居民区" in row[:600], "the community by its name"
    await post_form(demo_client, f"{page}/liaison99", {"action": "disable"}, page_url=page)
    login = await demo_client.post("/api/v1/auth/login", json={
        "username": "liaison99", "password": "Newpassword2026", "device_id": "d"})
    assert login.status_code == 401
    await post_form(demo_client, "/console/admin/communities/c-hy-03/card",
                    {"liaison_name": "赵敏", "phone": "13900000000"}, page_url=page)
    card = (await demo_client.get("/console/admin/communities/c-hy-03/card")).text
    assert "赵敏" in card and "13900000000" in card


async def test_an_admin_imports_the_organisation_from_a_sheet_and_sees_the_refused_rows(
        demo_client: AsyncTestClient[Any]) -> None:
    await console_login(demo_client, "admin")
    page = "/console/admin/communities"
    template = await demo_client.get(page + "/template")
    book = load_workbook(io.BytesIO(template.content))
    sheet, examples = (list(ws.iter_rows(values_only=True)) for ws in book.worksheets)
    assert sheet == [("中队编号", "中队", "类型", "社区编号", "社区", "地址关键词", "物业公司",
                      "物业电话")]
    assert examples[0] == sheet[0] and len(examples) == 3
    # The sheet as an administrator fills it in: one good row, one refused.
    filled = "\n".join([",".join(sheet[0]),
                        "sq-test,测试街道中队,街道,c-test-01,测试一村,测试路1弄,测试物业,",
                        "sq-test,测试街道中队,街道,c-test-02,,测试路2弄,,"]).encode()
    token = demo_client.cookies.get("csrftoken") or ""
    response = await demo_client.post(page + "/import", data={"_csrf_token": token},
                                      files={"file": ("组织架构.csv", filled, "text/csv")})
    assert response.status_code == 200
    result = response.text[response.text.index('data-testid="org-imported"'):]
    assert "应用 1 行" in result and "有问题的行 1 行" in result
    assert 'data-row="3"' in result and "缺少“社区”" in result
    assert "测试一村" in response.text and "测试物业" in response.text  # listed below


async def test_an_admin_unlinks_a_property_company_and_the_liaisons_form_stops_offering_it(
        demo_client: AsyncTestClient[Any], clock: ManualClock) -> None:
    phone = await device(demo_client, clock, "liaison01")

    async def companies_of_hy01() -> list[dict[str, str]]:
        me = (await demo_client.get("/api/v1/me", headers=phone.headers)).json()
        return next(c for c in me["communities"] if c["id"] == "c-hy-01")["property_companies"]

    [served] = await companies_of_hy01()
    await console_login(demo_client, "admin")
    page = "/console/admin/communities"
    assert 'data-unlink="c-hy-01"' in (await demo_client.get(page)).text
    response = await post_form(demo_client, f"/console/admin/companies/{served['id']}/unlink",
                               {"community_id": "c-hy-01"}, page_url=page)
    assert response.status_code == 303
    assert await companies_of_hy01() == []
    html = (await demo_client.get(page)).text
    row = html[html.index(f'data-company="{served["id"]}"'):]
    assert 'data-unlink="c-hy-01"' not in row[:row.index("</tr>")]
