"""Console browser tests: a real `workroom serve` on a temp SQLite file, Debian's Chromium,
and a synced day of two liaisons recorded through the reference client over HTTP."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.live_server import live_server, workroom_command
from tests.reference_client import Device

PASSWORD = "Workroom2026"
SHANGHAI = ZoneInfo("Asia/Shanghai")






@dataclass
class SyncedDay:
    url: str
    day: str
    case_title: str
    qr_case_title: str


def _at(day: str, hhmm: str) -> str:
    return f"{day}T{hhmm}:00+08:00"


async def _record_day(url: str, day: str) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=20) as http:
        phone, tablet, li_na = (Device(http=http, device_id=d)
                                for d in ("e2e-phone-zw", "e2e-tablet-zw", "e2e-phone-ln"))
        await phone.login("liaison01", PASSWORD)
        await tablet.login("liaison01", PASSWORD)
        await li_na.login("liaison02", PASSWORD)
        visit = phone.write("visit", "c-hy-01", {"started_at": _at(day, "09:00"),
                                                 "ended_at": _at(day, "11:30"),
                                                 "purpose": "周例行走访"})
        phone.write("patrol_finding", "c-hy-01", {"category": "乱堆物",
                                                  "description": "3号楼楼道堆放纸箱",
                                                  "visit_id": visit["record_id"]})
        visit2 = tablet.write("visit", "c-hy-02", {"started_at": _at(day, "13:00"),
                                                   "ended_at": _at(day, "14:00")})
        tablet.write("case", "c-hy-02", {"title": "小区门口占道经营", "category": "占道经营",
                                         "source": "resident_in_person",
                                         "visit_id": visit2["record_id"]})
        li_na.write("visit", "c-hy-01", {"started_at": _at(day, "10:00"),
                                         "ended_at": _at(day, "12:15")})
        li_na.write("case", "c-hy-01", {"title": "扫码反映乱张贴", "category": "乱张贴",
                                        "source": "qr"})
        for device in (phone, tablet, li_na):
            await device.sync()


@pytest.fixture(scope="module")
def synced_day(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncedDay]:
    tmp = tmp_path_factory.mktemp("console-e2e")
    db_url = f"sqlite+aiosqlite:///{tmp}/w.db"
    data = tmp / "data"
    data.mkdir()
    subprocess.run([workroom_command(), "seed-demo", "--db", db_url, "--data-dir", str(data),
                    "--password", PASSWORD], check=True, capture_output=True)
    with live_server(db_url, data) as url:
        day = datetime.now(SHANGHAI).date().isoformat()
        # Playwright's sync API owns this thread's event loop: record the day in another.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(asyncio.run, _record_day(url, day)).result()
        yield SyncedDay(url=url, day=day, case_title="小区门口占道经营",
                        qr_case_title="扫码反映乱张贴")


# Module scope, not session: while Playwright's sync API is open, this thread counts as
# running an event loop, and the rest of the suite's asyncio.run() calls would fail.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require_chromium()
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                      args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                  accept_downloads=True)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def console_login(page: Page, url: str, username: str) -> None:
    page.goto(url + "/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=who]")
