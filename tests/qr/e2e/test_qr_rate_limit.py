"""The 21st report from one address within an hour gets its own page (own server, so
the limit does not spill into the other browser tests)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext

from tests.qr.e2e.conftest import QrServer

pytestmark = pytest.mark.e2e


def test_the_21st_report_from_one_address_in_an_hour_gets_its_page(
        qr_server: QrServer, phone: BrowserContext) -> None:
    url = qr_server.cli("qr", "create", "c-hy-01", "--placement", "居委会")
    page = phone.new_page()
    page.goto(url)
    csrf = page.get_attribute("input[name=_csrf_token]", "value")
    assert csrf
    # Twenty reports sent from this phone's browser session (its cookies, its address).
    for n in range(20):
        response = phone.request.post(url, multipart={
            "_csrf_token": csrf, "category": "乱张贴", "description": f"小广告 第{n + 1}处",
            "location": "", "phone": "", "website": ""}, max_redirects=0)
        assert response.status == 303, response.text()
        assert re.match(r"^/r/t/", response.headers["location"])
    page.select_option("#category", "乱张贴")
    page.fill("#description", "又一处小广告")
    with page.expect_navigation() as navigation:
        page.click("button[type=submit]")
    assert navigation.value.status == 429  # type: ignore[union-attr]
    assert "一小时内最多提交 20 次" in page.inner_text("#error")
    token = qr_server.login("liaison01", "e2e-rate")
    cases = [r for r in qr_server.pull(token).values() if r["kind"] == "case"]
    assert len(cases) == 20
