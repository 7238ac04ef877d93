"""A pull cursor never skips a change committed late, under really concurrent pushes.

The classic bug of sequence-based change feeds: a transaction that drew a smaller
version commits after a pull has read past it. Here a real server process takes pushes
from many devices at once while a squad leader pulls in a loop; when it is over, the
leader must hold every record at its final version. And the exact interleaving, driven
step by step: a push in flight with a smaller version while a pull reads past it.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from pathlib import Path

import httpx
import msgspec
import pytest
import sqlalchemy as sa

from sync.db.engine import make_engine, write_transaction
from sync.db.tables import records
from sync.domain.roles import Actor
from sync.protocol import PullResponse, PushRequest, RecordOut
from sync.services.sync import SyncService, merge_received, receive
from tests.databases import DEMO_PASSWORD, Databases
from tests.live_server import live_server
from tests.reference_client import Device
from tests.sync.helpers import case_mutation, new_case, sync_service


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


@pytest.mark.pg_only
def test_a_change_with_a_smaller_version_committed_after_a_pull_arrives_with_the_next(
        databases: Databases) -> None:
    # Versions are claimed without a lock (store/versions.py): tab A claims its version,
    # tab B claims a greater one and commits, a pull reads past both while tab A is still
    # in flight — and the pull after tab A commits must bring tab A's case.
    url = databases.seeded("postgresql")
    late, early, first_page, second_page = asyncio.run(_late_commit(url))
    assert late.version < early.version
    assert early.id in first_page and late.id not in first_page
    assert late.id in second_page


async def _late_commit(url: str) -> tuple[RecordOut, RecordOut, set[str], set[str]]:
    async with sync_service(url, "liaison01", "leader01") as (service, engine, actors):
        liaison, leader = actors
        start = await service.pull(leader, cursor=None, limit=5000)
        now = service.clock.now_ms()
        late_id, early_id = str(uuid.uuid4()), str(uuid.uuid4())
        async with write_transaction(engine) as conn:
            late = case_mutation("tab-a", 1, now, late_id, new_case())
            received = await receive(conn, actor=liaison, device_id="tab-a", mutations=[late],
                                     now_ms=now, device_offset_ms=None, app_version=None)
            await merge_received(conn, received, actor=liaison, device_id="tab-a", now_ms=now)
            await service.push(liaison, "tab-b", PushRequest(
                mutations=[case_mutation("tab-b", 1, now + 1, early_id, new_case())]))
            first = await _pull_all(service, leader, start.cursor)
        second = await _pull_all(service, leader, first.cursor)
        found = {r.id: r for r in [*first.records, *second.records]}
        return (found[late_id], found[early_id], {r.id for r in first.records},
                {r.id for r in second.records})


async def _pull_all(service: SyncService, actor: Actor, cursor: str) -> PullResponse:
    """Every page of one pull run, as one response."""
    pages = [await service.pull(actor, cursor=cursor, limit=2)]
    while pages[-1].has_more:
        pages.append(await service.pull(actor, cursor=pages[-1].cursor, limit=2))
    return msgspec.structs.replace(pages[-1], records=[r for p in pages for r in p.records])
