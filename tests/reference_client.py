"""A reference sync client: one device's outbox, seq, HLC, cursor and retry.

The tests, the benchmark and the load test use it to act as many devices. It speaks to
any httpx-compatible client (``httpx.AsyncClient`` or Litestar's test client), so it
lives with the tests rather than in the server package: httpx is a test dependency, and
a production install has none.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
import msgspec

from sync.domain.hlc import Hlc, parse

# A pull page holds thousands of records, a push hundreds of mutations: msgspec does
# them several times faster than the standard library.
_decode = msgspec.json.Decoder().decode
_encode = msgspec.json.Encoder().encode


def uuid7(now_ms: int) -> str:
    """A UUIDv7, as the PWA makes them (client-pwa/src/ids.ts): time-ordered, so new ids
    land at the end of the server's indexes instead of all over them."""
    value = bytearray(now_ms.to_bytes(6, "big") + os.urandom(10))
    value[6] = (value[6] & 0x0F) | 0x70
    value[8] = (value[8] & 0x3F) | 0x80
    text = value.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


class HttpClient(Protocol):
    async def post(self, url: str, **kwargs: Any) -> Any: ...
    async def get(self, url: str, **kwargs: Any) -> Any: ...


class SyncError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body


@dataclass
class Device:
    http: HttpClient
    device_id: str
    wall_clock: Callable[[], int] = field(default=lambda: time.time_ns() // 1_000_000)
    token: str | None = None
    user: dict[str, Any] = field(default_factory=dict)
    seq: int = 0
    hlc: Hlc = Hlc(0, 0, "")
    outbox: list[dict[str, Any]] = field(default_factory=list)
    cursor: str | None = None
    # What this device knows: record id -> pulled record (with "version").
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The last pull stopped inside a page run (a page with has_more, then no more).
    mid_run: bool = False
    retry_delays: tuple[float, ...] = (0.05, 0.2, 1.0)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def login(self, username: str, password: str) -> None:
        response = await self.http.post("/api/v1/auth/login", json={
            "username": username, "password": password, "device_id": self.device_id})
        if response.status_code != 200:
            raise SyncError(response.status_code, response.json())
        body = response.json()
        self.token, self.user = body["token"], body["user"]

    # --- recording ---------------------------------------------------------------------

    def tick(self) -> str:
        """The next HLC: never behind the wall clock, never backwards."""
        now = self.wall_clock()
        self.hlc = (Hlc(now, 0, self.device_id) if now > self.hlc.ms
                    else Hlc(self.hlc.ms, self.hlc.counter + 1, self.device_id))
        return str(self.hlc)

    def observe(self, remote: str) -> None:
        seen = parse(remote)
        if seen is not None and (seen.ms, seen.counter) > (self.hlc.ms, self.hlc.counter):
            self.hlc = Hlc(seen.ms, seen.counter, self.device_id)

    def write(self, kind: str, community_id: str, fields: dict[str, Any], *,
              record_id: str | None = None) -> dict[str, Any]:
        """Queue a mutation; a new record when ``record_id`` is None."""
        record_id = record_id or uuid7(self.wall_clock())
        self.seq += 1
        known = self.records.get(record_id)
        mutation = {"id": uuid7(self.wall_clock()), "seq": self.seq, "hlc": self.tick(),
                    "kind": kind, "record_id": record_id, "community_id": community_id,
                    "base_version": known["version"] if known else 0, "fields": fields}
        self.outbox.append(mutation)
        return mutation

    # --- syncing -----------------------------------------------------------------------

    async def push(self, *, batch_size: int = 500) -> list[dict[str, Any]]:
        """Send the outbox in batches; drop what the server acknowledged."""
        responses = []
        sent = 0
        while sent < len(self.outbox):
            batch = self.outbox[sent:sent + batch_size]
            body = await self._send("post", "/api/v1/sync/push", json={
                "device_time": self.wall_clock(), "app_version": "reference-client",
                "mutations": batch})
            self.observe(body["hlc"])
            for result in body["results"]:
                self.results[result["id"]] = result
            self.outbox = [m for m in self.outbox if m["seq"] > body["acked_seq"]]
            sent = sum(1 for m in self.outbox if m["id"] in self.results)
            responses.append(body)
        return responses

    async def pull(self, *, limit: int = 1000) -> list[dict[str, Any]]:
        """Pull until up to date. A page run resumed after an interruption ends at the
        horizon its first page read, which may be long past: then one more run."""
        received: list[dict[str, Any]] = []
        resumed = self.mid_run
        while True:
            params: dict[str, Any] = {"limit": limit}
            if self.cursor:
                params["cursor"] = self.cursor
            body = await self._send("get", "/api/v1/sync/pull", params=params)
            self.observe(body["hlc"])
            for record in body["records"]:
                self.records[record["id"]] = record
            for community in body["purge"]:
                self.records = {k: v for k, v in self.records.items()
                                if v["community_id"] != community}
            received.extend(body["records"])
            self.cursor = body["cursor"]
            self.mid_run = body["has_more"]
            if not body["has_more"]:
                if not resumed:
                    return received
                resumed = False

    async def sync(self) -> None:
        await self.push()
        await self.pull()

    async def _send(self, method: str, url: str, **kwargs: Any) -> Any:
        """One request, retried on transport errors and 5xx; never on 4xx (auth included)."""
        headers = self.headers
        if "json" in kwargs:
            kwargs["content"] = _encode(kwargs.pop("json"))
            headers = {**headers, "Content-Type": "application/json"}
        for attempt, delay in enumerate((*self.retry_delays, None)):
            try:
                response = await getattr(self.http, method)(url, headers=headers, **kwargs)
            except (OSError, httpx.TransportError):
                if delay is None:
                    raise
            else:
                if response.status_code < 500 or delay is None:
                    if response.status_code >= 400:
                        raise SyncError(response.status_code, response.json())
                    return _decode(response.content)
            await asyncio.sleep(delay * (attempt + 1))
        raise AssertionError("unreachable")
