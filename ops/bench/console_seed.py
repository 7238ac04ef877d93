"""A year of realistic data for one district, for the console benchmark (issue 6).

About 200 liaisons, 300 communities in 11 squads, 60,000 visits (with patrol findings,
publicity events and suggestions inside them), 40,000 cases with their steps. Rows are
written straight into ``records`` and ``mutations`` with PostgreSQL COPY — bypassing the
merge, which the sync benchmark measures — but shaped exactly as the merge stores them
(fields, field_meta, one creating mutation per record with its HLC), so every console
query reads what production would hold.

    .venv/bin/python -m ops.bench.console_seed --db postgresql+asyncpg://postgres@127.0.0.1/wr_bench
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg

from sync.domain.passwords import hash_password

PASSWORD = "Workroom2026"
SQUADS = 11
COMMUNITIES = 300
LIAISONS = 200
VISITS = 60_000
CASES = 40_000
SOURCES = ["qr"] * 30 + ["hotline_12345"] * 20 + ["residents_committee"] * 15 + [
    "property_company"] * 10 + ["resident_in_person"] * 15 + ["patrol"] * 10
CATEGORIES = ["违法搭建", "占道经营", "乱堆物", "乱张贴", "垃圾分类", "群租", "装修噪声", "其他"]
STAGES = ["received", "accepted", "in_progress", "resolved", "feedback_given", "closed"]
SHANGHAI = 8 * 3600 * 1000


@dataclass
class Batch:
    records: list[tuple[Any, ...]] = field(default_factory=list)
    mutations: list[tuple[Any, ...]] = field(default_factory=list)
    seq: dict[str, int] = field(default_factory=dict)
    version: int = 0


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat(timespec="seconds")


def _add(batch: Batch, *, kind: str, community: str, user: str, at_ms: int,
         fields: dict[str, Any], received_ms: int | None = None) -> str:
    record_id = str(uuid.uuid4())
    mutation_id = str(uuid.uuid4())
    device = f"dev-{user[:8]}"
    batch.version += 1
    seq = batch.seq.get(user, 0) + 1
    batch.seq[user] = seq
    hlc = f"{at_ms:013d}:00000:{device}"
    # The stored field_meta (sync/domain/merge.py StoredMeta): one writer for every field.
    meta = [[[hlc, device, user, batch.version, mutation_id]], dict.fromkeys(fields, 0)]
    received = received_ms or at_ms + random.randint(60_000, 8 * 3600 * 1000)
    batch.records.append((record_id, kind, community, batch.version, json.dumps(fields),
                          json.dumps(meta), user, received, received, False))
    batch.mutations.append((mutation_id, user, device, seq, hlc, kind, record_id, community, 0,
                            json.dumps(fields), "applied", None, None, None, received,
                            random.choice([0, 0, 0, 1200, -800, 400_000]), "bench"))
    return record_id


def _organisation(now_ms: int) -> dict[str, Any]:
    squads = [(f"sq-b{n:02d}", f"第{n}街道中队", "street", n) for n in range(1, SQUADS + 1)]
    communities = [(f"c-b{n:03d}", squads[n % SQUADS][0], f"第{n}居民区", "", now_ms)
                   for n in range(COMMUNITIES)]
    password = hash_password(PASSWORD)
    users = [(str(uuid.uuid4()), f"bl{n:03d}", f"联络员{n:03d}", "liaison", squads[n % SQUADS][0],
              None, password, False, now_ms, now_ms) for n in range(LIAISONS)]
    users += [(str(uuid.uuid4()), f"bleader{n:02d}", f"中队长{n:02d}", "squad_leader", s[0],
               None, password, False, now_ms, now_ms) for n, s in enumerate(squads, start=1)]
    users.append((str(uuid.uuid4()), "bbureau", "区局督察", "bureau", None, None, password,
                  False, now_ms, now_ms))
    by_squad: dict[str, list[str]] = {}
    for user in users[:LIAISONS]:
        by_squad.setdefault(str(user[4]), []).append(str(user[0]))
    assignments = []
    holder: dict[str, list[str]] = {}
    for n, community in enumerate(communities):
        people = by_squad[community[1]]
        chosen = {people[n % len(people)]}
        if n % 3 == 0:
            chosen.add(people[(n + 1) % len(people)])
        holder[community[0]] = sorted(chosen)
        assignments += [(u, community[0], now_ms) for u in sorted(chosen)]
    return {"squads": squads, "communities": communities, "users": users,
            "assignments": assignments, "holder": holder}


def _year(org: dict[str, Any], *, end_ms: int) -> Batch:
    batch = Batch()
    start_ms = end_ms - 365 * 24 * 3600 * 1000
    day_ms = 24 * 3600 * 1000
    communities = [c[0] for c in org["communities"]]
    for _ in range(VISITS):
        community = random.choice(communities)
        user = random.choice(org["holder"][community])
        day = start_ms + random.randrange(365) * day_ms
        day -= (day + SHANGHAI) % day_ms  # midnight in Shanghai
        start = day + random.randint(8 * 60, 15 * 60) * 60_000
        length = random.choice([45, 90, 120, 130, 150, 180, 200, 240]) * 60_000
        visit = _add(batch, kind="visit", community=community, user=user, at_ms=start, fields={
            "started_at": _iso(start), "ended_at": _iso(start + length), "purpose": "走访",
            "gps_in": {"lat": 31.2 + random.random() / 50, "lon": 121.4 + random.random() / 50}})
        if random.random() < 0.5:
            _add(batch, kind="patrol_finding", community=community, user=user,
                 at_ms=start + 20 * 60_000, fields={"category": random.choice(CATEGORIES),
                                                    "description": "楼道堆放杂物",
                                                    "visit_id": visit})
        if random.random() < 0.2:
            _add(batch, kind="publicity_event", community=community, user=user,
                 at_ms=start + 40 * 60_000, fields={"form": "topical", "topic": "垃圾分类宣传",
                                                    "visit_id": visit})
        if random.random() < 0.15:
            _add(batch, kind="suggestion", community=community, user=user,
                 at_ms=start + 50 * 60_000, fields={"content": "建议增加宣传栏",
                                                    "visit_id": visit})
    for _ in range(CASES):
        community = random.choice(communities)
        user = random.choice(org["holder"][community])
        at = start_ms + random.randrange(365 * day_ms)
        stage = random.choices(STAGES, weights=[5, 5, 10, 10, 20, 50])[0]
        case = _add(batch, kind="case", community=community, user=user, at_ms=at, fields={
            "title": "居民反映" + random.choice(CATEGORIES), "category": random.choice(CATEGORIES),
            "source": random.choice(SOURCES), "status": stage, "reopen_count": 0},
            received_ms=at + 60_000)
        actions = ["accept", "contact", "resolve", "feedback", "close"][
            :max(1, STAGES.index(stage))]
        for n, action in enumerate(actions, start=1):
            step_at = at + n * random.randint(1, 48) * 3600 * 1000
            fields: dict[str, Any] = {"case_id": case, "action": action, "at": _iso(step_at)}
            if action == "feedback":
                fields |= {"channel": "phone", "content": "已电话告知处理结果"}
            _add(batch, kind="case_step", community=community, user=user, at_ms=step_at,
                 fields=fields)
    return batch


async def seed(dsn: str, *, end_ms: int, seed_value: int = 2026) -> dict[str, int]:
    random.seed(seed_value)
    org = _organisation(end_ms)
    batch = _year(org, end_ms=end_ms)
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            await conn.copy_records_to_table("squads", records=org["squads"], columns=[
                "id", "name", "area_type", "sort_order"])
            await conn.copy_records_to_table("communities", records=org["communities"], columns=[
                "id", "squad_id", "name", "address_keywords", "created_ms"])
            await conn.copy_records_to_table("users", records=org["users"], columns=[
                "id", "username", "name", "role", "squad_id", "phone", "password_hash",
                "disabled", "created_ms", "updated_ms"])
            await conn.copy_records_to_table("assignments", records=org["assignments"],
                                             columns=["user_id", "community_id", "assigned_ms"])
            await conn.copy_records_to_table("assignment_periods", records=org["assignments"],
                                             columns=["user_id", "community_id", "from_ms"])
            await conn.execute("CREATE TEMP TABLE r_in (id text, kind text, community_id text, "
                               "version bigint, fields text, field_meta text, created_by text, "
                               "created_ms bigint, updated_ms bigint, clock_suspect bool)")
            await conn.copy_records_to_table("r_in", records=batch.records)
            await conn.execute("INSERT INTO records SELECT id, kind, community_id, version, "
                               "fields::jsonb, field_meta, created_by, created_ms, "
                               "updated_ms, clock_suspect FROM r_in")
            await conn.execute("CREATE TEMP TABLE m_in (id text, user_id text, device_id text, "
                               "seq bigint, hlc text, kind text, record_id text, "
                               "community_id text, base_version bigint, fields text, "
                               "status text, error_code text, error_message text, "
                               "error_field text, received_ms bigint, "
                               "device_offset_ms bigint, app_version text)")
            await conn.copy_records_to_table("m_in", records=batch.mutations)
            await conn.execute("INSERT INTO mutations SELECT id, user_id, device_id, seq, hlc, "
                               "kind, record_id, community_id, base_version, fields, "
                               "status, error_code, error_message, error_field, "
                               "received_ms, device_offset_ms, app_version "
                               "FROM m_in")
            # The year's versions as one claim, and the sequence past them (migration 0011).
            await conn.execute("INSERT INTO version_claims (first_version, last_version,"
                               " max_hlc) VALUES (1, $1, '')", batch.version)
            await conn.execute("SELECT setval('record_versions', $1)", batch.version)
        # Hint bits and the visibility map, as a long-running database would have them.
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    kinds: dict[str, int] = {}
    for row in batch.records:
        kinds[row[1]] = kinds.get(row[1], 0) + 1
    return {"records": len(batch.records), **kinds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True, help="a migrated, empty PostgreSQL database")
    args = parser.parse_args()
    started = time.perf_counter()
    end_ms = int(datetime.now(UTC).timestamp() * 1000)
    counts = asyncio.run(seed(args.db.replace("+asyncpg", ""), end_ms=end_ms))
    print(f"seeded in {time.perf_counter() - started:.1f} s: {counts}")


if __name__ == "__main__":
    main()
