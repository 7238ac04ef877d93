"""The protocol's guarantees 2 and 4 end to end, through the HTTP API, on both back ends.

(Guarantee 1, exactly once, and 3, atomic batches, are in test_push.py; the pull cursor
in test_pull.py and test_pull_concurrency.py.)
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from sync.clock import ManualClock
from sync.db.tables import conflicts, mutations
from sync.http.app import create_app
from sync.settings import Settings
from tests.databases import START_MS, Databases
from tests.sync.helpers import device, new_case, push_raw


def _day_of_three_devices() -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """A case everyone had pulled, then each device's offline edits (base = pulled)."""
    case_id = "0b9c5c1e-6a8f-4a73-9d1e-000000000001"
    create = {"id": "m-create", "seq": 1, "hlc": f"{START_MS:013d}:00000:p1", "kind": "case",
              "record_id": case_id, "community_id": "c-hy-01", "base_version": 0,
              "fields": new_case()}
    edits: dict[str, list[dict[str, Any]]] = {"p1": [], "p2": [], "p3": []}
    values = itertools.cycle(["一号楼", "二号楼", "三号楼", "四号楼"])
    for n in range(4):
        for offset, device_id in enumerate(edits, start=1):
            seq = len(edits[device_id]) + (2 if device_id == "p1" else 1)
            edits[device_id].append({
                "id": f"m-{device_id}-{n}", "seq": seq,
                "hlc": f"{START_MS + 1000 * n + offset:013d}:00000:{device_id}",
                "kind": "case", "record_id": case_id, "community_id": "c-hy-01",
                "base_version": 1,
                "fields": {"location": next(values), "title": f"{device_id} 第{n}次",
                           "status": ["accepted", "in_progress", "resolved", "accepted"][n],
                           "reopen_count": 0}})
    return [create], edits


async def _merged(settings: Settings, clock: ManualClock, order: list[str]) -> dict[str, Any]:
    creation, edits = _day_of_three_devices()
    users = {"p1": "liaison01", "p2": "liaison02", "p3": "leader01"}
    async with AsyncTestClient(app=create_app(settings, clock=clock)) as client:
        phones = {d: await device(client, clock, users[d], d) for d in users}
        await push_raw(client, phones["p1"], creation)
        for device_id in order:
            # Each device's queue in two pushes, the second re-sending one (a retry).
            queue = edits[device_id]
            await push_raw(client, phones[device_id], queue[:3])
            await push_raw(client, phones[device_id], queue[2:])
        reader = await device(client, clock, "bureau01")
        [record] = await reader.pull()
    return dict(record["fields"])


@pytest.fixture
def three_stores(databases: Databases, backend: str, tmp_path: Path) -> list[Settings]:
    return [Settings(data_dir=tmp_path / str(n), database_url=databases.seeded(backend),
                     secret_key="k") for n in range(3)]


async def test_the_merged_state_does_not_depend_on_the_order_pushes_arrive(
        three_stores: list[Settings], clock: ManualClock) -> None:
    orders = (["p1", "p2", "p3"], ["p3", "p1", "p2"], ["p2", "p3", "p1"])
    states = [await _merged(settings, clock, order)
              for settings, order in zip(three_stores, orders, strict=True)]
    assert states[0] == states[1] == states[2]
    # Greatest HLC per field: p3's last edit; the lattice keeps the furthest stage.
    assert states[0]["title"] == "p3 第3次" and states[0]["status"] == "resolved"


async def test_every_value_ever_written_survives_somewhere(
        demo_client: AsyncTestClient, clock: ManualClock, engine: AsyncEngine) -> None:
    creation, edits = _day_of_three_devices()
    users = {"p1": "liaison01", "p2": "liaison02", "p3": "leader01"}
    phones = {d: await device(demo_client, clock, users[d], d) for d in users}
    await push_raw(demo_client, phones["p1"], creation)
    for device_id in ("p2", "p1", "p3"):
        await push_raw(demo_client, phones[device_id], edits[device_id])
    bad = dict(edits["p2"][0], id="m-bad", seq=99, fields={"title": 42})
    await push_raw(demo_client, phones["p2"], [bad])
    reader = await device(demo_client, clock, "bureau01")
    [record] = await reader.pull()
    async with engine.connect() as conn:
        logged = [dict(r._mapping) for r in await conn.execute(sa.select(conflicts))]
        history = [dict(r._mapping) for r in await conn.execute(sa.select(mutations))]
    for written in [*creation, *(m for q in edits.values() for m in q), bad]:
        for name, value in written["fields"].items():
            current = record["fields"].get(name) == value
            in_conflicts = any(c["field"] == name and value in (
                c["winner"]["value"], c["loser"]["value"]) for c in logged)
            in_history = any(h["id"] == written["id"] and h["fields"].get(name) == value
                             for h in history)
            assert current or in_conflicts or in_history, (written["id"], name)
    rejected = next(h for h in history if h["id"] == "m-bad")
    assert rejected["status"] == "rejected" and rejected["fields"] == {"title": 42}
    assert logged, "concurrent edits of one field by different devices are conflicts"
