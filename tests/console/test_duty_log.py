"""The daily duty log after a synced day of two liaisons, and its review reaching the PWA."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import AsyncTestClient

from sync.clock import ManualClock
from tests.console.conftest import console_login, post_form
from tests.console.scenario import DAY, synced_day
from tests.sync.helpers import device, push_raw


def _row(html: str, marker: str) -> str:
    start = html.index(marker)
    return html[start:html.index("</tr>", start)]


async def _user_id(client: AsyncTestClient[Any], username: str) -> str:
    html = (await client.get(f"/console/duty-log?day={DAY}")).text
    match = re.search(rf'data-liaison="{username}">\s*<td><a href="/console/duty-log/([^/]+)/',
                      html)
    assert match, html
    return match.group(1)


async def test_the_squad_day_lists_each_liaison_with_visits_hours_and_flags(
        demo_client: AsyncTestClient[Any], clock: ManualClock) -> None:
    await synced_day(demo_client, clock)
    await console_login(demo_client, "leader01")
    html = (await demo_client.get(f"/console/duty-log?day={DAY}")).text
    zhang = _row(html, 'data-liaison="liaison01"')
    assert "张伟" in zhang
    # Two visits, 2.5 h + 1 h, merged from the phone and the tablet.
    assert '<td class="num">2</td>' in zhang and "3.5" in zhang
    assert "走访不足 2 小时" in zhang
    li = _row(html, 'data-liaison="liaison02"')
    assert '<td class="num">1</td>' in li and "2.2" in li
    assert "liaison03" not in html  # another squad's liaison


async def test_one_liaisons_log_shows_exactly_what_was_recorded_merged_with_durations(
        demo_client: AsyncTestClient[Any], clock: ManualClock) -> None:
    day = await synced_day(demo_client, clock)
    await console_login(demo_client, "leader01")
    zhang = await _user_id(demo_client, "liaison01")
    html = (await demo_client.get(f"/console/duty-log/{zhang}/{DAY}")).text
    assert "2 小时 30 分" in html and "1 小时 0 分" in html
    first = html.index(f'data-id="{day.visit_hy01}"')
    second = html.index(f'data-id="{day.visit_hy02}"')
    assert first < second  # a timeline, in order
    assert "华三居民区" in html and "大西别墅居民区" in html
    assert "31.22010, 121.42110" in html
    # Everything recorded in each visit is nested under it, from whichever device.
    for record_id in (day.ids["finding"], day.ids["publicity"]):
        assert first < html.index(f'data-id="{record_id}"') < second
    assert html.index(f'data-id="{day.case_id}"') > second
    assert "3号楼楼道堆放纸箱" in html and "以案释法" in html and "受理" in html
    short = _row(html[second - 200:], f'data-id="{day.visit_hy02}"')
    assert 'data-flag="short_visit"' in short
    # 李娜's work in 华三居民区 appears apart, as what others did in his communities.
    others = html[html.index('data-testid="by-others"'):]
    assert "希望增加非机动车充电桩" in others and "李娜" in others


async def test_a_review_is_shown_and_reaches_the_liaisons_device_on_the_next_pull(
        demo_client: AsyncTestClient[Any], clock: ManualClock) -> None:
    day = await synced_day(demo_client, clock)
    await console_login(demo_client, "leader01")
    zhang = await _user_id(demo_client, "liaison01")
    url = f"/console/duty-log/{zhang}/{DAY}"
    response = await post_form(demo_client, url + "/review",
                               {"state": "problem", "comment": "第二次走访不足两小时"},
                               page_url=url)
    assert response.status_code == 303
    html = (await demo_client.get(url)).text
    assert 'data-testid="review-state">有问题' in html and "第二次走访不足两小时" in html
    pulled = await day.phone.pull()
    reviews = [r for r in pulled if r["kind"] == "duty_log_review"]
    assert len(reviews) == 1
    assert reviews[0]["fields"] == {"liaison_id": zhang, "day": DAY, "state": "problem",
                                    "comment": "第二次走访不足两小时"}
    await post_form(demo_client, url + "/review", {"state": "approved", "comment": ""},
                    page_url=url)
    again = [r for r in await day.phone.pull() if r["kind"] == "duty_log_review"]
    assert again[0]["fields"]["state"] == "approved"
    squad = (await demo_client.get(f"/console/duty-log?day={DAY}")).text
    assert "已审核" in _row(squad, 'data-liaison="liaison01"')


async def test_a_review_pushed_from_a_device_does_not_count(
        demo_client: AsyncTestClient[Any], clock: ManualClock) -> None:
    day = await synced_day(demo_client, clock)
    await console_login(demo_client, "leader01")
    zhang = await _user_id(demo_client, "liaison01")
    review = {"liaison_id": zhang, "day": DAY, "state": "approved"}
    day.phone.write("duty_log_review", "c-hy-01", review, record_id=f"dlr-{zhang}-20261128")
    # Not even the squad leader's own tablet: a review is made in the console.
    tablet = await device(demo_client, clock, "leader01", "leader-tablet")
    tablet.write("duty_log_review", "c-hy-01", review, record_id=f"dlr-{zhang}-20261128")
    for phone in (day.phone, tablet):
        body = await push_raw(demo_client, phone, phone.outbox)
        assert [r["error"]["code"] for r in body["results"]] == ["forbidden"]
    html = (await demo_client.get(f"/console/duty-log/{zhang}/{DAY}")).text
    assert 'data-testid="review-state">待审核' in html


async def test_a_squad_leader_cannot_review_another_squads_liaison(
        demo_client: AsyncTestClient[Any], clock: ManualClock) -> None:
    await synced_day(demo_client, clock)
    await console_login(demo_client, "leader01")
    zhang = await _user_id(demo_client, "liaison01")
    await console_login(demo_client, "leader02")
    response = await post_form(demo_client, f"/console/duty-log/{zhang}/{DAY}/review",
                               {"state": "approved"}, page_url="/console/ledger")
    assert response.status_code == 404
    page = await demo_client.get(f"/console/duty-log/{zhang}/{DAY}")
    assert page.status_code == 404 and "张伟" not in page.text
