"""One phone, two liaisons: logging out never drops unsynced work, and the next user
never sees the previous user's records."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Dialog, Page

from .conftest import (
    Server,
    go_offline,
    go_online,
    login,
    new_case,
    open_tab,
    sync_and_wait,
)

pytestmark = pytest.mark.e2e

TITLE = "E2E 交接前未同步的诉件"


def databases(page: Page) -> list[str]:
    names = page.evaluate("indexedDB.databases().then(dbs => dbs.map(d => d.name))")
    return sorted(n for n in names if n.startswith("workroom-u-"))


def logout(page: Page) -> None:
    page.click("header >> text=退出登录")
    page.wait_for_selector("input[name=username]")


def test_logout_keeps_unsynced_work_and_the_next_user_sees_none_of_it(
    server: Server, new_context: Callable[[], BrowserContext]
) -> None:
    ctx = new_context()
    page = ctx.new_page()
    login(page, server.url, "liaison01")
    go_offline(ctx)
    new_case(page, TITLE)

    asked: list[str] = []

    def accept(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    logout(page)
    assert asked and "未同步" in asked[0]
    assert len(databases(page)) == 1  # kept on the phone

    go_online(ctx)
    login(page, server.url, "liaison03")
    open_tab(page, "cases")
    page.wait_for_selector("text=新建诉件")
    assert page.locator(f"text={TITLE}").count() == 0
    assert len(databases(page)) == 2

    # Nothing unsynced: liaison03's data leaves the phone with the logout, unasked.
    sync_and_wait(page)
    logout(page)
    assert len(asked) == 1
    assert len(databases(page)) == 1

    # Logging in again syncs by itself what was left queued.
    login(page, server.url, "liaison01")
    sync_and_wait(page)
    records = server.pull_all(server.token("liaison01"))
    assert any(r["kind"] == "case" and r["fields"].get("title") == TITLE for r in records)
