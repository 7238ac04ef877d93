"""In Chromium, after a synced day of two liaisons: the duty log shows what they recorded,
merged, with durations; the compliance matrix colours the right cells; the ledger
filters and exports a workbook that openpyxl reads back with the right rows."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page

from .conftest import SyncedDay, console_login

pytestmark = pytest.mark.e2e


def test_the_duty_log_shows_the_merged_day_with_durations(page: Page,
                                                           synced_day: SyncedDay) -> None:
    console_login(page, synced_day.url, "leader01")
    page.goto(f"{synced_day.url}/console/duty-log?day={synced_day.day}")
    row = page.locator("tr[data-liaison=liaison01]")
    assert row.locator("td").nth(1).inner_text() == "2"
    assert row.locator("td").nth(2).inner_text() == "3.5"
    assert "走访不足 2 小时" in row.inner_text()
    row.locator("a").click()
    page.wait_for_selector("[data-testid=visits]")
    durations = page.locator("[data-testid=visits] td.duration").all_inner_texts()
    assert durations == ["2 小时 30 分", "1 小时 0 分"]
    text = page.inner_text("main")
    assert "3号楼楼道堆放纸箱" in text and "小区门口占道经营" in text
    assert "李娜" in page.inner_text("[data-testid=by-others]")
    page.select_option("select[name=state]", "approved")
    page.click("text=保存审核")
    page.wait_for_selector("[data-testid=review-state]:has-text('已审核')")


def test_the_compliance_matrix_colours_the_right_cells(page: Page,
                                                       synced_day: SyncedDay) -> None:
    console_login(page, synced_day.url, "leader01")
    page.goto(f"{synced_day.url}/console/compliance")

    def colour(community: str) -> str | None:
        return page.locator(f"tr[data-community={community}] td.cell").last.get_attribute(
            "data-colour")

    assert colour("c-hy-01") == "green"
    assert colour("c-hy-02") == "amber"
    assert colour("c-hy-03") in ("red", "pending")
    assert page.locator("tr[data-community=c-js-01]").count() == 0


def test_the_ledger_filters_and_exports_a_workbook(page: Page, synced_day: SyncedDay) -> None:
    console_login(page, synced_day.url, "leader01")
    page.goto(f"{synced_day.url}/console/ledger")
    assert page.locator("[data-testid=ledger] tr[data-case]").count() == 2
    page.select_option("select[name=source]", "qr")
    page.click("[data-testid=ledger-filters] button[type=submit]")
    page.wait_for_url("**source=qr**")
    rows = page.locator("[data-testid=ledger] tr[data-case]")
    assert rows.count() == 1 and synced_day.qr_case_title in rows.inner_text()
    with page.expect_download() as download_info:
        page.click("[data-testid=ledger-export]")
    path = download_info.value.path()
    book = load_workbook(io.BytesIO(path.read_bytes()))
    cases = list(book["工作台账"].iter_rows(values_only=True))
    assert cases[0][4] == "诉件标题"
    assert [r[4] for r in cases[1:]] == [synced_day.qr_case_title]
    assert cases[1][6] == "扫码上报"
