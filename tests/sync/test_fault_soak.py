"""The fault soak: 20 devices through a proxy that loses responses after the server
committed, with the server killed at random points — 0 lost, 0 duplicated, 0 partial
batches, and every device ends with exactly the server's records.

A short seeded run by default; ``WORKROOM_SOAK_SECONDS`` (the faulted time per back end)
and ``WORKROOM_SOAK_SEED`` make a long or a different one, e.g.
``WORKROOM_SOAK_SECONDS=600 WORKROOM_SOAK_SEED=7 pytest tests/sync/test_fault_soak.py``.
Each run prints its figures as one line, whether pytest captures output or not.

How "partial" is observed: a push is logged with one ``received_ms``, its server time,
and a device sends its outbox in ``seq`` order from the first unacknowledged mutation.
So if every push is all-or-nothing, each device's log is a run of ``seq`` 1..N whose
``received_ms`` never goes down, and each stretch with one ``received_ms`` is exactly
what one request the device sent held beyond what was logged before. A push that
committed only part of its batch leaves a stretch that is no request's whole new part,
or a hole filled later. And the records hold exactly the applied mutations: replaying the log
through the merge engine gives every stored record's fields, and every current value
names an applied mutation as its writer.
"""

from __future__ import annotations

import asyncio
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sync.db.engine import make_engine
from sync.db.tables import mutations, records
from sync.domain import merge
from tests.databases import Databases
from tests.sync.fault_soak import SoakDevice, run_soak

SOAK_SECONDS = float(os.environ.get("WORKROOM_SOAK_SECONDS", "10"))
SOAK_SEED = int(os.environ.get("WORKROOM_SOAK_SEED", "15"))


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_twenty_devices_through_lost_responses_and_killed_servers_lose_nothing(
        databases: Databases, backend: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    url = databases.seeded(backend)
    figures, devices = asyncio.run(run_soak(url, tmp_path / "data", seconds=SOAK_SECONDS,
                                            seed=SOAK_SEED, backend=backend))
    log, stored = asyncio.run(_read(url))
    problems: dict[str, list[Any]] = {
        "lost": _lost(devices, log),
        "duplicated": _duplicated(devices, log, stored),
        "partial": _partial(devices, log),
        "not_replayed": _not_replayed(log, stored),
        "unequal": _unequal(devices, stored),
        "rejected": _rejected(log),  # the soak writes only valid mutations
        "5xx": [e for d in devices for e in d.server_errors],
    }
    with capsys.disabled():  # the figures belong in the CI log, captured or not
        print(f"\n{figures.line()} " + " ".join(f"{k}={len(v)}" for k, v in problems.items()))
    assert {k: v[:3] for k, v in problems.items() if v} == {}
    assert len(devices) == 20 and figures.kills > 0 and figures.faults.faults > 0

async def _read(url: str) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            log = [dict(r._mapping) for r in await conn.execute(
                sa.select(mutations).order_by(mutations.c.received_ms, mutations.c.seq))]
            stored = {r.id: dict(r._mapping) for r in await conn.execute(sa.select(records))}
    finally:
        await engine.dispose()
    return log, stored


def _lost(devices: list[SoakDevice], log: list[dict[str, Any]]) -> list[str]:
    logged = {row["id"] for row in log}
    return [m["id"] for d in devices for m in d.written if m["id"] not in logged]


def _rejected(log: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(row["id"], row["error_code"]) for row in log if row["status"] != "applied"]


def _duplicated(devices: list[SoakDevice], log: list[dict[str, Any]],
                stored: dict[str, dict[str, Any]]) -> list[str]:
    """Log rows no device wrote (an id made up again), a seq logged twice, records
    created more often than the devices created them."""
    written = {m["id"] for d in devices for m in d.written}
    problems = [f"not written: {row['id']}" for row in log if row["id"] not in written]
    seqs = [(row["user_id"], row["device_id"], row["seq"]) for row in log]
    problems += [f"seq twice: {s}" for s in {s for s in seqs if seqs.count(s) > 1}]
    created = {m["record_id"] for d in devices for m in d.written if m["base_version"] == 0}
    problems += [f"record nobody created: {rid}" for rid in stored.keys() - created]
    return problems


def _partial(devices: list[SoakDevice], log: list[dict[str, Any]]) -> list[str]:
    by_device: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in log:  # in received order
        by_device[row["device_id"]].append(row)
    problems: list[str] = []
    for device in devices:
        rows = by_device[device.phone.device_id]
        seqs = [row["seq"] for row in rows]
        if seqs != list(range(1, len(rows) + 1)):
            problems.append(f"{device.phone.device_id}: logged out of seq order")
            continue
        sent = [set(ids) for ids in device.attempts]
        before: set[str] = set()
        for received_ms in dict.fromkeys(row["received_ms"] for row in rows):
            stretch = [row for row in rows if row["received_ms"] == received_ms]
            ids = {row["id"] for row in stretch}
            if not any(ids == batch - before for batch in sent):
                problems.append(f"{device.phone.device_id}: the push at {received_ms} logged "
                                f"seq {stretch[0]['seq']}..{stretch[-1]['seq']}, "
                                f"no request's whole batch")
            before |= ids
    return problems


def _not_replayed(log: list[dict[str, Any]], stored: dict[str, dict[str, Any]]) -> list[str]:
    """Records whose fields are not the merge of their applied mutations, or whose
    current values name a writer that is not an applied mutation."""
    replayed: dict[str, merge.RecordState] = {}
    for version, row in enumerate((r for r in log if r["status"] == "applied"), start=1):
        write = merge.Write(id=row["id"], user_id=row["user_id"], device_id=row["device_id"],
                            hlc=row["hlc"], kind=row["kind"], record_id=row["record_id"],
                            community_id=row["community_id"],
                            base_version=row["base_version"], fields=row["fields"])
        record = replayed.get(write.record_id)
        replayed[write.record_id] = (
            merge.create(write, version=version, now_ms=0, clock_suspect=False)
            if record is None else
            merge.apply(record, write, version=version, now_ms=0, clock_suspect=False)[0])
    applied = {row["id"] for row in log if row["status"] == "applied"}
    problems = [f"{rid}: stored {row['fields']} != replayed "
                f"{replayed[rid].fields if rid in replayed else None}"
                for rid, row in stored.items()
                if rid not in replayed or replayed[rid].fields != row["fields"]]
    problems += [f"{rid}: no record for applied mutations"
                 for rid in replayed.keys() - stored.keys()]
    for rid, row in stored.items():
        writers = {w.mutation_id for w in merge.field_writes(row["field_meta"]).values()}
        problems += [f"{rid}: written by {m}, not an applied mutation" for m in writers - applied]
    return problems


def _unequal(devices: list[SoakDevice], stored: dict[str, dict[str, Any]]) -> list[str]:
    problems = []
    for device in devices:
        theirs = {rid: (r["kind"], r["community_id"], r["version"], r["fields"])
                  for rid, r in device.phone.records.items()}
        server = {rid: (r["kind"], r["community_id"], r["version"], r["fields"])
                  for rid, r in stored.items() if r["community_id"] in device.communities}
        if theirs != server:
            missing, extra = server.keys() - theirs.keys(), theirs.keys() - server.keys()
            stale = [rid for rid in server.keys() & theirs.keys() if server[rid] != theirs[rid]]
            problems.append(f"{device.phone.device_id}: {len(missing)} missing, "
                            f"{len(extra)} extra, {len(stale)} different")
    return problems

