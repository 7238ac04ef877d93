"""The same batch pushed twice at once (a retry racing the original) applies once.

A push logs its batch before it takes the version lock, so two pushes of one outbox
overlap there: the per-device lock and ``INSERT … ON CONFLICT DO NOTHING`` must make the
second see the first's mutations as duplicates — never apply them twice, never fail.
Against a real server process on PostgreSQL.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from sync.client import Device
from sync.db.engine import make_engine
from sync.db.tables import mutations
from tests.databases import DEMO_PASSWORD, Databases
from tests.live_server import live_server
from tests.sync.helpers import new_case

ROUNDS = 5
BATCH = 200


@pytest.mark.pg_only
def test_the_same_batch_pushed_twice_at_once_applies_once(databases: Databases,
                                                          tmp_path: Path) -> None:
    url = databases.seeded("postgresql")
    with live_server(url, tmp_path) as base:
        asyncio.run(_twice_at_once(base))
    assert asyncio.run(_logged(url, ["tab-twice"])) == ROUNDS * BATCH


async def _logged(url: str, device_ids: list[str]) -> int:
    """How many mutations the log holds from these devices."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(sa.select(sa.func.count()).select_from(
                mutations).where(mutations.c.device_id.in_(device_ids)))).scalar_one())
    finally:
        await engine.dispose()


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
