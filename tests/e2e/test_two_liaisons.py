"""Two liaisons of one community edit the same case offline; both converge."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page

from .conftest import (
    Server,
    add_step,
    fill,
    go_offline,
    go_online,
    login,
    new_case,
    open_case,
    submit,
    sync_and_wait,
)

pytestmark = pytest.mark.e2e

TITLE = "E2E 共同跟进诉件"


def edit_case(page: Page, title: str, status: str, note: str) -> None:
    open_case(page, TITLE)
    page.click("text=修改诉件")
    fill(page, "case", {"title": title})
    submit(page, "case")
    page.click("text=更新状态")
    fill(page, "case", {"status": status})
    submit(page, "case")
    add_step(page, {"action": "note", "note": note})


def case_view(page: Page) -> tuple[str, str, list[str]]:
    title = page.inner_text("section.case-detail h2")
    status = page.inner_text("[data-testid=case-status]")
    steps = sorted(page.locator("ol.steps li div").all_inner_texts())
    return title, status, steps


def test_offline_edits_of_one_case_by_two_liaisons_converge(
    server: Server, new_context: Callable[[], BrowserContext]
) -> None:
    ctx1, ctx2 = new_context(), new_context()
    p1, p2 = ctx1.new_page(), ctx2.new_page()
    login(p1, server.url, "liaison01")
    new_case(p1, TITLE)
    sync_and_wait(p1)
    login(p2, server.url, "liaison02")
    sync_and_wait(p2)
    open_case(p2, TITLE)

    go_offline(ctx1)
    go_offline(ctx2)
    edit_case(p1, "E2E 标题（甲）", "in_progress", "甲：已约谈物业")
    edit_case(p2, "E2E 标题（乙）", "resolved", "乙：现场已清理")

    # 乙's edits are the later ones (higher HLC) but reach the server first, so 甲's
    # title arrives second and loses: 甲's phone sees it in the same sync run. (Going
    # online starts a sync by itself, hence one phone at a time.)
    go_online(ctx2)
    sync_and_wait(p2)
    go_online(ctx1)
    sync_and_wait(p1)
    sync_and_wait(p2)
    overridden = p1.inner_text("[data-testid=overridden]")
    assert "E2E 标题（乙）" in overridden and "E2E 标题（甲）" in overridden

    # The status merges by its lattice: a stale "in progress" never undoes "resolved".
    views = []
    for page in (p1, p2):
        page.click("nav button[data-tab=cases]")
        page.click("ul.cases li:has-text('E2E 标题')")
        page.wait_for_selector("section.case-detail")
        page.wait_for_function("document.querySelectorAll('ol.steps li').length === 2")
        views.append(case_view(page))
    assert views[0] == views[1]
    title, status, steps = views[0]
    assert title in ("E2E 标题（甲）", "E2E 标题（乙）")
    assert status == "已办结"
    assert steps == ["乙：现场已清理", "甲：已约谈物业"]

    # The overridden title is not lost: the squad leader sees the conflict.
    conflicts = server.api("GET", "/conflicts", server.token("leader01"))["conflicts"]
    titles = [c for c in conflicts if c["kind"] == "case" and c["field"] == "title"]
    assert titles, conflicts
    values = {titles[0]["winner"]["value"], titles[0]["loser"]["value"]}
    assert values == {"E2E 标题（甲）", "E2E 标题（乙）"}
