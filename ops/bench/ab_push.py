"""The push's CPU per mutation, this checkout against another, in one interleaved run.

    git worktree add /tmp/base <rev> && ln -s "$PWD/.venv" /tmp/base/.venv
    .venv/bin/python ops/bench/ab_push.py --base /tmp/base [--devices 60] [--mutations 1000]

On a VM whose speed drifts by a fifth from one minute to the next, two benchmark runs
one after the other cannot tell a change of a few per cent from the drift. Here both
servers run side by side — ``base`` on its own scratch database, migrated by its own
code, and this checkout on another — with the same workload (sync_bench's offline day),
and the devices push in turn: one device's outbox to one server, then the twin device's
to the other, the order flipping every device. Drift hits both alike, and the script
prints each side's CPU per mutation (server process, PostgreSQL backends) and their
ratio, overall and per half of the run, so the halves show how steady the figure is.

By default one connection, one push at a time: CPU cost, not contention. With
``--connections 8`` the devices push in groups (``--group`` devices, consecutive, so a
community's devices meet on its shared cases as in sync_bench.py) over that many
connections, group for group in turn, and each side's push rate is printed too: the
throughput of the two revisions under the benchmark's contention, with the drift
cancelled the same way. Benchmark code only.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx

# This folder, and the checkout's root for the reference client (tests/reference_client.py).
sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[2])]

from harness import (  # noqa: E402
    Server,
    postgres_cpu_seconds,
    prepare,
    running_server,
    scratch_database,
)
from sync_bench import (  # noqa: E402
    FULL,
    Size,
    TimedHttp,
    in_parallel,
    offline_day,
    shared_cases,
)

from tests.reference_client import Device  # noqa: E402


@dataclass
class Side:
    """One server under test and what its pushes cost."""

    name: str
    server: Server
    database: str
    devices: list[Device] = field(default_factory=list)
    # Per half of the run: [server CPU s, PostgreSQL CPU s, mutations, wall-clock s].
    spent: list[list[float]] = field(
        default_factory=lambda: [[0.0, 0.0, 0, 0.0], [0.0, 0.0, 0, 0.0]])

    async def push(self, devices: list[Device], *, half: int, batch: int,
                   connections: int) -> None:
        queued = sum(len(device.outbox) for device in devices)
        before = (self.server.cpu_seconds(), postgres_cpu_seconds(self.database))
        started = time.perf_counter()
        await in_parallel([d.push(batch_size=batch) for d in devices], connections)
        self.spent[half][3] += time.perf_counter() - started
        self.spent[half][0] += self.server.cpu_seconds() - before[0]
        self.spent[half][1] += postgres_cpu_seconds(self.database) - before[1]
        self.spent[half][2] += queued

    def rate(self, halves: tuple[int, ...] = (0, 1)) -> float:
        """Mutations per second of wall-clock time while this side pushed."""
        return (sum(self.spent[h][2] for h in halves)
                / sum(self.spent[h][3] for h in halves))

    def per_mutation(self, halves: tuple[int, ...] = (0, 1)) -> tuple[float, float]:
        server = sum(self.spent[h][0] for h in halves)
        postgres = sum(self.spent[h][1] for h in halves)
        count = sum(self.spent[h][2] for h in halves)
        return server / count * 1e6, postgres / count * 1e6


async def run(base: Path, size: Size, *, group: int) -> None:
    async with AsyncExitStack() as stack:
        sides = []
        for name, code in (("base", base), ("this", None)):
            url, dsn = await stack.enter_async_context(scratch_database(name))
            users = await prepare(url, devices=size.devices, code=code)
            server = await stack.enter_async_context(running_server(url, code=code))
            http = TimedHttp(await stack.enter_async_context(
                httpx.AsyncClient(base_url=server.url, timeout=300)))
            side = Side(name, server, dsn.rsplit("/", 1)[1])
            side.devices, _ = await offline_day(http, users, size,
                                                await shared_cases(http, size))
            sides.append(side)
        gc.freeze()
        started = time.perf_counter()
        count = size.devices
        steps = range(0, count, group)
        for n, first in enumerate(steps):
            half = 0 if n < len(steps) // 2 else 1
            for side in sides if n % 2 == 0 else reversed(sides):
                await side.push(side.devices[first:first + group], half=half,
                                batch=size.batch, connections=size.connections)
        print(f"{count} devices × {size.mutations} mutations per side, batches of "
              f"{size.batch}, {size.connections} connection(s), {group} device(s) at a "
              f"time, alternating: {time.perf_counter() - started:.0f} s")
        print("CPU per mutation (µs)      server   PostgreSQL   total")
        for label, halves in (("whole run", (0, 1)), ("first half", (0,)),
                              ("second half", (1,))):
            figures = [side.per_mutation(halves) for side in sides]
            for side, (server_us, postgres_us) in zip(sides, figures, strict=True):
                print(f"  {label:12s} {side.name:5s} {server_us:8.1f} {postgres_us:11.1f} "
                      f"{server_us + postgres_us:9.1f}")
            (server_a, pg_a), (server_b, pg_b) = figures
            print(f"  {label:12s} this/base {server_b / server_a:6.3f} {pg_b / pg_a:11.3f} "
                  f"{(server_b + pg_b) / (server_a + pg_a):9.3f}")
        if size.connections > 1:
            print("push rate (mutations/s)     base       this   this/base")
            for label, halves in (("whole run", (0, 1)), ("first half", (0,)),
                                  ("second half", (1,))):
                base_rate, this_rate = (side.rate(halves) for side in sides)
                print(f"  {label:12s} {base_rate:10,.0f} {this_rate:10,.0f} "
                      f"{this_rate / base_rate:9.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", type=Path, required=True,
                        help="another checkout of Workroom (e.g. a git worktree)")
    parser.add_argument("--devices", type=int, default=60)
    parser.add_argument("--mutations", type=int, default=FULL.mutations)
    parser.add_argument("--connections", type=int, default=1,
                        help="pushes at once (sync_bench.py: 8)")
    parser.add_argument("--group", type=int,
                        help="devices per turn (default 1, or 10 with --connections > 1)")
    args = parser.parse_args()
    group = args.group or (10 if args.connections > 1 else 1)
    asyncio.run(run(args.base.resolve(), replace(FULL, devices=args.devices,
                                                  mutations=args.mutations,
                                                  connections=args.connections),
                    group=group))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
