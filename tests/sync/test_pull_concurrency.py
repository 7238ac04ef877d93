"""A pull cursor never skips a change committed late, under really concurrent pushes.

The classic bug of sequence-based change feeds: a transaction that drew a smaller
version commits after a pull has read past it. Here a real server process takes pushes
from many devices at once while a squad leader pulls in a loop; when it is over, the
leader must hold every record at its final version.
"""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from sync.client import Device
from sync.db.engine import make_engine
from sync.db.tables import records
from tests.databases import DEMO_PASSWORD, Databases
from tests.live_server import live_server
from tests.sync.helpers import new_case


@pytest.mark.pg_only
def test_concurrent_pushes_never_make_a_pull_skip_a_late_commit(
        databases: Databases, tmp_path: Path) -> None:
    url = databases.seeded("postgresql")
    with live_server(url, tmp_path) as base:
        asyncio.run(_scenario(base, url))


async def _scenario(base: str, url: str) -> None:
    rng = random.Random(7)
    limits = httpx.Limits(max_connections=32)
    pages = 0

    async def count_pages(request: httpx.Request) -> None:
        nonlocal pages
        pages += request.url.path == "/api/v1/sync/pull"

    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits,
                                 event_hooks={"request": [count_pages]}) as http:
        writers = []
        for n in range(4):
            for name in ("liaison01", "liaison02"):
                phone = Device(http, f"{name}-{n}")
                await phone.login(name, DEMO_PASSWORD)
                writers.append(phone)
        leader = Device(http, "leader-pc")
        await leader.login("leader01", DEMO_PASSWORD)
        done = asyncio.Event()

        async def keep_pushing(phone: Device) -> None:
            ids: list[str] = []
            for _ in range(10):
                for _ in range(rng.randint(20, 80)):
                    if ids and rng.random() < 0.4:
                        phone.write("case", "c-hy-01", {"title": str(rng.random())},
                                    record_id=rng.choice(ids))
                    else:
                        ids.append(phone.write("case", "c-hy-01", new_case())["record_id"])
                await phone.push(batch_size=rng.randint(10, 60))

        async def keep_pulling() -> None:
            while not done.is_set():
                # Each call pages until it has caught up with the pushes.
                await leader.pull(limit=rng.randint(5, 50))

        puller = asyncio.create_task(keep_pulling())
        await asyncio.gather(*(keep_pushing(w) for w in writers))
        done.set()
        await puller
        assert pages > 20  # the leader really pulled while the phones pushed
        await leader.pull()

    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            stored = {r.id: r.version for r in await conn.execute(
                sa.select(records.c.id, records.c.version))}
    finally:
        await engine.dispose()
    seen = {rid: r["version"] for rid, r in leader.records.items()}
    assert len(stored) > 1000
    assert seen == stored
