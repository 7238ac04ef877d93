"""The QR registry in the console: the same actions as the CLI, behind the console login."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from sync.clock import ManualClock
from tests.conftest import DEMO_PASSWORD
from tests.qr.helpers import csrf_of, new_code, submit, tracking_token


async def console_login(client: AsyncTestClient, username: str) -> None:
    client.cookies.clear()
    page = await client.get("/console/login")
    done = await client.post("/console/login", data={
        "username": username, "password": DEMO_PASSWORD, "_csrf_token": csrf_of(page.text)},
        follow_redirects=False)
    assert done.status_code == 303, done.text


async def post(client: AsyncTestClient, url: str, data: dict[str, str]) -> Any:
    token = csrf_of((await client.get("/console/qr/")).text)
    return await client.post(url, data={**data, "_csrf_token": token},
                             follow_redirects=False)


async def test_a_squad_leader_posts_replaces_revokes_and_prints_in_the_console(
        demo_client: AsyncTestClient, clock: ManualClock) -> None:
    await console_login(demo_client, "leader01")
    created = await post(demo_client, "/console/qr/codes", {
        "community_id": "c-hy-01", "placement": "物业", "custom_placement": ""})
    assert created.status_code == 303
    page = await demo_client.get(created.headers["location"])
    assert page.status_code == 200
    [code] = re.findall(r'<tr data-code="([a-z2-7]{16})">', page.text)
    assert "使用中" in page.text and "从未扫码" in page.text

    clock.advance(minutes=1)
    await post(demo_client, f"/console/qr/codes/{code}/replace", {})
    clock.advance(minutes=1)
    custom = await post(demo_client, "/console/qr/codes", {
        "community_id": "c-hy-01", "placement": "物业", "custom_placement": "3 号门<岗亭>"})
    assert custom.status_code == 303
    page = await demo_client.get("/console/qr/?community_id=c-hy-01")
    assert "已更换" in page.text and page.text.count("使用中") == 2
    assert "3 号门&lt;岗亭&gt;" in page.text
    codes = re.findall(r'<tr data-code="([a-z2-7]{16})">', page.text)  # oldest first
    await post(demo_client, f"/console/qr/codes/{codes[-1]}/revoke", {})
    page = await demo_client.get("/console/qr/?community_id=c-hy-01")
    assert "已停用" in page.text

    poster = await demo_client.get("/console/qr/poster?community_id=c-hy-01")
    assert poster.status_code == 200 and poster.text.count('class="sheet"') == 1
    squad = await demo_client.get("/console/qr/poster?squad_id=sq-hy")
    assert squad.status_code == 200
    png = await demo_client.get(f"/console/qr/codes/{codes[1]}/image/png")
    assert png.content.startswith(b"\x89PNG")

    # A month on, nobody has scanned the posted code: the registry says so.
    clock.advance(minutes=31 * 24 * 60)
    await console_login(demo_client, "leader01")
    page = await demo_client.get("/console/qr/?community_id=c-hy-01")
    assert page.text.count('data-testid="stale"') == 1


async def test_the_bureau_reads_but_does_not_post_and_strangers_are_sent_to_login(
        demo_client: AsyncTestClient) -> None:
    assert (await demo_client.get("/console/qr/", follow_redirects=False)).status_code == 303
    await console_login(demo_client, "bureau01")
    page = await demo_client.get("/console/qr/")
    assert page.status_code == 200 and 'data-testid="qr-create"' not in page.text
    refused = await post(demo_client, "/console/qr/codes", {
        "community_id": "c-hy-01", "placement": "居委会"})
    assert refused.status_code == 403


async def test_an_admin_may_post_codes_for_any_community(demo_client: AsyncTestClient) -> None:
    await console_login(demo_client, "admin")
    created = await post(demo_client, "/console/qr/codes", {
        "community_id": "c-lk-02", "placement": "小区出入口"})
    assert created.status_code == 303
    page = await demo_client.get(created.headers["location"])
    assert "临空二号园区" in page.text and 'data-testid="qr-create"' in page.text


async def test_a_residents_script_is_shown_escaped_in_the_console_ledger_and_case(
        demo_client: AsyncTestClient, engine: AsyncEngine, clock: ManualClock) -> None:
    code = await new_code(engine, clock)
    tracking_token(await submit(demo_client, code.code,
                                description="<script>alert(1)</script>楼道堆物",
                                location="<img src=x onerror=alert(2)>"))
    await console_login(demo_client, "leader01")
    ledger = await demo_client.get("/console/ledger")
    assert ledger.status_code == 200
    assert "乱堆物：&lt;script&gt;alert(1)&lt;/script&gt;楼道堆物" in ledger.text
    assert "<script>alert" not in ledger.text
    [case_id] = re.findall(r'<tr data-case="([0-9a-f-]{36})">', ledger.text)
    case = await demo_client.get(f"/console/ledger/{case_id}")
    assert case.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;楼道堆物" in case.text
    assert "<script>alert" not in case.text and "<img src=x" not in case.text


async def test_the_residents_answer_shows_on_the_console_case_page(
        demo_client: AsyncTestClient, engine: AsyncEngine, clock: ManualClock) -> None:
    from tests.reference_client import Device

    code = await new_code(engine, clock, placement="物业")
    csrf = csrf_of((await demo_client.get(f"/r/{code.code}")).text)
    token = tracking_token(await submit(demo_client, code.code, csrf=csrf))
    phone = Device(http=demo_client, device_id="phone-9", wall_clock=clock.now_ms)
    await phone.login("liaison01", DEMO_PASSWORD)
    await phone.pull()
    [case_id] = [r["id"] for r in phone.records.values() if r["kind"] == "case"]
    phone.write("case", "c-hy-01", {"status": "resolved", "reopen_count": 0},
                record_id=case_id)
    await phone.push()
    answered = await demo_client.post(f"/r/t/{token}/feedback", data={
        "_csrf_token": csrf, "outcome": "not_solved", "satisfaction": "2",
        "comment": "还是有人堆"}, follow_redirects=False)
    assert answered.status_code == 303
    await console_login(demo_client, "leader01")
    page = await demo_client.get(f"/console/ledger/{case_id}")
    assert page.status_code == 200
    for words in ("扫码位置", "物业", "居民评价：是否解决", "没解决", "居民满意度", "还是有人堆"):
        assert words in page.text, words
