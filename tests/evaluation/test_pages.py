"""The evaluation's console pages: scoped like the rest of the console, forms with CSRF."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.console.conftest import console_login, csrf_from, post_form
from tests.evaluation.quarter import TOTAL_A, A, hand_computed_quarter, post_qr_codes

SAMPLE = Path(__file__).parent / "data" / "12345-export-sample.csv"


async def test_the_bureau_follows_a_score_to_its_records_scores_by_hand_and_exports(
        demo_client: AsyncTestClient[Any], engine: AsyncEngine) -> None:
    q, ids = hand_computed_quarter()
    await q.apply(engine)
    await post_qr_codes(engine)
    assert (await console_login(demo_client, "bureau01")).status_code == 303
    ranking = await demo_client.get("/console/evaluation/assessment?period=2026-Q3")
    assert ranking.status_code == 200
    assert "西镇居民区" in ranking.text and "<svg" in ranking.text
    room = await demo_client.get(f"/console/evaluation/assessment/{A}?period=2026-Q3")
    assert room.status_code == 200 and "2026年第30周" in room.text
    visit = ids["a_visits"]["2026-W33"]
    assert f"/console/evaluation/records/{visit}" in room.text
    record = await demo_client.get(f"/console/evaluation/records/{visit}")
    assert record.status_code == 200 and "工作小结" in record.text

    scored = await post_form(demo_client, "/console/evaluation/scores", {
        "period": "2026-Q3", "community_id": A, "criterion_id": "satisfaction",
        "points": "4", "note": "入户问卷 40 份"}, page_url="/console/evaluation/assessment")
    assert scored.status_code == 303
    room = await demo_client.get(f"/console/evaluation/assessment/{A}?period=2026-Q3")
    assert "入户问卷 40 份" in room.text and f"{TOTAL_A:.2f}" in room.text

    export = await demo_client.get("/console/evaluation/assessment/export?period=2026-Q3")
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    assert next(book["排名"].iter_rows(min_row=2, values_only=True))[2] == "西镇居民区"
    for url in ("/console/evaluation/appraisal?period=2026-Q3",
                "/console/evaluation/diversion?period=2026-Q3",
                "/console/evaluation/appraisal/export?period=2026-Q3",
                "/console/evaluation/diversion/export?period=2026-Q3"):
        assert (await demo_client.get(url)).status_code == 200, url


async def test_uploading_a_12345_export_shows_its_row_errors(
        demo_client: AsyncTestClient[Any]) -> None:
    await console_login(demo_client, "bureau01")
    page = await demo_client.get("/console/evaluation/work-orders")
    response = await demo_client.post(
        "/console/evaluation/work-orders/import",
        data={"_csrf_token": csrf_from(page.text)},
        files={"file": (SAMPLE.name, SAMPLE.read_bytes(), "text/csv")},
        follow_redirects=False)
    assert response.status_code == 303, response.text
    shown = await demo_client.get(response.headers["location"])
    assert "29 / 1 / 2" in shown.text
    for reason in ("缺少事发地址", "受理时间无法识别：10月32日", "工单编号重复（与第 5 行相同）"):
        assert reason in shown.text


async def test_another_squad_and_visitors_without_a_session_see_nothing(
        demo_client: AsyncTestClient[Any], engine: AsyncEngine) -> None:
    q, ids = hand_computed_quarter()
    await q.apply(engine)
    anonymous = await demo_client.get("/console/evaluation/assessment",
                                      follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/console/login")
    await console_login(demo_client, "leader02")  # 江苏路, not 华阳路
    ranking = await demo_client.get("/console/evaluation/assessment?period=2026-Q3")
    assert ranking.status_code == 200 and "西镇居民区" not in ranking.text
    for url in (f"/console/evaluation/assessment/{A}?period=2026-Q3",
                f"/console/evaluation/records/{ids['case_late']}"):
        assert (await demo_client.get(url)).status_code == 404, url
    refused = await post_form(demo_client, "/console/evaluation/nominations",
                              {"period": "2026-Q3"}, page_url="/console/evaluation/assessment")
    assert refused.status_code == 403
