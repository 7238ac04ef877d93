"""The issue's yardstick for the push: a bare endpoint that decodes a push body with
msgspec and writes its mutations with one ``INSERT … unnest … ON CONFLICT``.

No session, no scope, no checks, no merge, no mutation log, no versions: what any push
endpoint costs at least on this stack. ``sync_bench.py`` serves it with uvicorn as
``workroom serve`` is served and sends it the same batches as the real push, so the two
rates come from the same run. Benchmark code only; never part of the product.

    WR_BARE_DSN=postgresql://… uvicorn bare_endpoint:app
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import msgspec
from litestar import Litestar, Request, get, post

TABLE = "bench_bare"
CREATE = (f"CREATE TABLE {TABLE} (id text PRIMARY KEY, seq bigint NOT NULL, hlc text NOT NULL,"
          " kind text NOT NULL, record_id text NOT NULL, community_id text NOT NULL,"
          " base_version bigint NOT NULL, fields jsonb NOT NULL)")
_INSERT = (f"INSERT INTO {TABLE} SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[],"
           " $4::text[], $5::text[], $6::text[], $7::bigint[], $8::jsonb[])"
           " ON CONFLICT (id) DO NOTHING")


class BareMutation(msgspec.Struct):
    id: str
    seq: int
    hlc: str
    kind: str
    record_id: str
    community_id: str
    base_version: int
    fields: msgspec.Raw  # passed through as JSON text


class BarePush(msgspec.Struct):
    mutations: list[BareMutation]


_decode = msgspec.json.Decoder(BarePush).decode


@asynccontextmanager
async def _pool(app: Litestar) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(os.environ["WR_BARE_DSN"], min_size=8,
                                               max_size=8)
    try:
        yield
    finally:
        await app.state.pool.close()


@post("/bare/push", status_code=200)
async def bare_push(request: Request) -> dict[str, int]:
    mutations = _decode(await request.body()).mutations
    async with request.app.state.pool.acquire() as conn:
        await conn.execute(_INSERT, [m.id for m in mutations], [m.seq for m in mutations],
                           [m.hlc for m in mutations], [m.kind for m in mutations],
                           [m.record_id for m in mutations],
                           [m.community_id for m in mutations],
                           [m.base_version for m in mutations],
                           [bytes(m.fields).decode() for m in mutations])
    return {"received": len(mutations)}


@get("/healthz")
async def healthz() -> dict[str, str]:
    """What the benchmark polls before it starts sending (harness._wait_healthy)."""
    return {"status": "ok"}


app = Litestar([bare_push, healthz], lifespan=[_pool], logging_config=None)
