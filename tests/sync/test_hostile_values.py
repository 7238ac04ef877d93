"""Hostile values in a push: one user's junk is refused alone and never breaks a queue
that others read (issue 15, findings 1 and 6)."""

from __future__ import annotations

import msgspec
import pytest
import sqlalchemy as sa
from litestar.testing import AsyncTestClient

from sync.clock import ManualClock
from sync.db.engine import make_engine, write_transaction
from sync.db.tables import mutations
from sync.settings import Settings
from tests.conftest import login
from tests.console.conftest import console_login
from tests.sync.helpers import device, error_codes, new_case, push_raw

C1 = "c-hy-01"


def nested(depth: int) -> str:
    """A field value as JSON text, ``depth`` lists deep."""
    return "[" * depth + "]" * depth


def raw_push(mutation: dict[str, object], value_json: str, others: list[dict[str, object]],
             ) -> bytes:
    """A push body whose first mutation's ``summary`` is ``value_json``, spliced in as
    text: no JSON encoder would write it for us."""
    marker = "__deep__"
    first = {**mutation, "fields": {**mutation["fields"], "summary": marker}}  # type: ignore[dict-item]
    body = msgspec.json.encode({"mutations": [first, *others]}).decode()
    return body.replace(f'"{marker}"', value_json).encode()


async def review_queues_answer(client: AsyncTestClient) -> None:
    for username in ("leader01", "bureau01"):
        headers = await login(client, username, device_id=f"{username}-desk")
        response = await client.get("/api/v1/rejected?limit=1", headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["rejected"], "the rejected mutation is kept"


@pytest.mark.parametrize("depth", [970, 5000, 100_000])
async def test_a_value_nested_absurdly_deep_is_refused_alone_and_the_queues_still_answer(
        demo_client: AsyncTestClient, clock: ManualClock, depth: int) -> None:
    phone = await device(demo_client, clock, "liaison01")
    deep = phone.write("visit", C1, {"started_at": "2026-11-28T09:00:00+08:00"})
    fine = phone.write("case", C1, new_case())
    response = await demo_client.post(
        "/api/v1/sync/push", headers={**phone.headers, "Content-Type": "application/json"},
        content=raw_push(deep, nested(depth), [fine]))
    assert response.status_code == 200, response.text
    body = response.json()
    assert [r["status"] for r in body["results"]] == ["rejected", "applied"]
    assert body["results"][0]["error"]["code"] == "invalid_field"
    assert body["results"][0]["error"]["field"] == "summary"
    assert body["acked_seq"] == 2, "the outbox drains"
    await review_queues_answer(demo_client)
    await console_login(demo_client, "bureau01")
    assert (await demo_client.get("/console/review")).status_code == 200


async def test_a_deep_value_already_in_the_store_does_not_break_its_readers(
        demo_client: AsyncTestClient, clock: ManualClock, seeded: Settings) -> None:
    """What an earlier version let in (before the gate bounded depth) is still read."""
    phone = await device(demo_client, clock, "liaison01")
    phone.write("case", C1, new_case(title=["not a title"]))
    assert await error_codes(demo_client, phone) == ["invalid_field"]
    engine = make_engine(seeded.database_url)
    try:
        async with write_transaction(engine) as conn:
            await conn.execute(sa.update(mutations).where(
                mutations.c.status == "rejected").values(
                    fields=sa.literal_column(repr('{"title": ' + nested(5000) + "}"))))
    finally:
        await engine.dispose()
    await review_queues_answer(demo_client)
    await console_login(demo_client, "bureau01")
    assert (await demo_client.get("/console/review")).status_code == 200


@pytest.mark.parametrize("hostile", [
    "前\x01后", "响铃\x07", "转义\x1b[31m红", "删除\x7f", "C1\x85", "\u202e倒序\u202c",
    "隔离\u2066x\u2069", "非字符\ufffe", "\ufdd0"])
async def test_characters_user_text_may_not_hold_are_refused_by_name(
        demo_client: AsyncTestClient, clock: ManualClock, hostile: str) -> None:
    phone = await device(demo_client, clock, "liaison01")
    phone.write("case", C1, new_case(title=hostile))
    phone.write("case", C1, new_case(title="正常的标题\t含制表符", description="第一行\r\n第二行"))
    body = await push_raw(demo_client, phone, phone.outbox)
    first, second = body["results"]
    assert first["status"] == "rejected" and first["error"]["code"] == "invalid_field"
    assert first["error"]["field"] == "title"
    assert "特殊字符" in first["error"]["message"] or "嵌套" in first["error"]["message"]
    assert second["status"] == "applied"
    leader = await login(demo_client, "leader01", device_id="leader-desk")
    [kept] = (await demo_client.get("/api/v1/rejected", headers=leader)).json()["rejected"]
    assert "\ufffd" in kept["mutation"]["fields"]["title"] or kept["mutation"]["fields"][
        "title"] != hostile


async def test_a_lone_surrogate_escape_is_refused_not_a_server_error(
        demo_client: AsyncTestClient, clock: ManualClock) -> None:
    phone = await device(demo_client, clock, "liaison01")
    mutation = phone.write("case", C1, new_case(title="__lone__"))
    content = msgspec.json.encode({"mutations": [mutation]}).replace(
        b'"__lone__"', b'"\\ud800x"')
    response = await demo_client.post(
        "/api/v1/sync/push", content=content,
        headers={**phone.headers, "Content-Type": "application/json"})
    assert response.status_code in (200, 400), response.text
    if response.status_code == 200:
        assert response.json()["results"][0]["status"] == "rejected"


async def test_unknown_fields_of_any_size_are_kept_bounded_in_the_rejected_store(
        demo_client: AsyncTestClient, clock: ManualClock) -> None:
    phone = await device(demo_client, clock, "liaison01")
    junk = {f"k{i}": "很长的内容" * 2000 for i in range(50)}
    phone.write("case", C1, {**new_case(), **junk})
    assert await error_codes(demo_client, phone) == ["unknown_field"]
    leader = await login(demo_client, "leader01", device_id="leader-desk")
    [kept] = (await demo_client.get("/api/v1/rejected", headers=leader)).json()["rejected"]
    assert len(msgspec.json.encode(kept["mutation"]["fields"])) < 200_000


async def test_mutation_ids_that_cleaning_would_make_one_are_refused_whole(
        demo_client: AsyncTestClient, clock: ManualClock) -> None:
    """Found by the schema fuzzer: ids "\\x8c" and "\\x1c" both cleaned to U+FFFD and
    collided in the mutation log (a 500). An id is the log's key: refused whole."""
    phone = await device(demo_client, clock, "liaison01")
    first = dict(phone.write("case", C1, new_case()), id="\x8c")
    second = dict(phone.write("case", C1, new_case()), id="\x1c")
    response = await demo_client.post("/api/v1/sync/push", headers=phone.headers,
                                      json={"mutations": [first, second]})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "invalid_body"
    assert response.json()["error"]["field"] == "mutations[0].id"


async def test_a_rejection_names_the_field_as_the_form_labels_it(
        demo_client: AsyncTestClient, clock: ManualClock) -> None:
    phone = await device(demo_client, clock, "liaison01")
    case = phone.write("case", C1, new_case())
    phone.write("case_step", C1, {"case_id": case["record_id"], "action": "feedback"})
    phone.write("case", C1, new_case(category="不在目录里"))
    body = await push_raw(demo_client, phone, phone.outbox)
    _, missing, category = (r.get("error", {}) for r in body["results"])
    assert missing["message"] == "缺少必填字段：反馈方式" and missing["field"] == "channel"
    assert "category" not in category["message"] and "目录" in category["message"]
