"""The fault soak's run: 20 devices recording and syncing through a proxy that loses
responses, while the server is killed and started again (tests/sync/test_fault_soak.py
checks what it leaves).

Each device is the reference client (tests/reference_client.py) with an httpx client of
its own, recording a seeded mix of visits, cases, case steps and edits of what it pulled —
shared communities make two devices edit one record — and syncing between records. A sync
that fails (the server down, its response lost) is left for the next one, as a phone does.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import msgspec

from tests.databases import DEMO_PASSWORD
from tests.faultproxy import FaultCounts, FaultPlan, FaultProxy
from tests.live_server import ServerProcess
from tests.reference_client import Device, SyncError

# 15 users, five with a second device: liaisons 01 and 02 and leader01 share c-hy-01,
# liaison03 and leader02 the js communities.
USERS = [f"liaison{n:02d}" for n in range(1, 14)] + ["leader01", "leader02"]
DEVICES = [(user, f"{user}-soak") for user in USERS] + [
    (user, f"{user}-tab2") for user in ("liaison01", "liaison02", "leader01", "liaison03",
                                        "liaison05")]
BATCH_SIZE = 12
# Below the proxy's longest delay, so that some delayed responses come too late.
CLIENT_TIMEOUT_S = 2.0
_decode = msgspec.json.Decoder().decode


@dataclass
class SoakDevice:
    phone: Device
    communities: list[str]
    plan: random.Random
    written: list[dict[str, Any]] = field(default_factory=list)
    # Every push request as sent: the mutation ids, retries and abandoned ones included.
    attempts: list[list[str]] = field(default_factory=list)
    failed_syncs: int = 0
    server_errors: list[str] = field(default_factory=list)


@dataclass
class Figures:
    backend: str
    seed: int
    seconds: float
    mutations: int = 0
    pushes: int = 0
    failed_syncs: int = 0
    kills: int = 0
    kills_during_push: int = 0
    faults: FaultCounts = field(default_factory=FaultCounts)
    wall_s: float = 0.0

    def line(self) -> str:
        f = self.faults
        return (f"fault soak [{self.backend}] seed={self.seed} devices={len(DEVICES)} "
                f"mutations={self.mutations} pushes={self.pushes} exchanges={f.exchanges} "
                f"resets={f.resets} resets_after_commit={f.resets_after_commit} "
                f"drops={f.drops} delays={f.delays} refused={f.refused} kills={self.kills} "
                f"kills_during_push={self.kills_during_push} "
                f"failed_syncs={self.failed_syncs} wall={self.wall_s:.1f}s")


async def run_soak(database_url: str, data_dir: Path, *, seconds: float,
                   seed: int, backend: str) -> tuple[Figures, list[SoakDevice]]:
    """Soak for ``seconds``, then sync every device directly until it has sent and
    received everything. The server is stopped on return."""
    started = time.monotonic()
    figures = Figures(backend=backend, seed=seed, seconds=seconds)
    server = ServerProcess(database_url, data_dir)
    await asyncio.to_thread(server.start)
    devices: list[SoakDevice] = []
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as direct:
            for n, (username, device_id) in enumerate(DEVICES):
                phone = Device(direct, device_id)
                await phone.login(username, DEMO_PASSWORD)
                me = (await direct.get("/api/v1/me", headers=phone.headers)).json()
                devices.append(SoakDevice(phone, sorted(c["id"] for c in me["communities"]),
                                          random.Random(seed * 1000 + n)))
            plan = FaultPlan(seed=seed, lifetime_s=seconds + 60)
            async with FaultProxy(server.port, plan) as proxy:
                clients = [_client(f"http://127.0.0.1:{proxy.port}", d,
                                   timeout=CLIENT_TIMEOUT_S) for d in devices]
                try:
                    for device, client in zip(devices, clients, strict=True):
                        device.phone.http = client
                    await _soak(devices, server, proxy, seconds=seconds,
                                plan=random.Random(seed), figures=figures)
                finally:
                    await proxy.close()
                    for client in clients:
                        await client.aclose()
                figures.faults = proxy.counts
            # The proxy gone: every device straight to the server.
            clients = [_client(server.url, d, timeout=30) for d in devices]
            try:
                for device, client in zip(devices, clients, strict=True):
                    device.phone.http = client
                await _drain(devices)
            finally:
                for client in clients:
                    await client.aclose()
    finally:
        await asyncio.to_thread(server.stop)
    figures.mutations = sum(len(d.written) for d in devices)
    figures.pushes = sum(len(d.attempts) for d in devices)
    figures.failed_syncs = sum(d.failed_syncs for d in devices)
    figures.wall_s = time.monotonic() - started
    return figures, devices


async def _soak(devices: list[SoakDevice], server: ServerProcess, proxy: FaultProxy, *,
                seconds: float, plan: random.Random, figures: Figures) -> None:
    """Record, sync and kill for ``seconds``; then the devices are closed wherever they
    are (a request under way abandoned, as when a phone's app is closed)."""
    deadline = time.monotonic() + seconds
    phones = [asyncio.create_task(_record_and_sync(d)) for d in devices]
    killer = asyncio.create_task(_kill_at_random(server, proxy, plan, deadline, figures))
    await asyncio.wait([*phones, killer], timeout=seconds, return_when=asyncio.FIRST_EXCEPTION)
    for task in phones:
        task.cancel()
    for outcome in await asyncio.gather(*phones, killer, return_exceptions=True):
        if isinstance(outcome, BaseException) and not isinstance(outcome,
                                                                 asyncio.CancelledError):
            raise outcome


def _client(base_url: str, device: SoakDevice, *, timeout: float) -> httpx.AsyncClient:
    """The device's own connection, noting every push request it sends."""
    async def note_push(request: httpx.Request) -> None:
        if request.url.path == "/api/v1/sync/push":
            device.attempts.append([m["id"] for m in _decode(request.content)["mutations"]])

    return httpx.AsyncClient(base_url=base_url, timeout=timeout,
                             event_hooks={"request": [note_push]})


async def _record_and_sync(device: SoakDevice) -> None:
    phone, plan = device.phone, device.plan
    while True:
        for _ in range(plan.randint(1, 5)):
            device.written.append(_record_something(device))
        try:
            await phone.push(batch_size=BATCH_SIZE)
            await phone.pull(limit=plan.choice((50, 1000)))
        except SyncError as error:
            if error.status < 500:
                raise
            device.server_errors.append(str(error))
        except (OSError, httpx.TransportError):
            # The server down, or the response lost: the next sync sends it again.
            device.failed_syncs += 1
        await asyncio.sleep(plan.uniform(0.05, 0.6))


def _record_something(device: SoakDevice) -> dict[str, Any]:
    phone, plan = device.phone, device.plan
    community = plan.choice(device.communities)
    mine = [r for r in phone.records.values() if r["community_id"] in device.communities]
    cases = [r for r in mine if r["kind"] == "case"]
    visits = [r for r in mine if r["kind"] == "visit"]
    roll = plan.random()
    n = len(device.written)
    if roll < 0.25 and cases:
        case = plan.choice(cases)
        return phone.write("case", case["community_id"], {
            "title": f"{phone.device_id} 改 {n}", "location": plan.choice(["一号楼", "二号楼"])},
            record_id=case["id"])
    if roll < 0.35 and cases:
        case = plan.choice(cases)
        stage = plan.choice(["accepted", "in_progress", "resolved"])
        return phone.write("case", case["community_id"], {
            "status": stage, "reopen_count": case["fields"].get("reopen_count", 0)},
            record_id=case["id"])
    if roll < 0.5 and cases:
        case = plan.choice(cases)
        return phone.write("case_step", case["community_id"], {
            "case_id": case["id"], "action": "note", "note": f"{phone.device_id} 记 {n}"})
    if roll < 0.6 and visits:
        visit = plan.choice(visits)
        return phone.write("visit", visit["community_id"], {
            "summary": f"{phone.device_id} 小结 {n}"}, record_id=visit["id"])
    if roll < 0.8:
        return phone.write("case", community, {
            "title": f"{phone.device_id} 诉件 {n}", "category": "乱堆物", "source": "patrol"})
    return phone.write("visit", community, {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "purpose": f"{phone.device_id} 走访 {n}"})


async def _kill_at_random(server: ServerProcess, proxy: FaultProxy, plan: random.Random,
                          deadline: float, figures: Figures) -> None:
    """SIGKILL the server every few seconds — most often while a push is at the server,
    sometimes between requests — and start it again on the same database."""
    while True:
        await asyncio.sleep(min(plan.uniform(0.8, 2.5), max(0, deadline - time.monotonic())))
        if time.monotonic() >= deadline:
            return
        if plan.random() < 0.8:
            for _ in range(100):
                if proxy.pushes_at_server():
                    break
                await asyncio.sleep(0.01)
            await asyncio.sleep(plan.uniform(0, 0.03))
        during_push = proxy.pushes_at_server() > 0
        await asyncio.to_thread(server.kill)
        figures.kills += 1
        figures.kills_during_push += during_push
        await asyncio.sleep(plan.uniform(0, 0.5))
        await asyncio.to_thread(server.start)


async def _drain(devices: list[SoakDevice]) -> None:
    """With the proxy gone: push every outbox empty, then pull to the end."""
    async def push_all(device: SoakDevice) -> None:
        while device.phone.outbox:
            left = len(device.phone.outbox)
            await device.phone.push(batch_size=BATCH_SIZE)
            if len(device.phone.outbox) == left:
                return  # acked_seq stuck below a lost mutation: the checks tell

    await asyncio.gather(*(push_all(d) for d in devices))
    await asyncio.gather(*(d.phone.pull() for d in devices))
