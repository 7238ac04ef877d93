"""A TCP proxy on loopback that loses responses on purpose, for the fault soak.

Every request/response exchange on a connection gets a fate from one seeded
``random.Random``: passed as it is, its response delayed (past the client's timeout,
sometimes), the connection reset before the request reaches the server, or — the cases
a phone on a bad network actually meets — the response lost *after* the server answered:
the connection reset (RST) the moment the response arrives, or the response swallowed so
that the client waits until it times out. In those two the server has committed the push
and the device never hears of it; it must send the same mutations again.

The proxy reads no HTTP: it takes the first bytes from the server after the client's
bytes as the start of a response (httpx sends one request at a time on a connection).
It listens and connects on 127.0.0.1 only, misbehaves at most ``max_faults`` times,
and closes itself after ``lifetime_s``.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
from dataclasses import dataclass
from enum import Enum

LOOPBACK = "127.0.0.1"
_CHUNK = 64 * 1024


class Fate(Enum):
    PASS = "pass"
    DELAY = "delay"  # the response, held back
    RESET = "reset"  # RST before the request is forwarded: the server never sees it
    RESET_AFTER = "reset_after"  # RST when the response arrives: the server committed
    DROP = "drop"  # the response swallowed, the connection left silent


@dataclass(frozen=True)
class FaultPlan:
    seed: int
    delay: float = 0.12
    reset: float = 0.04
    reset_after: float = 0.08
    drop: float = 0.05
    max_delay_s: float = 3.0
    max_faults: int = 10_000
    lifetime_s: float = 600.0

    def __post_init__(self) -> None:
        if self.delay + self.reset + self.reset_after + self.drop > 1:
            raise ValueError("fault rates add up to more than 1")


@dataclass
class FaultCounts:
    exchanges: int = 0
    delays: int = 0
    resets: int = 0  # before the request was forwarded
    resets_after_commit: int = 0  # when the response arrived
    drops: int = 0
    refused: int = 0  # the server was down: the client's connection closed

    @property
    def faults(self) -> int:
        return self.delays + self.resets + self.resets_after_commit + self.drops


class FaultProxy:
    """``async with FaultProxy(port, plan) as proxy``: ``proxy.port`` forwards to
    ``port`` on loopback, misbehaving by ``plan``."""

    def __init__(self, upstream_port: int, plan: FaultPlan) -> None:
        self.upstream_port = upstream_port
        self.plan = plan
        self.counts = FaultCounts()
        self.port = 0
        self._random = random.Random(plan.seed)
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._transports: set[asyncio.WriteTransport] = set()
        self._closer: asyncio.Task[None] | None = None
        # Per connection with a request forwarded and no response yet: its first bytes.
        self._at_server: dict[int, bytes] = {}

    async def __aenter__(self) -> FaultProxy:
        self._server = await asyncio.start_server(self._serve, LOOPBACK, 0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        self._closer = asyncio.create_task(self._close_after(self.plan.lifetime_s))
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Stop listening and cut every connection (and every response held back)."""
        if self._server is not None:
            self._server.close()
            self._server = None
        # Cut rather than cancel: each connection sees its ends close and finishes.
        for transport in list(self._transports):
            transport.abort()
        await asyncio.gather(*self._connections, return_exceptions=True)
        if self._closer is not None and self._closer is not asyncio.current_task():
            self._closer.cancel()

    async def _close_after(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        await self.close()

    def pushes_at_server(self) -> int:
        """How many push requests the server has and has not answered yet."""
        return sum(1 for head in self._at_server.values()
                   if head.startswith(b"POST /api/v1/sync/push"))

    def _fate(self) -> Fate:
        self.counts.exchanges += 1
        if self.counts.faults >= self.plan.max_faults:
            return Fate.PASS
        plan = self.plan
        rates = ((Fate.DELAY, plan.delay), (Fate.RESET, plan.reset),
                 (Fate.RESET_AFTER, plan.reset_after), (Fate.DROP, plan.drop))
        roll = self._random.random()
        for fate, rate in rates:
            if roll < rate:
                return fate
            roll -= rate
        return Fate.PASS

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        self._transports.add(writer.transport)
        try:
            await self._relay(reader, writer)
        except OSError:
            _reset(writer)
        finally:
            self._connections.discard(task)
            self._transports.discard(writer.transport)
            writer.close()

    async def _relay(self, client_in: asyncio.StreamReader,
                     client_out: asyncio.StreamWriter) -> None:
        try:
            server_in, server_out = await asyncio.open_connection(LOOPBACK, self.upstream_port)
        except OSError:
            self.counts.refused += 1
            _reset(client_out)
            return
        self._transports.add(server_out.transport)
        # The fate of the exchange under way; None between a response and the next request.
        exchange: list[Fate | None] = [None]
        pumps = {asyncio.create_task(self._requests(client_in, server_out, client_out,
                                                    exchange)),
                 asyncio.create_task(self._responses(server_in, client_out, exchange))}
        try:
            # Either side closing (the client done or timed out, the server killed) or
            # a fate cutting the exchange ends the connection.
            done, _ = await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
        finally:
            for task in pumps:
                task.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
            server_out.transport.abort()
            self._transports.discard(server_out.transport)
            self._at_server.pop(id(exchange), None)

    async def _requests(self, client_in: asyncio.StreamReader, server_out: asyncio.StreamWriter,
                        client_out: asyncio.StreamWriter, exchange: list[Fate | None]) -> None:
        while chunk := await client_in.read(_CHUNK):
            if exchange[0] is None:
                exchange[0] = self._fate()
                if exchange[0] is Fate.RESET:
                    self.counts.resets += 1
                    _reset(client_out)
                    return
                self._at_server[id(exchange)] = chunk[:64]
            server_out.write(chunk)
            await server_out.drain()

    async def _responses(self, server_in: asyncio.StreamReader,
                         client_out: asyncio.StreamWriter, exchange: list[Fate | None]) -> None:
        while chunk := await server_in.read(_CHUNK):
            fate, exchange[0] = exchange[0], None
            self._at_server.pop(id(exchange), None)
            if fate is Fate.DELAY:
                self.counts.delays += 1
                await asyncio.sleep(self._random.uniform(0, self.plan.max_delay_s))
            elif fate is Fate.RESET_AFTER:
                self.counts.resets_after_commit += 1
                _reset(client_out)
                return
            elif fate is Fate.DROP:
                self.counts.drops += 1
                # Silence until the client gives up (or the proxy closes).
                await asyncio.Event().wait()
            client_out.write(chunk)
            await client_out.drain()


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with an RST (SO_LINGER 0) instead of an orderly FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
