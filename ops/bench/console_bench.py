"""Console benchmark (issue 6): server time of the supervisors' heaviest pages.

Builds a PostgreSQL database with a year of one district (console_seed.py), then asks
the real application in-process (routing, session, queries, rendering — no network)
for: a squad's duty-log day, the district compliance matrix for a quarter, and the
ledger's first page with filters. Target: each under 300 ms.

    .venv/bin/python ops/bench/console_bench.py [--keep] [--runs 15]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient

sys.path.insert(0, str(Path(__file__).resolve().parent))

from console_seed import PASSWORD, seed  # noqa: E402

from sync.db.migrate import upgrade  # noqa: E402
from sync.http.app import create_app  # noqa: E402
from sync.settings import Settings  # noqa: E402

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
DB = "wr_console_bench"
SHANGHAI = timedelta(hours=8)


async def _prepare(admin_dsn: str, *, keep: bool) -> str:
    base = admin_dsn.rsplit("/", 1)[0]
    conn = await asyncpg.connect(admin_dsn)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DB)
        if exists and keep:
            return f"{base}/{DB}"
        await conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {DB}")
    finally:
        await conn.close()
    url = f"{base}/{DB}".replace("postgresql://", "postgresql+asyncpg://")
    await asyncio.to_thread(upgrade, url)
    started = time.perf_counter()
    counts = await seed(f"{base}/{DB}", end_ms=int(datetime.now(UTC).timestamp() * 1000))
    print(f"seeded in {time.perf_counter() - started:.1f} s: {counts}")
    return f"{base}/{DB}"


async def _login(client: AsyncTestClient[Any], username: str) -> None:
    client.cookies.clear()
    page = await client.get("/console/login")
    match = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert match
    response = await client.post("/console/login", data={
        "username": username, "password": PASSWORD, "_csrf_token": match.group(1)},
        follow_redirects=False)
    assert response.status_code == 303, response.text


async def _time(client: AsyncTestClient[Any], url: str, runs: int) -> tuple[float, float, int]:
    for _ in range(2):
        warm = await client.get(url)
        assert warm.status_code == 200, (url, warm.status_code, warm.text[:300])
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = await client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))], len(
        response.content)


async def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--admin-dsn", default=ADMIN_DSN)
    parser.add_argument("--keep", action="store_true", help="reuse an already seeded database")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    dsn = await _prepare(args.admin_dsn, keep=args.keep)
    url = dsn.replace("postgresql://", "postgresql+asyncpg://")
    now = datetime.now(UTC) + SHANGHAI
    # The last weekday before today: a full day of work.
    day = now.date() - timedelta(days=1)
    while day.weekday() > 4:
        day -= timedelta(days=1)
    quarter_first = day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    quarter_last = quarter_first + timedelta(days=91)
    quarter_last = quarter_last.replace(day=1) - timedelta(days=1)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(data_dir=Path(tmp), database_url=url,
                                  secret_key="bench-secret"))
        async with AsyncTestClient(app=app, base_url="http://127.0.0.1") as client:
            results = []
            await _login(client, "bleader01")
            results.append(("squad duty-log day (18 liaisons)",
                            await _time(client, f"/console/duty-log?day={day}", args.runs)))
            results.append(("ledger first page, squad, filters",
                            await _time(client, "/console/ledger?source=hotline&status=closed"
                                                f"&first={quarter_first}", args.runs)))
            results.append(("ledger first page, squad, overdue only",
                            await _time(client, "/console/ledger?overdue=1", args.runs)))
            await _login(client, "bbureau")
            results.append(("district compliance matrix, quarter",
                            await _time(client, f"/console/compliance?first={quarter_first}"
                                                f"&last={quarter_last}", args.runs)))
            results.append(("ledger first page, district, filters",
                            await _time(client, "/console/ledger?source=qr&category=乱堆物",
                                        args.runs)))
            results.append(("ledger first page, district, overdue only",
                            await _time(client, "/console/ledger?overdue=1", args.runs)))
    print(f"{'page':42} {'median ms':>10} {'p95 ms':>8} {'bytes':>9}")
    for name, (median, p95, size) in results:
        print(f"{name:42} {median:10.1f} {p95:8.1f} {size:9d}")


if __name__ == "__main__":
    asyncio.run(main())
