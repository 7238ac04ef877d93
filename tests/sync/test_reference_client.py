"""The reference client (tests/reference_client.py) where a phone's connection fails it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from sync.clock import ManualClock
from tests.sync.helpers import device, new_case


class SignalLost:
    """The test client, until ``answered`` requests have been answered: then no signal."""

    def __init__(self, client: AsyncTestClient, answered: int) -> None:
        self.client, self.answered = client, answered

    async def get(self, url: str, **kwargs: Any) -> Any:
        self._one_more()
        return await self.client.get(url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> Any:
        self._one_more()
        return await self.client.post(url, **kwargs)

    def _one_more(self) -> None:
        if self.answered == 0:
            raise httpx.ConnectError("no signal")
        self.answered -= 1


async def test_a_pull_resumed_after_the_signal_dropped_mid_run_brings_the_device_up_to_now(
        demo_client: AsyncTestClient, clock: ManualClock) -> None:
    """A page run reads up to the horizon of its first page: resumed later, it ends
    there. The device must not take that end for "up to date"."""
    writer = await device(demo_client, clock, "liaison01")
    for n in range(3):
        writer.write("case", "c-hy-01", new_case(title=f"早 {n}"))
    await writer.push()
    reader = await device(demo_client, clock, "liaison02")
    reader.retry_delays = ()
    reader.http = SignalLost(demo_client, answered=1)
    with pytest.raises(httpx.ConnectError):
        await reader.pull(limit=2)  # the first page of two, then no signal
    writer.write("case", "c-hy-01", new_case(title="晚"))
    await writer.push()
    reader.http = demo_client
    await reader.pull(limit=2)
    titles = sorted(r["fields"]["title"] for r in reader.records.values())
    assert titles == ["早 0", "早 1", "早 2", "晚"]
