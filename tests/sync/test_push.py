"""Push: each rejection code, their precedence, exactly once, gaps, big batches, atomicity.

Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from sync.clock import ManualClock
from sync.db.tables import mutations, outboxes, records
from tests.databases import START_MS
from tests.sync.helpers import device, error_codes, new_case, push_raw

C1 = "c-hy-01"


async def test_each_bad_mutation_gets_its_exact_code(demo_client: AsyncTestClient,
                                                     clock: ManualClock) -> None:
    phone = await device(demo_client, clock, "liaison01", "tab-07")
    case = phone.write("case", C1, new_case())
    cases: list[tuple[str | None, dict]] = []

    def add(code: str | None, **changes: object) -> None:
        mutation = phone.write("case", C1, new_case())
        mutation.update(changes)
        cases.append((code, mutation))

    add("invalid_hlc", hlc="yesterday")
    add("invalid_hlc", hlc=f"{clock.now_ms():013d}:00000:other-phone")
    add("clock_ahead", hlc=f"{clock.now_ms() + 6 * 60_000:013d}:00000:tab-07")
    add("unknown_kind", kind="parking_ticket")
    add("forbidden", community_id="c-js-01")
    add("forbidden", community_id="c-nowhere")
    add("immutable_field", record_id=case["record_id"], kind="visit",
        fields={"started_at": "2026-11-28T09:00:00+08:00"})
    add("immutable_field", record_id=case["record_id"], community_id="c-hy-02",
        fields={"title": "x"})
    add("unknown_field", fields={**new_case(), "colour": "red"})
    add("invalid_field", fields=new_case(title=5))
    add("invalid_field", fields=new_case(title="长" * 201))
    add("invalid_field", fields=new_case(source="wechat"))
    add("invalid_field", fields=new_case(category="不存在的类别"))
    add("invalid_field", fields=new_case(due_at="2026-11-28T09:00:00"))  # no offset
    add("invalid_field", fields=new_case(due_at="2026-11-28T09:00:00+14:01"))  # nowhere
    add(None, fields=new_case(due_at="2026-11-28T09:00:00-14:00"))
    add("invalid_field", record_id="not a uuid")
    add("missing_field", fields={"title": "只有标题"})
    add("missing_field", fields=new_case(status="accepted"))  # without reopen_count
    add("missing_field", kind="case_step",
        fields={"case_id": case["record_id"], "action": "feedback", "channel": "phone"})
    add(None, kind="case_step", fields={"case_id": case["record_id"], "action": "feedback",
                                        "channel": "phone", "content": "已处理，谢谢"})
    phone.outbox = [case] + [m for _, m in cases]
    codes = await error_codes(demo_client, phone)
    assert codes == [None] + [code for code, _ in cases]


AHEAD = f"{START_MS + 10 * 60_000:013d}:00000:tab-07"


@pytest.mark.parametrize(("changes", "expected"), [
    ({"hlc": "bad", "kind": "nope", "community_id": "c-js-01"}, "invalid_hlc"),
    ({"hlc": AHEAD, "kind": "nope", "fields": {"colour": 1}}, "clock_ahead"),
    ({"kind": "nope", "fields": {"colour": 1}}, "unknown_kind"),
    ({"community_id": "c-js-01", "fields": {"colour": 1}}, "forbidden"),
    ({"fields": {"colour": 1, "title": 5}}, "unknown_field"),
    ({"fields": {"title": 5}}, "invalid_field"),
])
async def test_when_several_apply_the_first_in_protocol_order_is_reported(
        demo_client: AsyncTestClient, clock: ManualClock, changes: dict,
        expected: str) -> None:
    phone = await device(demo_client, clock, "liaison01", "tab-07")
    mutation = phone.write("case", C1, new_case())
    mutation.update(changes)
    assert await error_codes(demo_client, phone) == [expected]


async def test_the_stored_records_verdict_outranks_later_checks_and_is_what_the_log_keeps(
        demo_client: AsyncTestClient, clock: ManualClock) -> None:
    # Checks that need the stored record run once it is read, after the batch was logged
    # with what the other checks found: the log must end up with the final code.
    phone = await device(demo_client, clock, "liaison01", "tab-07")
    case = phone.write("case", C1, new_case())
    assert await error_codes(demo_client, phone) == [None]
    moved = phone.write("case", "c-hy-02", {"colour": "red"}, record_id=case["record_id"])
    reopened = phone.write("case", C1, {"status": "received", "reopen_count": 1},
                           record_id=case["record_id"])
    # Its record is created earlier in the same batch: it must not count as a new one.
    step = phone.write("case_step", C1, {"case_id": case["record_id"], "action": "note",
                                         "note": "先记一笔"})
    phone.write("case_step", C1, {"note": "补充"}, record_id=step["record_id"])
    assert await error_codes(demo_client, phone) == [
        "immutable_field", "forbidden", None, None]
    leader = await device(demo_client, clock, "leader01")
    listed = (await demo_client.get("/api/v1/rejected", headers=leader.headers)).json()
    assert {r["id"]: r["code"] for r in listed["rejected"]} == {
        moved["id"]: "immutable_field", reopened["id"]: "forbidden"}


async def test_versions_reserved_for_mutations_the_stored_record_rejects_are_gaps_no_pull_minds(
        demo_client: AsyncTestClient, clock: ManualClock, engine: AsyncEngine) -> None:
    # A push claims, in one statement, a version for every mutation that may still apply
    # and the greatest HLC among them (store/versions.py claim); the stored record then
    # rejects one of them.
    phone = await device(demo_client, clock, "liaison01", "tab-07")
    reader = await device(demo_client, clock, "liaison01", "tab-08")
    case = phone.write("case", C1, new_case())
    assert await error_codes(demo_client, phone) == [None]
    await reader.pull()
    kept = phone.write("case", C1, new_case(title="第二件"))
    clock.advance(seconds=1)
    moved = phone.write("case", "c-hy-02", {"title": "搬走"}, record_id=case["record_id"])
    body = await push_raw(demo_client, phone, list(phone.outbox))
    assert [r.get("error", {}).get("code") for r in body["results"]] == [None, "immutable_field"]
    assert body["hlc"] >= moved["hlc"] > kept["hlc"]  # the server's clock stays ahead
    async with engine.connect() as conn:
        published = (await conn.execute(sa.text(
            "SELECT max(last_version) FROM version_claims"))).scalar_one()
        highest = (await conn.execute(sa.select(sa.func.max(records.c.version)))).scalar_one()
    assert published == highest + 1  # the rejected mutation's version was never used
    later = phone.write("case", C1, new_case(title="第三件"))
    await phone.push()
    await reader.pull()
    assert set(reader.records) == {case["record_id"], kept["record_id"], later["record_id"]}


async def test_a_mutation_id_another_device_logged_before_is_a_duplicate_not_an_error(
        demo_client: AsyncTestClient, clock: ManualClock, engine: AsyncEngine) -> None:
    # A client bug: the second phone's seqs are all new, so the server does not look its
    # ids up before appending them to the log (store/records.py log_received); the log's
    # unique id must still catch the repeat, and the push run again must report it.
    first = await device(demo_client, clock, "liaison01", "tab-07")
    second = await device(demo_client, clock, "liaison01", "tab-08")
    taken = first.write("case", C1, new_case())
    await first.push()
    copied = second.write("case", C1, new_case(title="抄来的"))
    copied.update(id=taken["id"])
    fresh = second.write("case", C1, new_case(title="自己的"))
    body = await push_raw(demo_client, second, list(second.outbox))
    assert [r["status"] for r in body["results"]] == ["duplicate", "applied"]
    assert body["acked_seq"] == 0  # seq 1 went with another phone's id: a gap here
    async with engine.connect() as conn:
        logged = (await conn.execute(sa.select(mutations.c.id, mutations.c.device_id)))
        assert sorted(logged) == sorted([(taken["id"], "tab-07"), (fresh["id"], "tab-08")])


async def test_seq_reused_by_another_mutation_is_rejected(demo_client: AsyncTestClient,
                                                          clock: ManualClock) -> None:
    phone = await device(demo_client, clock, "liaison01", "tab-07")
    first = phone.write("case", C1, new_case())
    await phone.push()
    impostor = dict(first, id=str(uuid.uuid4()), record_id=str(uuid.uuid4()))
    body = await push_raw(demo_client, phone, [impostor])
    assert body["results"][0]["error"]["code"] == "seq_reused"


async def test_the_same_batch_sent_twice_after_a_timeout_applies_once(
        demo_client: AsyncTestClient, clock: ManualClock, engine: AsyncEngine) -> None:
    phone = await device(demo_client, clock, "liaison01", "tab-07")
    case = phone.write("case", C1, new_case())
    phone.write("case", C1, {"title": "改过的标题"}, record_id=case["record_id"])
    phone.write("case", C1, {"colour": 1})  # rejected the first time
    batch = list(phone.outbox)
    first = await push_raw(demo_client, phone, batch)
    second = await push_raw(demo_client, phone, batch)
    assert [r["status"] for r in first["results"]] == ["applied", "applied", "rejected"]
    assert [r["status"] for r in second["results"]] == ["duplicate"] * 3
    assert first["acked_seq"] == second["acked_seq"] == 3
    async with engine.connect() as conn:
        assert (await conn.execute(sa.select(sa.func.count()).select_from(mutations))
                ).scalar_one() == 3
        version = (await conn.execute(sa.select(records.c.version))).scalar_one()
    # A duplicate inside one batch is answered duplicate too, and changes nothing.
    third = await push_raw(demo_client, phone, [batch[1], batch[1]])
    assert [r["status"] for r in third["results"]] == ["duplicate", "duplicate"]
    async with engine.connect() as conn:
        assert (await conn.execute(sa.select(records.c.version))).scalar_one() == version


async def test_acked_seq_waits_at_a_gap_and_later_mutations_still_apply(
        demo_client: AsyncTestClient, clock: ManualClock) -> None:
    phone = await device(demo_client, clock, "liaison01", "tab-07")
    one, two, three, four = (phone.write("case", C1, new_case()) for _ in range(4))
    body = await push_raw(demo_client, phone, [one, two, four])
    assert [r["status"] for r in body["results"]] == ["applied"] * 3
    assert body["acked_seq"] == 2
    body = await push_raw(demo_client, phone, [three])
    assert body["acked_seq"] == 4


async def test_a_reused_seq_does_not_hide_a_gap_from_the_acked_seq(
        demo_client: AsyncTestClient, clock: ManualClock) -> None:
    """Seqs 1, 2, 2 (a second mutation reusing 2 is rejected, and logged) and 4: as many
    logged rows as 1…4, but 3 is missing, so the outbox is acknowledged up to 2."""
    phone = await device(demo_client, clock, "liaison01", "tab-07")
    one, two, three, four = (phone.write("case", C1, new_case()) for _ in range(4))
    reuse = {**phone.write("case", C1, new_case()), "seq": 2}
    body = await push_raw(demo_client, phone, [one, two, reuse, four])
    assert [r["status"] for r in body["results"]] == ["applied", "applied", "rejected",
                                                      "applied"]
    assert body["results"][2]["error"]["code"] == "seq_reused"
    assert body["acked_seq"] == 2
    body = await push_raw(demo_client, phone, [three])
    assert body["acked_seq"] == 4


async def test_acked_seq_stops_at_a_gap_past_the_first_page_of_seqs(
        demo_client: AsyncTestClient, clock: ManualClock) -> None:
    phone = await device(demo_client, clock, "liaison01", "tab-07")
    for n in range(1500):
        phone.write("visit", C1, {"started_at": "2026-11-28T09:00:00+08:00",
                                  "purpose": f"走访 {n}"})
    missing = phone.outbox[1199]
    assert missing["seq"] == 1200
    body = await push_raw(demo_client, phone, [m for m in phone.outbox if m is not missing])
    assert body["acked_seq"] == 1199
    body = await push_raw(demo_client, phone, [missing])
    assert body["acked_seq"] == 1500


async def test_5000_mutations_with_200_bad_apply_4800_and_keep_the_200(
        demo_client: AsyncTestClient, clock: ManualClock) -> None:
    phone = await device(demo_client, clock, "liaison01", "tab-07")
    for n in range(5000):
        if n % 25 == 7:
            phone.write("case", C1, new_case(title=n))  # wrong type: rejected
        else:
            phone.write("visit", C1, {"started_at": "2026-11-28T09:00:00+08:00",
                                      "purpose": f"走访 {n}"})
    body = await push_raw(demo_client, phone, phone.outbox)
    statuses = [r["status"] for r in body["results"]]
    assert statuses.count("applied") == 4800 and statuses.count("rejected") == 200
    assert body["acked_seq"] == 5000
    leader = await device(demo_client, clock, "leader01")
    rejected = (await demo_client.get("/api/v1/rejected?limit=500",
                                      headers=leader.headers)).json()["rejected"]
    assert len(rejected) == 200
    assert {r["code"] for r in rejected} == {"invalid_field"}
    assert all(isinstance(r["mutation"]["fields"]["title"], int) for r in rejected)
    pulled = await phone.pull(limit=5000)
    assert len(pulled) == 4800


async def test_a_push_that_fails_midway_leaves_nothing_and_can_be_retried(
        demo_client: AsyncTestClient, clock: ManualClock, engine: AsyncEngine,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import sync.store.records as store_records

    phone = await device(demo_client, clock, "liaison01", "tab-07")
    for _ in range(10):
        phone.write("case", C1, new_case())
    original = store_records.log_conflicts

    async def crash(*args: object, **kwargs: object) -> None:
        raise ConnectionResetError("connection killed after the records were written")

    monkeypatch.setattr(store_records, "log_conflicts", crash)
    response = await demo_client.post("/api/v1/sync/push", headers=phone.headers,
                                      json={"mutations": phone.outbox})
    # A connection lost mid-push is the database out of reach, not a bug: 503, retry.
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
    assert "Traceback" not in response.text
    async with engine.connect() as conn:
        for table in (records, mutations, outboxes):
            count = (await conn.execute(sa.select(sa.func.count()).select_from(table)))
            assert count.scalar_one() == 0, table.name
    monkeypatch.setattr(store_records, "log_conflicts", original)
    body = await push_raw(demo_client, phone, phone.outbox)
    assert [r["status"] for r in body["results"]] == ["applied"] * 10


async def test_clock_checks_and_the_servers_hlc(demo_client: AsyncTestClient,
                                                clock: ManualClock,
                                                engine: AsyncEngine) -> None:
    phone = await device(demo_client, clock, "liaison01", "tab-07")
    ahead_ok = phone.write("case", C1, new_case())
    ahead_ok["hlc"] = f"{clock.now_ms() + 4 * 60_000:013d}:00000:tab-07"
    too_far = phone.write("case", C1, new_case())
    too_far["hlc"] = f"{clock.now_ms() + 9 * 60_000:013d}:00000:tab-07"
    body = await push_raw(demo_client, phone, [ahead_ok, too_far],
                          device_time=clock.now_ms() + 9 * 60_000)
    assert [r["status"] for r in body["results"]] == ["applied", "rejected"]
    assert body["results"][1]["error"]["code"] == "clock_ahead"
    assert body["server_time"] == clock.now_ms()
    # At least every applied HLC, never the rejected one.
    assert ahead_ok["hlc"] <= body["hlc"] < too_far["hlc"]
    async with engine.connect() as conn:
        suspect = (await conn.execute(sa.select(records.c.clock_suspect))).scalar_one()
        offset = (await conn.execute(sa.select(outboxes.c.clock_offset_ms))).scalar_one()
    assert suspect is True and offset == 9 * 60_000


async def test_push_needs_a_token_and_a_well_formed_body(demo_client: AsyncTestClient,
                                                         clock: ManualClock) -> None:
    assert (await demo_client.post("/api/v1/sync/push", json={"mutations": []})
            ).status_code == 401
    phone = await device(demo_client, clock, "liaison01")
    for body, field in ((b"{", None), (b'{"mutations": [{"id": 1}]}', "mutations[0].id"),
                        (b'{"mutations": "x"}', "mutations")):
        response = await demo_client.post("/api/v1/sync/push", content=body,
                                          headers=phone.headers)
        assert response.status_code == 400
        assert response.json()["error"].get("field") == field


async def test_admins_may_not_write_records(demo_client: AsyncTestClient,
                                            clock: ManualClock) -> None:
    admin = await device(demo_client, clock, "admin")
    admin.write("case", C1, new_case())
    assert await error_codes(demo_client, admin) == ["forbidden"]


async def test_a_rectifications_status_is_an_ordinary_field(demo_client: AsyncTestClient,
                                                           clock: ManualClock) -> None:
    phone = await device(demo_client, clock, "liaison01")
    inspection = phone.write("property_inspection", C1, {"property_company_id": "pc-hy-01"})
    fix = phone.write("rectification", C1, {"inspection_id": inspection["record_id"],
                                            "action_required": "清理消防通道堆物",
                                            "deadline": "2026-12-05T17:00:00+08:00"})
    phone.write("rectification", C1, {"status": "done", "recheck_result": "已清理"},
                record_id=fix["record_id"])
    phone.write("rectification", C1, {"status": "open"}, record_id=fix["record_id"])
    assert await error_codes(demo_client, phone) == [None, None, None, None]
    reader = await device(demo_client, clock, "liaison02")
    await reader.pull()
    assert reader.records[fix["record_id"]]["fields"]["status"] == "open"  # the later write


async def test_fields_only_the_server_writes_are_refused_from_phones(
        demo_client: AsyncTestClient, clock: ManualClock) -> None:
    phone = await device(demo_client, clock, "liaison01")
    phone.write("case", C1, new_case(resident_outcome="solved"))
    assert await error_codes(demo_client, phone) == ["forbidden"]
    # Nor may a phone pose as one of the server's own pseudo-devices.
    for device_id in ("console", "qr-intake", "server"):
        response = await demo_client.post("/api/v1/auth/login", json={
            "username": "liaison01", "password": "Workroom2026", "device_id": device_id})
        assert response.status_code == 400
        assert response.json()["error"]["field"] == "device_id"


async def test_nul_characters_are_rejected_and_kept_not_a_server_error(
        demo_client: AsyncTestClient, clock: ManualClock) -> None:
    phone = await device(demo_client, clock, "liaison01")
    phone.write("case", C1, new_case(description="前半\x00后半"))
    phone.write("case", C1, new_case())
    assert await error_codes(demo_client, phone) == ["invalid_field", None]
    leader = await device(demo_client, clock, "leader01")
    [kept] = (await demo_client.get("/api/v1/rejected", headers=leader.headers)).json()[
        "rejected"]
    assert kept["mutation"]["fields"]["description"] == "前半\ufffd后半"
    too_long = dict(phone.write("case", C1, new_case()), id="x" * 65)
    response = await demo_client.post("/api/v1/sync/push", headers=phone.headers,
                                      json={"mutations": [too_long]})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "mutations[0].id"


@pytest.mark.parametrize(("change", "field"), [
    ({"seq": 2**63}, "mutations[0].seq"),
    ({"seq": 2**64 - 1}, "mutations[0].seq"),
    ({"base_version": 2**63}, "mutations[0].base_version"),
    ({"device_time": -1}, "device_time"),
    ({"app_version": "1.4\x00"}, "app_version"),
])
async def test_what_the_database_cannot_keep_fails_the_request_not_the_server(
        demo_client: AsyncTestClient, clock: ManualClock, change: dict[str, object],
        field: str) -> None:
    """A seq or base_version beyond 64 bits, a device time whose offset would not fit,
    or a NUL in the app version cannot be stored even in the rejected-mutation store:
    the request is refused whole, as a malformed mutation id is, and nothing of it is
    logged (the same mutation, corrected, then applies)."""
    phone = await device(demo_client, clock, "liaison01")
    mutation = phone.write("case", C1, new_case())
    body: dict[str, object] = {"mutations": [mutation]}
    for key, value in change.items():
        if key in mutation:
            mutation[key] = value
        else:
            body[key] = value
    response = await demo_client.post("/api/v1/sync/push", headers=phone.headers, json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "invalid_body"
    assert response.json()["error"]["field"] == field
    mutation.update(seq=1, base_version=0)
    assert (await push_raw(demo_client, phone, [mutation]))["results"][0]["status"] == (
        "applied")


async def test_a_liaison_may_not_review_their_own_duty_log(demo_client: AsyncTestClient,
                                                           clock: ManualClock) -> None:
    phone = await device(demo_client, clock, "liaison01")
    phone.write("duty_log_review", C1, {"liaison_id": phone.user["id"], "day": "2026-11-28",
                                        "state": "approved"})
    assert await error_codes(demo_client, phone) == ["forbidden"]
