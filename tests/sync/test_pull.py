"""Pull: scope, paging, cursors, scope changes, and a cursor that never skips a late commit."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from sync.clock import ManualClock
from sync.services.auth import AuthService
from tests.sync.helpers import device, new_case


async def test_first_pull_is_everything_in_scope_and_nothing_else(
        demo_client: AsyncTestClient, clock: ManualClock) -> None:
    one = await device(demo_client, clock, "liaison01")
    for community in ("c-hy-01", "c-hy-02"):
        one.write("case", community, new_case(title=community))
    other_squad = await device(demo_client, clock, "liaison03")
    other_squad.write("case", "c-js-01", new_case())
    await one.push()
    await other_squad.push()

    async def titles(username: str) -> set[str]:
        fresh = await device(demo_client, clock, username, "fresh")
        return {r["fields"]["title"] for r in await fresh.pull()
                if r["community_id"].startswith("c-hy")}

    assert await titles("liaison02") == {"c-hy-01"}
    assert await titles("leader01") == {"c-hy-01", "c-hy-02"}
    assert await titles("bureau01") == {"c-hy-01", "c-hy-02"}
    assert len(await (await device(demo_client, clock, "bureau01", "b2")).pull()) == 3


async def test_paging_delivers_each_change_once_in_version_order(
        demo_client: AsyncTestClient, clock: ManualClock) -> None:
    writer = await device(demo_client, clock, "liaison01")
    for n in range(25):
        writer.write("case", "c-hy-01", new_case(title=f"{n}"))
    await writer.push()
    reader = await device(demo_client, clock, "liaison02")
    pages = []
    while True:
        params = {"limit": 10, **({"cursor": reader.cursor} if reader.cursor else {})}
        body = (await demo_client.get("/api/v1/sync/pull", params=params,
                                      headers=reader.headers)).json()
        pages.append(body)
        reader.cursor = body["cursor"]
        if not body["has_more"]:
            break
    assert [len(p["records"]) for p in pages] == [10, 10, 5]
    versions = [r["version"] for p in pages for r in p["records"]]
    assert versions == sorted(versions) and len(set(versions)) == 25
    # An update afterwards comes back alone, at its current state.
    target = pages[0]["records"][3]
    writer.write("case", "c-hy-01", {"title": "更新"}, record_id=target["id"])
    await writer.push()
    again = await reader.pull()
    assert [(r["id"], r["fields"]["title"]) for r in again] == [(target["id"], "更新")]
    assert await reader.pull() == []


async def test_bad_cursors_and_limits_get_clear_errors(demo_client: AsyncTestClient,
                                                       clock: ManualClock) -> None:
    liaison01 = await device(demo_client, clock, "liaison01")
    liaison02 = await device(demo_client, clock, "liaison02")
    await liaison01.pull()
    assert liaison01.cursor
    tampered = liaison01.cursor[:-2] + ("AA" if not liaison01.cursor.endswith("AA") else "BB")
    for cursor in ("garbage", "", tampered, liaison01.cursor):
        response = await demo_client.get("/api/v1/sync/pull", params={"cursor": cursor},
                                          headers=liaison02.headers)
        if cursor == "":
            assert response.status_code == 200  # no cursor: a first pull
            continue
        assert response.status_code == 400, cursor
        assert response.json()["error"]["code"] == "invalid_cursor"
    for limit in ("0", "5001", "ten"):
        response = await demo_client.get("/api/v1/sync/pull", params={"limit": limit},
                                          headers=liaison02.headers)
        assert response.status_code == 400
        assert response.json()["error"]["field"] == "limit"


async def test_a_community_entering_the_scope_arrives_whole_and_one_leaving_is_purged(
        demo_client: AsyncTestClient, clock: ManualClock, auth_service: AuthService) -> None:
    writer = await device(demo_client, clock, "liaison01")
    old = writer.write("case", "c-hy-02", new_case(title="早就有的"))
    await writer.push()
    reader = await device(demo_client, clock, "liaison02")
    await reader.pull()
    assert old["record_id"] not in reader.records

    await auth_service.assign("liaison02", "c-hy-02", assigned=True, by="admin", source="test")
    arrived = await reader.pull()
    assert [r["id"] for r in arrived] == [old["record_id"]]

    await auth_service.assign("liaison02", "c-hy-02", assigned=False, by="admin",
                              source="test")
    body = (await demo_client.get("/api/v1/sync/pull", params={"cursor": reader.cursor},
                                  headers=reader.headers)).json()
    assert body["purge"] == ["c-hy-02"]
    writer.write("case", "c-hy-02", {"title": "之后的修改"}, record_id=old["record_id"])
    await writer.push()
    assert await reader.pull() == []


async def test_a_community_granted_in_the_middle_of_paging_is_not_skipped(
        demo_client: AsyncTestClient, clock: ManualClock, auth_service: AuthService) -> None:
    writer = await device(demo_client, clock, "liaison01")
    for n in range(6):
        writer.write("case", "c-hy-02", new_case(title=f"二-{n}"))
        writer.write("case", "c-hy-01", new_case(title=f"一-{n}"))
    await writer.push()
    reader = await device(demo_client, clock, "liaison02")
    await reader.pull()
    writer.write("case", "c-hy-01", new_case(title="新的"))
    await writer.push()
    first = (await demo_client.get("/api/v1/sync/pull", params={
        "cursor": reader.cursor, "limit": 1}, headers=reader.headers)).json()
    await auth_service.assign("liaison02", "c-hy-02", assigned=True, by="admin", source="test")
    reader.cursor = first["cursor"]
    rest = await reader.pull(limit=2)
    titles = {r["fields"]["title"] for r in [*first["records"], *rest]}
    assert {f"二-{n}" for n in range(6)} | {"新的"} <= titles
