"""Conflicts and the case-status lattice through the API; the review queues and resolution."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from sync.clock import ManualClock
from tests.sync.helpers import device, new_case

C1 = "c-hy-01"


async def test_two_liaisons_editing_one_case_offline_converge_and_the_conflict_shows(
        demo_client: AsyncTestClient, clock: ManualClock) -> None:
    one = await device(demo_client, clock, "liaison01")
    two = await device(demo_client, clock, "liaison02")
    case = one.write("case", C1, new_case())
    await one.sync()
    await two.pull()
    record_id = case["record_id"]
    # Both offline: each edits the title it pulled.
    one.write("case", C1, {"title": "一号楼楼道堆物"}, record_id=record_id)
    clock.advance(seconds=1)
    two.write("case", C1, {"title": "二号楼楼道堆物", "location": "2号楼"}, record_id=record_id)
    await two.sync()
    await one.sync()
    await two.pull()
    assert one.records[record_id]["fields"] == two.records[record_id]["fields"]
    assert one.records[record_id]["fields"]["title"] == "二号楼楼道堆物"  # the later HLC
    leader = await device(demo_client, clock, "leader01")
    conflicts = (await demo_client.get("/api/v1/conflicts", headers=leader.headers)).json()
    [conflict] = conflicts["conflicts"]
    assert conflict["field"] == "title" and conflict["record_id"] == record_id
    assert conflict["winner"]["value"] == "二号楼楼道堆物"
    assert conflict["loser"]["value"] == "一号楼楼道堆物"
    assert conflict["loser"]["device_id"] == "liaison01-phone"
    assert conflict["resolved_at"] is None

    # The squad leader keeps the loser's value: written as a new mutation, pulled by all.
    response = await demo_client.post(f"/api/v1/conflicts/{conflict['id']}/resolve",
                                      json={"choose": "loser"}, headers=leader.headers)
    assert response.status_code == 200 and response.json()["resolved_at"]
    await one.pull()
    assert one.records[record_id]["fields"]["title"] == "一号楼楼道堆物"
    again = await demo_client.post(f"/api/v1/conflicts/{conflict['id']}/resolve",
                                   json={"choose": "winner"}, headers=leader.headers)
    assert again.status_code == 409
    # Editing what one pulled, and editing one's own value again, are no conflicts.
    one.write("case", C1, {"title": "已核实"}, record_id=record_id)
    one.write("case", C1, {"title": "已核实，待处理"}, record_id=record_id)
    await one.sync()
    unresolved = (await demo_client.get("/api/v1/conflicts", params={"unresolved": "true"},
                                        headers=leader.headers)).json()["conflicts"]
    assert unresolved == []


async def test_a_stale_in_progress_from_an_offline_phone_does_not_undo_a_resolved_case(
        demo_client: AsyncTestClient, clock: ManualClock) -> None:
    one = await device(demo_client, clock, "liaison01")
    two = await device(demo_client, clock, "liaison02")
    case = one.write("case", C1, new_case())
    await one.sync()
    await two.pull()
    rid = case["record_id"]
    one.write("case", C1, {"status": "resolved", "reopen_count": 0}, record_id=rid)
    await one.sync()
    clock.advance(minutes=30)  # the offline phone's edit is *later* by the clock
    two.write("case", C1, {"status": "in_progress", "reopen_count": 0}, record_id=rid)
    await two.sync()
    assert two.records[rid]["fields"]["status"] == "resolved"


async def test_a_reopen_wins_over_the_round_before_it_and_only_supervisors_reopen(
        demo_client: AsyncTestClient, clock: ManualClock) -> None:
    one = await device(demo_client, clock, "liaison01")
    leader = await device(demo_client, clock, "leader01")
    case = one.write("case", C1, new_case(status="closed", reopen_count=0))
    await one.sync()
    rid = case["record_id"]
    reopen = one.write("case", C1, {"status": "received", "reopen_count": 1}, record_id=rid)
    await one.push()
    assert one.results[reopen["id"]]["error"]["code"] == "forbidden"
    await leader.pull()
    leader.write("case", C1, {"status": "accepted", "reopen_count": 1}, record_id=rid)
    await leader.sync()
    clock.advance(minutes=5)
    one.write("case", C1, {"status": "closed", "reopen_count": 0}, record_id=rid)  # stale
    await one.sync()
    assert one.records[rid]["fields"]["status"] == "accepted"
    assert one.records[rid]["fields"]["reopen_count"] == 1


async def test_review_queues_are_for_supervisors_within_their_scope(
        demo_client: AsyncTestClient, clock: ManualClock) -> None:
    in_js = await device(demo_client, clock, "liaison03")
    in_js.write("case", "c-hy-01", new_case())  # not this liaison's community
    await in_js.push()
    liaison = await device(demo_client, clock, "liaison01")
    for path in ("/api/v1/conflicts", "/api/v1/rejected"):
        response = await demo_client.get(path, headers=liaison.headers)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
    leader_hy = await device(demo_client, clock, "leader01")
    leader_js = await device(demo_client, clock, "leader02")
    bureau = await device(demo_client, clock, "bureau01")

    async def rejected(phone) -> list[str]:  # type: ignore[no-untyped-def]
        body = (await demo_client.get("/api/v1/rejected", headers=phone.headers)).json()
        return [r["code"] for r in body["rejected"]]

    # Sent to a sq-hy community by a sq-js liaison: both squads' leaders see it.
    assert await rejected(leader_hy) == ["forbidden"]
    assert await rejected(leader_js) == ["forbidden"]
    assert await rejected(bureau) == ["forbidden"]
    leader_other = await device(demo_client, clock, "leader03")
    assert await rejected(leader_other) == []
    missing = await demo_client.post("/api/v1/conflicts/nope/resolve", json={
        "choose": "winner"}, headers=leader_hy.headers)
    assert missing.status_code == 404
