"""In Chromium, after a synced day of two liaisons: the duty log shows what they recorded,
merged, with durations; the compliance matrix colours the right cells; the ledger
filters and exports a workbook that openpyxl reads back with the right rows; a review
made in the console shows on the liaison's phone."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page

from .conftest import PASSWORD, SyncedDay, console_login

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


def test_a_review_in_the_console_shows_on_the_liaisons_phone(
        page: Page, browser: Browser, synced_day: SyncedDay) -> None:
    console_login(page, synced_day.url, "leader01")
    page.goto(f"{synced_day.url}/console/duty-log?day={synced_day.day}")
    page.locator("tr[data-liaison=liaison01] a").click()
    page.select_option("select[name=state]", "problem")
    page.fill("input[name=comment]", "E2E 第二次走访不足两小时，请补录")
    page.click("text=保存审核")
    page.wait_for_selector("[data-testid=review-state]:has-text('有问题')")

    phone = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    try:
        phone.goto(synced_day.url + "/app/")
        phone.fill("input[name=username]", "liaison01")
        phone.fill("input[name=password]", PASSWORD)
        phone.click("button[type=submit]")
        phone.wait_for_selector("[data-testid=user]")
        review = phone.locator("li.review[data-state=problem]")
        review.wait_for()  # the first sync after login brings it
        assert synced_day.day in review.inner_text()
        assert "有问题" in review.inner_text() and "请补录" in review.inner_text()
    finally:
        phone.context.close()
