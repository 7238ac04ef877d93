"""Every bad input gets its own friendly Chinese page — never JSON, never a traceback —
and none of them creates a case."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from sync.clock import ManualClock
from sync.qr.registry import QrRegistry
from tests.qr.helpers import csrf_of, jpeg_with_gps, new_code, submit, tracking_token

ELEVEN_MIB = b"\xff\xd8\xff\xe0" + b"\0" * (11 * 1024 * 1024)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"


def assert_friendly(response: object, status: int, words: str) -> None:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("text/html")  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    assert words in text
    assert "Traceback" not in text and '{"error"' not in text


async def cases(engine: AsyncEngine) -> int:
    import sqlalchemy as sa

    from sync.db.tables import records

    async with engine.connect() as conn:
        return int((await conn.execute(sa.select(sa.func.count()).where(
            records.c.kind == "case"))).scalar_one())


@pytest.mark.parametrize(("case", "status", "words"), [
    ("invalid_phone", 400, "手机号格式不正确"),
    ("pdf_named_jpg", 415, "不是照片"),
    ("eleven_mib_photo", 413, "照片太大了"),
    ("four_photos", 400, "最多上传 3 张照片"),
    ("no_description", 400, "请填写问题描述"),
    ("unknown_category", 400, "请选择问题类别"),
    ("honeypot", 400, "提交未成功"),
])
async def test_a_bad_report_reshows_the_form_with_its_message_and_what_was_typed(
        demo_client: AsyncTestClient, engine: AsyncEngine, clock: ManualClock, case: str,
        status: int, words: str) -> None:
    code = await new_code(engine, clock)
    description = "楼下<b>有人</b>占道"
    kwargs: dict = {"description": description}  # type: ignore[type-arg]
    if case == "invalid_phone":
        kwargs["phone"] = "1234567"
    elif case == "pdf_named_jpg":
        kwargs["photos"] = [PDF]
    elif case == "eleven_mib_photo":
        kwargs["photos"] = [ELEVEN_MIB]
    elif case == "four_photos":
        kwargs["photos"] = [jpeg_with_gps((64, 48))] * 4
    elif case == "no_description":
        kwargs["description"] = "   "
    elif case == "unknown_category":
        kwargs["category"] = "<script>"
    else:
        kwargs["website"] = "http://spam.example"
    response = await submit(demo_client, code.code, **kwargs)
    assert_friendly(response, status, words)
    if case not in ("no_description", "honeypot"):
        # What the resident typed is kept, escaped.
        assert "楼下&lt;b&gt;有人&lt;/b&gt;占道" in response.text
    assert await cases(engine) == 0


async def test_unknown_and_revoked_codes_and_unknown_tracking_links_get_their_pages(
        demo_client: AsyncTestClient, engine: AsyncEngine, clock: ManualClock) -> None:
    assert_friendly(await demo_client.get("/r/abcdefghijklmnop"), 404, "二维码无效")
    assert_friendly(await demo_client.get("/r/1"), 404, "二维码无效")
    code = await new_code(engine, clock)
    page = await demo_client.get(f"/r/{code.code}")
    await QrRegistry(engine, clock).revoke(code.code, by=None)
    assert_friendly(await demo_client.get(f"/r/{code.code}"), 410, "二维码已停用")
    # A form opened before the revocation cannot be sent after it.
    assert_friendly(await submit(demo_client, code.code, csrf=csrf_of(page.text)), 410,
                    "二维码已停用")
    assert_friendly(await demo_client.get("/r/t/not-a-real-tracking-token-at-all"), 404,
                    "找不到这条反映")
    assert await cases(engine) == 0


async def test_a_post_without_the_csrf_token_is_refused_with_a_page(
        demo_client: AsyncTestClient, engine: AsyncEngine, clock: ManualClock) -> None:
    code = await new_code(engine, clock)
    await demo_client.get(f"/r/{code.code}")
    response = await demo_client.post(f"/r/{code.code}", data={
        "category": "乱堆物", "description": "x"})
    assert_friendly(response, 403, "页面已过期")
    assert await cases(engine) == 0


async def test_the_21st_report_from_one_address_in_an_hour_is_refused(
        demo_client: AsyncTestClient, engine: AsyncEngine, clock: ManualClock) -> None:
    first = await new_code(engine, clock)
    second = await new_code(engine, clock, placement="物业")
    csrf = csrf_of((await demo_client.get(f"/r/{first.code}")).text)
    for n in range(20):
        # The limit is per address, whichever code it comes through.
        code = first if n % 2 else second
        tracking_token(await submit(demo_client, code.code, csrf=csrf, description=f"第{n}次"))
        clock.advance(seconds=30)
    refused = await submit(demo_client, first.code, csrf=csrf)
    assert_friendly(refused, 429, "一小时内最多提交 20 次")
    assert await cases(engine) == 20
    # An hour after the first ones, there is room again.
    clock.advance(minutes=51)
    tracking_token(await submit(demo_client, first.code, csrf=csrf))


async def test_a_body_over_the_whole_request_limit_is_cut_off_with_a_page(
        demo_client: AsyncTestClient, engine: AsyncEngine, clock: ManualClock) -> None:
    code = await new_code(engine, clock)
    big = b"\xff\xd8\xff" + b"\0" * (12 * 1024 * 1024)
    response = await submit(demo_client, code.code, photos=[big, big, big])
    assert_friendly(response, 413, "提交的内容太大了")
    assert await cases(engine) == 0


async def test_a_nul_character_in_the_description_does_not_break_the_report(
        demo_client: AsyncTestClient, engine: AsyncEngine, clock: ManualClock) -> None:
    # PostgreSQL refuses \u0000 in JSON; a resident's paste must not become a 500.
    code = await new_code(engine, clock)
    tracking_token(await submit(demo_client, code.code, description="门口\x00堆物\r\n很久了"))
    assert await cases(engine) == 1
