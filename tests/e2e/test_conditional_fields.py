"""The phone checks what the server would refuse as missing before it queues a record:
a feedback step (反馈诉求人) names its channel and content (``required_when``), and the
form says so in Chinese, naming the field the server would name."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext

from .conftest import Server, fill, go_offline, login, new_case, pending, submit

pytestmark = pytest.mark.e2e


def test_a_feedback_step_without_its_channel_is_refused_on_the_phone(
    server: Server, new_context: Callable[[], BrowserContext]
) -> None:
    ctx = new_context()
    page = ctx.new_page()
    login(page, server.url, "liaison01")
    go_offline(ctx)
    new_case(page, "E2E 反馈须填方式")

    page.click("text=添加处置记录")
    form = page.locator("form.record-form[data-kind=case_step]").last
    fill(page, "case_step", {"action": "feedback"})
    # Marked as soon as the action makes them required.
    assert form.locator("label:has([name=channel]) > span").inner_text().endswith("*")
    assert form.locator("label:has([name=content]) > span").inner_text().endswith("*")
    form.locator("button[type=submit]").click()
    errors = form.locator("p.error").all_inner_texts()
    assert errors == ["处置动作为「反馈诉求人」时，反馈方式为必填项",
                      "处置动作为「反馈诉求人」时，反馈内容为必填项"]

    fill(page, "case_step", {"channel": "phone", "content": "E2E 已电话告知"})
    submit(page, "case_step")
    # The case and one step: the refused save queued nothing.
    assert pending(page) == 2
