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
    # A right-to-left override in the note: the server's gate refuses it, the form does
    # not look for it (the phone checks required fields, test_conditional_fields.py).
    add_step(page, {"action": "contact", "note": "E2E 已电话\u202e联系"})

    go_online(ctx)
    sync_and_wait(page)
    rejected = page.locator("li.rejected")
    assert rejected.count() == 1
    # The server's Chinese message and the field's label from the schema; never the
    # code, the field's wire name, nor the mutation as JSON.
    reason = rejected.locator("[data-testid=rejected-reason]").inner_text()
    assert reason.startswith("原因：字段取值不正确") and reason.endswith("（说明）")
    assert reason.count("说明") == 1
    assert "invalid_field" not in reason and "note" not in reason
    recorded = rejected.locator("dl.fields").inner_text()
    assert "处置动作" in recorded and "联系当事人" in recorded
    assert "contact" not in recorded and "{" not in recorded and "case_id" not in recorded

    token = server.token("liaison01")
    records = server.pull_all(token)
    case = next(r for r in records if r["kind"] == "case" and r["fields"].get("title") == TITLE)
    steps = [
        r for r in records if r["kind"] == "case_step" and r["fields"]["case_id"] == case["id"]
    ]
    assert [s["fields"]["action"] for s in steps] == ["note"]

    # Fix and resend: a new mutation; the rejected one stays listed as resent.
    rejected.locator("text=修改后重新提交").click()
    fill(page, "case_step", {"note": "E2E 已电话联系"})
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
    assert actions == ["contact", "note"]
    open_tab(page, "today")


def test_rejected_hostile_title_reads_as_labels_and_stays_isolated(
    server: Server, new_context: Callable[[], BrowserContext]
) -> None:
    """A title holding a right-to-left override (refused by the server's gate) is shown
    among the labelled fields inside an isolate, so it cannot reorder the rest."""
    title = "E2E 方向符\u202e楼道堆物"
    ctx = new_context()
    page = ctx.new_page()
    login(page, server.url, "liaison01")
    go_offline(ctx)
    new_case(page, title)
    # Until the server refuses it, the case is on the phone: its heading isolates too.
    heading = page.locator("section.case-detail h2 bdi", has_text="方向符")
    assert heading.evaluate("e => getComputedStyle(e).unicodeBidi") == "isolate"
    go_online(ctx)
    sync_and_wait(page)
    rejected = page.locator("li.rejected", has_text="方向符")
    assert rejected.count() == 1
    reason = rejected.locator("[data-testid=rejected-reason]").inner_text()
    assert reason.startswith("原因：字段取值不正确") and reason.endswith("（诉件标题）")
    assert "invalid_field" not in reason and "title" not in reason
    recorded = rejected.locator("dl.fields").inner_text()
    assert "诉件标题" in recorded and "居委会" in recorded
    assert "residents_committee" not in recorded and "{" not in recorded
    isolated = rejected.locator("dl.fields dd bdi", has_text="方向符")
    assert isolated.evaluate("e => getComputedStyle(e).unicodeBidi") == "isolate"
