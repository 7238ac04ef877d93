"""A visit still running past midnight: the liaison is asked for the real end time, the
time offered is the current one (not the one the form showed at check-in), and the
time they enter is what the server keeps."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import BrowserContext

from .conftest import Server, go_offline, go_online, login, open_tab, sync_and_wait

pytestmark = pytest.mark.e2e

SHANGHAI = timezone(timedelta(hours=8))
SUMMARY = "E2E 晚间走访，忘了签退"


def test_a_visit_left_open_past_midnight_ends_at_the_time_the_liaison_enters(
    server: Server, new_context: Callable[[], BrowserContext]
) -> None:
    # Two days ago at 23:00 in Shanghai: the whole visit lies in the past, whenever this
    # runs (the server refuses HLCs from the future).
    day = datetime.fromtimestamp(time.time(), SHANGHAI).date() - timedelta(days=2)
    start = datetime(day.year, day.month, day.day, 23, 0, tzinfo=SHANGHAI)
    ctx = new_context()
    page = ctx.new_page()
    page.clock.install(time=start.timestamp())
    login(page, server.url, "liaison02")

    go_offline(ctx)
    open_tab(page, "visit")
    page.click("form button[type=submit]")  # 签到
    page.wait_for_selector("[data-testid=visit-timer]")
    page.clock.fast_forward("01:30:00")  # 00:30 the next day
    ended_at = page.locator("input[name=ended_at]")
    ended_at.wait_for()
    after_midnight = start + timedelta(minutes=90)
    assert ended_at.input_value() == after_midnight.strftime("%Y-%m-%dT%H:%M")
    ended_at.fill(start.strftime("%Y-%m-%dT23:55"))
    page.fill("textarea[name=summary]", SUMMARY)
    page.click("button:text-is('签退')")
    page.wait_for_selector("form button:text-is('签到')")

    go_online(ctx)
    sync_and_wait(page)
    assert page.locator("li.rejected").count() == 0
    visit = next(
        r
        for r in server.pull_all(server.token("liaison02"))
        if r["kind"] == "visit" and r["fields"].get("summary") == SUMMARY
    )
    ended = datetime.fromisoformat(visit["fields"]["ended_at"])
    assert ended == start + timedelta(minutes=55)
