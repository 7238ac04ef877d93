"""A push the server refuses for good (a 4xx that no retry can fix): the phone stops its
sync loop instead of retrying every few minutes, says in Chinese what happened and what
to do — never the protocol's code — keeps the outbox, and only the 同步 button tries again."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext

from .conftest import (
    Server,
    go_offline,
    go_online,
    login,
    new_case,
    open_tab,
    pending,
    sync_and_wait,
)

pytestmark = pytest.mark.e2e

TITLE = "E2E 同步暂停时记录的诉件"
REFUSAL = {"error": {"code": "forbidden", "message": "无权执行此操作"}}


def test_a_refused_push_stops_the_loop_until_the_liaison_presses_sync(
    server: Server, new_context: Callable[[], BrowserContext]
) -> None:
    ctx = new_context()
    page = ctx.new_page()
    login(page, server.url, "liaison03")
    go_offline(ctx)
    new_case(page, TITLE)

    pushes: list[str] = []

    def refuse(route: Any) -> None:
        pushes.append(route.request.url)
        route.fulfill(status=403, content_type="application/json", body=json.dumps(REFUSAL))

    ctx.route("**/api/v1/sync/push", refuse)
    go_online(ctx)  # the online event starts a sync, which the server refuses
    open_tab(page, "sync")
    page.wait_for_selector("[data-testid=sync-phase][data-phase=stopped]")
    advice = page.inner_text("[data-testid=sync-phase]")
    assert "同步已暂停" in advice and "联系管理员" in advice
    assert not re.search(r"[A-Za-z_]{4,}", advice), advice  # no code, no English

    # Going offline and online again does not restart a stopped loop; nothing is lost.
    go_offline(ctx)
    go_online(ctx)
    page.wait_for_timeout(2000)
    assert len(pushes) == 1
    assert pending(page) >= 1

    # The administrator fixed it: 同步 sends the outbox, and it lands.
    ctx.unroute("**/api/v1/sync/push", refuse)
    sync_and_wait(page)
    records = server.pull_all(server.token("liaison03"))
    assert any(r["kind"] == "case" and r["fields"].get("title") == TITLE for r in records)
