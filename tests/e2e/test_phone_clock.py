"""A phone whose clock runs an hour fast: the liaison is warned, and what they record
is still accepted (its HLC is taken from the corrected clock, not from the future)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext

from .conftest import PASSWORD, Server, new_case, sync_and_wait

pytestmark = pytest.mark.e2e

TITLE = "E2E 手机时间偏快时的诉件"


def test_a_fast_phone_clock_is_flagged_and_its_records_are_accepted(
    server: Server, new_context: Callable[[], BrowserContext]
) -> None:
    ctx = new_context()
    page = ctx.new_page()
    page.clock.install(time=time.time() + 3600)
    page.goto(server.url + "/app/")
    page.fill("input[name=username]", "liaison01")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=user]")
    sync_and_wait(page)
    page.wait_for_selector("text=手机时间与服务器相差 60 分钟")

    new_case(page, TITLE)
    sync_and_wait(page)
    assert page.locator("li.rejected").count() == 0
    records = server.pull_all(server.token("liaison01"))
    assert any(r["kind"] == "case" and r["fields"].get("title") == TITLE for r in records)
