"""A revoked token mid-shift: the app stops syncing (no retry loop on 401), asks the
liaison to log in again and keeps every queued record for after the new login."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext

from .conftest import PASSWORD, Server, go_offline, go_online, login, new_case, sync_and_wait

pytestmark = pytest.mark.e2e

TITLE = "E2E 令牌失效前记录的诉件"


def test_a_revoked_token_asks_for_login_and_keeps_the_outbox(
    server: Server, new_context: Callable[[], BrowserContext]
) -> None:
    if not server.db_url:
        pytest.skip("needs the CLI of a server this suite started")
    ctx = new_context()
    page = ctx.new_page()
    login(page, server.url, "liaison02")
    go_offline(ctx)
    new_case(page, TITLE)
    server.cli("user", "revoke", "liaison02")

    pushes: list[str] = []
    page.on("request", lambda r: pushes.append(r.url) if "/sync/push" in r.url else None)
    go_online(ctx)  # the online event starts a sync, which meets the 401
    page.wait_for_selector("text=登录已失效")
    page.wait_for_timeout(1500)
    assert len(pushes) == 1  # no retry with a dead token

    assert page.input_value("input[name=username]") == "liaison02"
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=user]")
    sync_and_wait(page)
    records = server.pull_all(server.token("liaison02"))
    assert any(r["kind"] == "case" and r["fields"].get("title") == TITLE for r in records)
