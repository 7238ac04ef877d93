"""Devices for API tests: the reference client on the test app, on the test's clock."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from sync.clock import ManualClock
from sync.db.engine import make_engine
from sync.domain.roles import Actor
from sync.protocol import Mutation
from sync.services.sync import SyncService
from sync.store import org
from tests.databases import DEMO_PASSWORD, START_MS
from tests.reference_client import Device


async def device(client: AsyncTestClient, clock: ManualClock, username: str,
                 device_id: str | None = None) -> Device:
    phone = Device(client, device_id or f"{username}-phone", wall_clock=clock.now_ms)
    await phone.login(username, DEMO_PASSWORD)
    return phone


def new_case(**fields: Any) -> dict[str, Any]:
    return {"title": "楼道堆物", "category": "乱堆物", "source": "patrol", **fields}


async def push_raw(client: AsyncTestClient, phone: Device, mutations: list[dict[str, Any]],
                   **extra: Any) -> dict[str, Any]:
    """One push of exactly these mutations; the response body."""
    response = await client.post("/api/v1/sync/push", headers=phone.headers,
                                 json={"mutations": mutations, **extra})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def error_codes(client: AsyncTestClient, phone: Device) -> list[str | None]:
    """Push the device's outbox in one batch; each mutation's error code (None: applied)."""
    body = await push_raw(client, phone, phone.outbox)
    phone.outbox.clear()
    return [r.get("error", {}).get("code") for r in body["results"]]


@asynccontextmanager
async def sync_service(url: str, *usernames: str,
                       ) -> AsyncIterator[tuple[SyncService, AsyncEngine, list[Actor]]]:
    """The push and pull service on ``url`` (no HTTP: a test drives its steps), its
    engine, and the named users as actors."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            actors = [(await org.get_user(conn, name)).as_actor() for name in usernames]
        yield SyncService(engine, ManualClock(START_MS), cursor_key=b"k" * 32), engine, actors
    finally:
        await engine.dispose()


def case_mutation(device_id: str, seq: int, at_ms: int, record_id: str,
                  fields: dict[str, Any], base_version: int = 0) -> Mutation:
    """A mutation of a case in c-hy-01, its HLC at ``at_ms``."""
    return Mutation(id=str(uuid.uuid4()), seq=seq, hlc=f"{at_ms:013d}:00000:{device_id}",
                    kind="case", record_id=record_id, community_id="c-hy-01", fields=fields,
                    base_version=base_version)
