"""A resident scans, reports, follows the case and answers — on SQLite and PostgreSQL."""

from __future__ import annotations

import io

from litestar.testing import AsyncTestClient
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncEngine

from sync.clock import ManualClock
from tests.conftest import DEMO_PASSWORD, login
from tests.qr.helpers import jpeg_with_gps, new_code, submit, tracking_token
from tests.reference_client import Device


async def liaison(client: AsyncTestClient, clock: ManualClock, username: str = "liaison01",
                  device_id: str = "phone-1") -> Device:
    device = Device(http=client, device_id=device_id, wall_clock=clock.now_ms)
    await device.login(username, DEMO_PASSWORD)
    return device


def kind(device: Device, name: str) -> list[dict]:  # type: ignore[type-arg]
    return [r for r in device.records.values() if r["kind"] == name]


async def test_a_report_with_a_photo_reaches_the_liaisons_next_pull_as_a_qr_case(
        demo_client: AsyncTestClient, engine: AsyncEngine, clock: ManualClock) -> None:
    code = await new_code(engine, clock, placement="小区出入口")
    token = tracking_token(await submit(demo_client, code.code, photos=[jpeg_with_gps()]))
    assert token

    phone = await liaison(demo_client, clock)
    await phone.pull()
    [case] = kind(phone, "case")
    fields = case["fields"]
    assert case["community_id"] == "c-hy-01"
    assert fields["source"] == "qr" and fields["status"] == "received"
    assert fields["qr_placement"] == "小区出入口"
    assert fields["reporter_phone"] == "13812345678"
    assert fields["category"] == "乱堆物" and fields["location"] == "3 号楼 1 单元"
    assert fields["qr_tracking_number"].startswith("QR261128-")
    assert fields["due_at"] == "2026-12-05T01:00:00.000Z"  # 乱堆物: 7 days (schema/slas.toml)
    [photo] = kind(phone, "attachment")
    assert photo["fields"]["parent_id"] == case["id"]
    assert photo["fields"]["parent_kind"] == "case"

    # The stored photo is a re-encoded JPEG: no EXIF, no GPS, long side capped.
    blob = await demo_client.get(f"/api/v1/blobs/{photo['fields']['sha256']}",
                                 headers=phone.headers)
    assert blob.status_code == 200
    image = Image.open(io.BytesIO(blob.content))
    assert image.format == "JPEG" and not image.getexif() and max(image.size) == 1600

    # Another liaison of the community gets it too; one of another squad does not.
    other = await liaison(demo_client, clock, "liaison02", "phone-2")
    await other.pull()
    assert [c["id"] for c in kind(other, "case")] == [case["id"]]
    stranger = await liaison(demo_client, clock, "liaison03", "phone-3")
    await stranger.pull()
    assert kind(stranger, "case") == []


async def test_the_tracking_page_shows_the_trail_and_reply_and_takes_the_residents_answer(
        demo_client: AsyncTestClient, engine: AsyncEngine, clock: ManualClock) -> None:
    code = await new_code(engine, clock)
    csrf = _csrf((await demo_client.get(f"/r/{code.code}")).text)
    token = tracking_token(await submit(
        demo_client, code.code, csrf=csrf, description="<script>alert('x')</script> 门口堆物"))
    page = await demo_client.get(f"/r/t/{token}")
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; 门口堆物" in page.text
    assert "138****5678" in page.text and "13812345678" not in page.text
    assert 'id="feedback"' not in page.text  # nothing to rate before it is dealt with

    # Too early to rate: the resident is told so.
    early = await demo_client.post(f"/r/t/{token}/feedback", data={
        "_csrf_token": csrf, "outcome": "solved", "satisfaction": "5"})
    assert early.status_code == 409 and "办结后才可以评价" in early.text

    # The second liaison (not on the public card) handles it and replies.
    phone = await liaison(demo_client, clock, "liaison02", "phone-2")
    await phone.pull()
    clock.advance(minutes=30)
    [case] = kind(phone, "case")
    phone.write("case_step", "c-hy-01", {"case_id": case["id"], "action": "accept"})
    phone.write("case_step", "c-hy-01", {"case_id": case["id"], "action": "note",
                                         "note": "内部备注：李娜负责"})
    phone.write("case_step", "c-hy-01", {"case_id": case["id"], "action": "feedback",
                                         "channel": "tracking_page",
                                         "content": "已联系物业清理，<b>谢谢</b>"})
    phone.write("case", "c-hy-01", {"status": "resolved", "reopen_count": 0},
                record_id=case["id"])
    await phone.push()

    page = await demo_client.get(f"/r/t/{token}")
    assert "联络员已受理" in page.text and "已办结" in page.text
    assert "已联系物业清理，&lt;b&gt;谢谢&lt;/b&gt;" in page.text
    assert "内部备注" not in page.text and "李娜" not in page.text  # staff stay private
    assert "张伟" in page.text  # the public liaison card
    assert 'id="feedback"' in page.text

    answer = await demo_client.post(f"/r/t/{token}/feedback", data={
        "_csrf_token": _csrf(page.text), "outcome": "partly_solved", "satisfaction": "4",
        "comment": "纸箱清走了，还有一辆旧自行车"}, follow_redirects=False)
    assert answer.status_code == 303
    thanks = await demo_client.get(answer.headers["location"])
    assert "感谢您的评价" in thanks.text and "部分解决" in thanks.text

    await phone.pull()
    fields = phone.records[case["id"]]["fields"]
    assert fields["resident_outcome"] == "partly_solved"
    assert fields["resident_satisfaction"] == 4
    assert fields["resident_comment"] == "纸箱清走了，还有一辆旧自行车"
    assert fields["status"] == "resolved"  # the resident's answer never moves the status

    again = await demo_client.post(f"/r/t/{token}/feedback", data={
        "_csrf_token": csrf, "outcome": "solved",
        "satisfaction": "5"})
    assert again.status_code == 409


async def test_scans_are_counted_and_the_code_remembers_its_last_scan(
        demo_client: AsyncTestClient, engine: AsyncEngine, clock: ManualClock) -> None:
    code = await new_code(engine, clock)
    for _ in range(3):
        page = await demo_client.get(f"/r/{code.code}")
        assert page.status_code == 200
    # No scripts, no framing, and the tracking token never leaks in a Referer.
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    assert "<script" not in page.text and len(page.content) < 16_000
    clock.advance(minutes=5)
    await submit(demo_client, code.code)
    headers = await login(demo_client, "leader01")
    listed = (await demo_client.get("/api/v1/qr/codes", params={"community_id": "c-hy-01"},
                                    headers=headers)).json()["codes"]
    assert listed[0]["last_scan_at"] == "2026-11-28T01:05:00.000Z"
    figures = (await demo_client.get("/api/v1/qr/figures", params={"community_id": "c-hy-01"},
                                     headers=headers)).json()["figures"]
    assert [(f["week"], f["code"], f["scans"], f["reports"]) for f in figures] == [
        ("2026-W48", code.code, 4, 1), ("2026-W48", None, 4, 1)]


def _csrf(html: str) -> str:
    from tests.qr.helpers import csrf_of

    return csrf_of(html)
