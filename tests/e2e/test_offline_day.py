"""A liaison's day without signal: everything recorded offline survives a closed page
and reaches the server on return."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext

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


def test_a_day_recorded_offline_is_kept_and_synced_on_return(
    server: Server, new_context: Callable[[], BrowserContext]
) -> None:
    ctx = new_context()
    page = ctx.new_page()
    login(page, server.url, "liaison01")

    # No network from here on, for the page and the service worker alike.
    go_offline(ctx)
    page.reload()
    page.wait_for_selector("[data-testid=user]")
    assert page.inner_text("[data-testid=net]") == "离线"

    open_tab(page, "visit")
    page.click("form button[type=submit]")  # 签到
    page.wait_for_selector("[data-testid=visit-timer]")

    page.click("button[data-kind=patrol_finding]")
    fill(page, "patrol_finding", {"category": "乱堆物", "description": "E2E 楼道堆放杂物"})
    submit(page, "patrol_finding")

    page.click("button[data-kind=case]")
    fill(page, "case", {"title": "E2E 楼道堆物投诉", "category": "乱堆物", "source": "patrol"})
    submit(page, "case")
    page.click("li.activity >> text=E2E 楼道堆物投诉")
    page.click("text=添加处置记录")
    fill(page, "case_step", {"action": "note", "note": "E2E 已联系物业"})
    submit(page, "case_step")
    page.wait_for_selector("ol.steps >> text=E2E 已联系物业")

    # The finding needs follow-up: turn it into a case of its own.
    open_tab(page, "visit")
    page.click("li.activity >> text=E2E 楼道堆放杂物")
    page.click("text=转为诉件")
    page.wait_for_selector("section.case-detail h2:has-text('E2E 楼道堆放杂物')")

    queued = pending(page)
    assert queued >= 6  # visit, finding, case, step, case from finding, link

    # Close the app and open it again, still offline: nothing is lost.
    page.close()
    page = ctx.new_page()
    page.goto(server.url + "/app/")
    page.wait_for_selector("[data-testid=user]")
    assert pending(page) == queued

    go_online(ctx)
    sync_and_wait(page)
    assert page.locator("li.rejected").count() == 0

    records = server.pull_all(server.token("liaison01"))
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by_kind.setdefault(str(r["kind"]), []).append(r)
    case = next(r for r in by_kind["case"] if r["fields"].get("title") == "E2E 楼道堆物投诉")
    visit_id = case["fields"].get("visit_id")
    assert any(v["id"] == visit_id for v in by_kind["visit"])
    finding = next(
        f for f in by_kind["patrol_finding"] if f["fields"].get("description") == "E2E 楼道堆放杂物"
    )
    assert finding["fields"].get("visit_id") == visit_id
    from_finding = next(r for r in by_kind["case"] if r["id"] == finding["fields"].get("case_id"))
    assert from_finding["fields"]["source"] == "patrol"
    assert from_finding["fields"].get("visit_id") == visit_id
    steps = [s for s in by_kind["case_step"] if s["fields"].get("case_id") == case["id"]]
    assert [s["fields"].get("note") for s in steps] == ["E2E 已联系物业"]
