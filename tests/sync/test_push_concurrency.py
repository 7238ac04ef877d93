"""Pushes that overlap on PostgreSQL: the same batch twice at once (a retry racing the
original) applies once; one mutation id from two devices is logged once; and a push that
touches a record another push holds waits for it and merges into its outcome.

A push logs its batch before anything else is locked but its outbox, so two pushes of
one outbox meet there: the per-device lock and the log's unique ids must make the second see
the first's mutations as duplicates — never apply them twice, never fail. The first two
run against a real server process; the third drives the push's two halves directly to
put the other device's push between them.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from sync.db.engine import make_engine, write_transaction
from sync.db.tables import mutations, records
from sync.protocol import PushRequest
from sync.services.sync import merge_received, receive
from tests.databases import DEMO_PASSWORD, Databases
from tests.live_server import live_server
from tests.reference_client import Device
from tests.sync.helpers import case_mutation, new_case, sync_service

ROUNDS = 5
BATCH = 200


@pytest.mark.pg_only
def test_the_same_batch_pushed_twice_at_once_applies_once(databases: Databases,
                                                          tmp_path: Path) -> None:
    url = databases.seeded("postgresql")
    with live_server(url, tmp_path) as base:
        asyncio.run(_twice_at_once(base))
    assert asyncio.run(_logged(url, ["tab-twice"])) == ROUNDS * BATCH


async def _count(url: str, table: sa.Table, where: sa.ColumnElement[bool]) -> int:
    """How many rows of ``table`` match."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(
                sa.select(sa.func.count()).select_from(table).where(where))).scalar_one())
    finally:
        await engine.dispose()


async def _logged(url: str, device_ids: list[str]) -> int:
    """How many mutations the log holds from these devices."""
    return await _count(url, mutations, mutations.c.device_id.in_(device_ids))


async def _twice_at_once(base: str) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        phone = Device(http, "tab-twice")
        await phone.login("liaison01", DEMO_PASSWORD)
        for _ in range(ROUNDS):
            for _ in range(BATCH):
                phone.write("case", "c-hy-01", new_case())
            body = {"mutations": phone.outbox, "device_time": phone.wall_clock()}
            first, second = await asyncio.gather(*(
                http.post("/api/v1/sync/push", headers=phone.headers, json=body)
                for _ in range(2)))
            assert first.status_code == second.status_code == 200
            one, other = first.json(), second.json()
            assert one["acked_seq"] == other["acked_seq"] == phone.seq
            for a, b in zip(one["results"], other["results"], strict=True):
                assert {a["status"], b["status"]} == {"applied", "duplicate"}
            phone.outbox.clear()


@pytest.mark.pg_only
def test_one_mutation_id_from_two_devices_at_once_is_logged_once(databases: Databases,
                                                                 tmp_path: Path) -> None:
    """A client bug: two devices send the same new mutation ids at the same moment. The
    per-device lock does not order them, so both log the batch at once: one applies each
    mutation and the other reports it a duplicate — never applied twice, never a 5xx."""
    url = databases.seeded("postgresql")
    with live_server(url, tmp_path) as base:
        asyncio.run(_one_id_from_two_devices(base))
    assert asyncio.run(_logged(url, ["tab-left", "tab-right"])) == ROUNDS * BATCH


async def _one_id_from_two_devices(base: str) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        left, right = Device(http, "tab-left"), Device(http, "tab-right")
        await left.login("liaison01", DEMO_PASSWORD)
        await right.login("liaison01", DEMO_PASSWORD)
        for _ in range(ROUNDS):
            for _ in range(BATCH):
                left.write("case", "c-hy-01", new_case())
            # The same mutations under the right tablet's own seqs and clock.
            copied = [{**m, "seq": right.seq + n,
                       "hlc": m["hlc"].replace("tab-left", "tab-right")}
                      for n, m in enumerate(left.outbox, start=1)]
            right.seq += len(copied)
            responses = await asyncio.gather(
                http.post("/api/v1/sync/push", headers=left.headers,
                          json={"mutations": left.outbox}),
                http.post("/api/v1/sync/push", headers=right.headers,
                          json={"mutations": copied}))
            assert [r.status_code for r in responses] == [200, 200], responses[1].text
            one, other = (r.json()["results"] for r in responses)
            for a, b in zip(one, other, strict=True):
                assert {a["status"], b["status"]} == {"applied", "duplicate"}
            left.outbox.clear()


@pytest.mark.pg_only
def test_one_record_id_created_by_two_devices_at_once_is_one_record(
        databases: Databases, tmp_path: Path) -> None:
    """A client bug: two devices create records under the same new ids at the same moment,
    each with mutation ids of its own. Nothing locks a record that does not exist yet:
    the second push's COPY meets the first's rows, the push runs again and finds them
    stored — every mutation applied, one record per id, never a 5xx."""
    url = databases.seeded("postgresql")
    with live_server(url, tmp_path) as base:
        record_ids = asyncio.run(_one_record_from_two_devices(base))
    stored = asyncio.run(_count(url, records, records.c.id.in_(record_ids)))
    assert stored == len(record_ids) == ROUNDS * BATCH


async def _one_record_from_two_devices(base: str) -> list[str]:
    created: list[str] = []
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        left, right = Device(http, "tab-left"), Device(http, "tab-right")
        await left.login("liaison01", DEMO_PASSWORD)
        await right.login("liaison01", DEMO_PASSWORD)
        for _ in range(ROUNDS):
            ids = [left.write("case", "c-hy-01", new_case())["record_id"]
                   for _ in range(BATCH)]
            for record_id in ids:
                right.write("case", "c-hy-01", new_case(title="另一台"), record_id=record_id)
            responses = await asyncio.gather(*(
                http.post("/api/v1/sync/push", headers=phone.headers,
                          json={"mutations": phone.outbox}) for phone in (left, right)))
            assert [r.status_code for r in responses] == [200, 200], responses[1].text
            for response in responses:
                assert {r["status"] for r in response.json()["results"]} == {"applied"}
            left.outbox.clear()
            right.outbox.clear()
            created += ids
    return created


@pytest.mark.pg_only
def test_a_push_touching_a_record_another_push_holds_waits_and_merges_into_it(
        databases: Databases) -> None:
    # Pushes merge side by side (store/versions.py): a push locks the records it touches
    # when it reads them (store/records.py load), so another push's edit of one of them
    # waits for its commit and is merged into its outcome instead of writing over it.
    url = databases.seeded("postgresql")
    title, description = asyncio.run(_interleaved(url))
    assert (title, description) == ("乙改的标题", "甲补的描述")


async def _interleaved(url: str) -> tuple[str, str]:
    async with sync_service(url, "liaison01") as (service, engine, (actor,)):
        case_id = str(uuid.uuid4())
        now = service.clock.now_ms()
        created = await service.push(actor, "tab-a", PushRequest(mutations=[case_mutation(
            "tab-a", 1, now, case_id, new_case(title="原标题", description="原描述"))]))
        assert created.results[0].status == "applied"
        async with write_transaction(engine) as conn:
            # Tab A's edit, logged, with the case read...
            received = await receive(conn, actor=actor, device_id="tab-a", mutations=[
                case_mutation("tab-a", 2, now + 1, case_id, {"description": "甲补的描述"},
                              base_version=1)], now_ms=now + 2, device_offset_ms=None,
                app_version=None)
            # ...when tab B pushes its edit of another field of the same case.
            tab_b = asyncio.create_task(service.push(actor, "tab-b", PushRequest(
                mutations=[case_mutation("tab-b", 1, now + 3, case_id, {"title": "乙改的标题"},
                                         base_version=1)])))
            assert await _waits_for_a_lock(engine, tab_b)
            await merge_received(conn, received, actor=actor, device_id="tab-a",
                                 now_ms=now + 4)
        assert (await tab_b).results[0].status == "applied"
        async with engine.connect() as conn:
            fields = (await conn.execute(sa.select(records.c.fields).where(
                records.c.id == case_id))).scalar_one()
        return fields["title"], fields["description"]


async def _waits_for_a_lock(engine: AsyncEngine, push: asyncio.Task[Any]) -> bool:
    """Whether ``push`` comes to wait for a lock (False: it finished without)."""
    for _ in range(500):
        if push.done():
            return False
        async with engine.connect() as conn:
            waiting = (await conn.execute(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND datname = current_database()"))).scalar_one()
        if waiting:
            return True
        await asyncio.sleep(0.02)
    raise AssertionError("the push neither finished nor waited")
