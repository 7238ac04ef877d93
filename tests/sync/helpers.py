"""Devices for API tests: the reference client on the test app, on the test's clock."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from sync.client import Device
from sync.clock import ManualClock
from tests.databases import DEMO_PASSWORD


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
