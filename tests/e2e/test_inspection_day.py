"""The rest of a field day offline: a visit of over two hours (the page clock is
driven), a property inspection with three failed checklist items and a rectification,
and three photos — all queued offline, all on the server after the sync."""

from __future__ import annotations

import struct
import time
import urllib.request
import zlib
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, FilePayload

from .conftest import (
    Server,
    fill,
    go_offline,
    go_online,
    login,
    open_tab,
    pending,
    submit,
    sync_and_wait,
)

pytestmark = pytest.mark.e2e


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour PNG, large enough that the app must downscale it."""
    row = b"\x00" + bytes(rgb) * width
    raw = zlib.compress(row * height, 9)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def test_inspection_photos_and_a_long_visit_reach_the_server(
    server: Server, new_context: Callable[[], BrowserContext]
) -> None:
    ctx = new_context()
    page = ctx.new_page()
    # Start the page clock three hours ago so a 2 h 10 min visit ends in the past
    # (the server refuses HLCs from the future).
    page.clock.install(time=time.time() - 3 * 3600)
    login(page, server.url, "liaison02")

    go_offline(ctx)
    open_tab(page, "visit")
    page.click("form button[type=submit]")  # 签到
    page.wait_for_selector("[data-testid=visit-timer]")

    page.click("button[data-kind=property_inspection]")
    fill(page, "property_inspection", {"property_company_id": "pc-e2e", "note": "E2E 季度检查"})
    submit(page, "property_inspection")
    page.click("li.activity >> text=物业")
    items = page.locator("ul.checklist li")
    for i in range(items.count()):
        items.nth(i).locator("input[value=fail]" if i < 3 else "input[value=pass]").check()
    page.click("text=保存检查结果")
    page.click("text=添加整改")
    fill(
        page,
        "rectification",
        {"action_required": "E2E 三日内清理楼道堆物", "deadline": "2026-12-05T12:00"},
    )
    submit(page, "rectification")
    # Followed to the end: the recheck result is recorded on the rectification.
    page.click("div.inspection li >> text=E2E 三日内清理楼道堆物")
    page.click("div.record-detail >> text=修改")
    fill(page, "rectification", {"recheck_result": "E2E 复查：已清理"})
    submit(page, "rectification")

    photo_input = page.locator("div.inspection > div.photos input[type=file]")
    for i, colour in enumerate([(200, 30, 30), (30, 200, 30), (30, 30, 200)]):
        photo_input.set_input_files(
            files=FilePayload(
                name=f"p{i}.png", mimeType="image/png", buffer=png(2400, 1200, colour)
            )
        )
        page.wait_for_function(
            f"document.querySelectorAll('div.inspection > div.photos img.thumb').length === {i + 1}"
        )

    page.clock.fast_forward("02:10:00")
    page.fill("textarea[name=summary]", "E2E 物业检查，发现三处问题")
    # The button: past midnight a warning above says the visit is not yet "签退" too.
    page.click("button:text-is('签退')")
    open_tab(page, "today")
    page.wait_for_selector("li.community >> text=已达标")
    assert pending(page) >= 1 + 1 + items.count() + 1 + 3 + 1

    go_online(ctx)
    sync_and_wait(page)
    assert page.locator("li.rejected").count() == 0, page.locator("li.rejected").all_inner_texts()

    token = server.token("liaison02")
    records = server.pull_all(token)
    insp = next(
        r
        for r in records
        if r["kind"] == "property_inspection" and r["fields"].get("note") == "E2E 季度检查"
    )
    answers = [
        r["fields"]["result"]
        for r in records
        if r["kind"] == "inspection_item" and r["fields"]["inspection_id"] == insp["id"]
    ]
    assert sorted(answers).count("fail") == 3
    rect = next(
        r
        for r in records
        if r["kind"] == "rectification" and r["fields"]["inspection_id"] == insp["id"]
    )
    assert rect["fields"]["recheck_result"] == "E2E 复查：已清理"
    visit = next(
        r for r in records if r["kind"] == "visit" and r["id"] == insp["fields"]["visit_id"]
    )
    assert visit["fields"]["summary"] == "E2E 物业检查，发现三处问题"
    photos = [
        r for r in records if r["kind"] == "attachment" and r["fields"]["parent_id"] == insp["id"]
    ]
    assert len(photos) == 3
    for p in photos:
        req = urllib.request.Request(f"{server.url}/api/v1/blobs/{p['fields']['sha256']}")
        req.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(req, timeout=10) as res:
            assert res.read(2) == b"\xff\xd8"  # downscaled to JPEG on the phone
