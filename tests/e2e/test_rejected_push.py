"""A push the server rejects in part: the rest is applied, the rejected mutation stays
on the device with the server's reason, and can be fixed and resent."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext

from .conftest import (
    Server,
    add_step,
    fill,
    go_offline,
    go_online,
    login,
    new_case,
    open_tab,
    sync_and_wait,
)

pytestmark = pytest.mark.e2e

TITLE = "E2E 部分退回诉件"


def test_rejected_mutation_stays_visible_and_can_be_resent(
    server: Server, new_context: Callable[[], BrowserContext]
) -> None:
    ctx = new_context()
    page = ctx.new_page()
    login(page, server.url, "liaison01")
    go_offline(ctx)
    new_case(page, TITLE)
    add_step(page, {"action": "note", "note": "E2E 已受理登记"})
    # A feedback step needs channel and content (a server rule the form cannot see).
    add_step(page, {"action": "feedback"})

    go_online(ctx)
    sync_and_wait(page)
    rejected = page.locator("li.rejected")
    assert rejected.count() == 1
    assert "missing_field" in rejected.locator("[data-testid=rejected-reason]").inner_text()

    token = server.token("liaison01")
    records = server.pull_all(token)
    case = next(r for r in records if r["kind"] == "case" and r["fields"].get("title") == TITLE)
    steps = [
        r for r in records if r["kind"] == "case_step" and r["fields"]["case_id"] == case["id"]
    ]
    assert [s["fields"]["action"] for s in steps] == ["note"]

    # Fix and resend: a new mutation; the rejected one stays listed as resent.
    rejected.locator("text=修改后重新提交").click()
    fill(page, "case_step", {"channel": "phone", "content": "E2E 已电话告知处理进度"})
    rejected.locator("form button[type=submit]").click()
    page.wait_for_selector("li.rejected >> text=已重新提交")
    sync_and_wait(page)
    assert page.locator("li.rejected").count() == 1

    records = server.pull_all(token)
    actions = sorted(
        r["fields"]["action"]
        for r in records
        if r["kind"] == "case_step" and r["fields"]["case_id"] == case["id"]
    )
    assert actions == ["feedback", "note"]
    open_tab(page, "today")
