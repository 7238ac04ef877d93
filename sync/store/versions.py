"""Versions: claimed without a global lock, read by pulls without skipping a late commit.

Every transaction that stamps versions (a push, a server write, a scope change) claims
them with ``claim``: on PostgreSQL they come from the sequence ``record_versions``, and
the claim — the transaction's id, its first and last version, its greatest HLC — is a
row of ``version_claims`` written in the same transaction (migration 0011). Nothing is
held to commit, so pushes merge and commit side by side; two that write one record wait
for each other on its row lock (store/records.py ``load``), so each record's versions
still grow in commit order, which the conflict check (``base_version``) relies on.

A plain sequence lets a pull skip a change: a transaction that drew a smaller version
commits after a pull has read past it. So a pull reads, in one statement (one snapshot),
the greatest committed claim — ``upto``, as far as it may read — and the transactions in
progress (``in_flight``). Any transaction that drew a version at or below ``upto`` drew
it before that claim was drawn, and had its transaction id by then (``claim_versions``
takes the id first), so it is either visible to the snapshot or in ``in_flight``. The
pull carries those in its cursor and the next pull ``settle``s them: it delivers the
versions the committed ones claimed, and carries the ones still running again.

SQLite has one writer at a time (``BEGIN IMMEDIATE``): it claims the versions after the
greatest claim, which cannot be passed before it commits, and has nothing in flight.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from sync.db.tables import version_claims
from sync.store.upsert import is_postgres

# A run of claimed versions: (first, last), both included.
Claimed = tuple[int, int]


class Horizon(NamedTuple):
    upto: int  # every version at most this is committed, or claimed by ``in_flight``
    max_hlc: str  # the greatest HLC committed
    in_flight: tuple[int, ...]  # transactions (ids) that may commit versions <= upto


async def claim(conn: AsyncConnection, *, count: int, max_hlc: str) -> tuple[list[int], str]:
    """``count`` (> 0) new versions, ascending, for this transaction's writes, and the
    greatest HLC committed or claimed now (``max_hlc`` included)."""
    assert count > 0
    if is_postgres(conn):
        row = (await conn.exec_driver_sql("SELECT * FROM claim_versions($1, $2)",
                                          (count, max_hlc))).one()
        return [int(v) for v in row.versions], str(row.max_hlc)
    last, greatest = (await conn.execute(_LATEST)).one()
    first = int(last) + 1
    await conn.execute(version_claims.insert().values(
        first_version=first, last_version=first + count - 1, max_hlc=max_hlc))
    return list(range(first, first + count)), max(str(greatest), max_hlc)


async def horizon(conn: AsyncConnection) -> Horizon:
    """How far a pull may read now, and the transactions it must come back for."""
    if is_postgres(conn):
        row = (await conn.exec_driver_sql(_HORIZON_PG)).one()
        return Horizon(int(row.upto), str(row.max_hlc), tuple(sorted(row.in_flight)))
    last, greatest = (await conn.execute(_LATEST)).one()
    return Horizon(int(last), str(greatest), ())


async def settle(conn: AsyncConnection, xids: Iterable[int]) -> tuple[list[Claimed], list[int]]:
    """Of the transactions a pull saw in flight: the versions claimed by those that have
    committed since, and the ones still in progress (to carry again).

    The status first: one that commits after it is carried again, and the claims read
    afterwards may show it too (its versions then arrive twice, which is harmless)."""
    wanted = sorted(set(xids))
    if not wanted:
        return [], []
    running = [int(r.xid) for r in await conn.exec_driver_sql(
        "SELECT x AS xid FROM unnest($1::bigint[]) x"
        " WHERE pg_xact_status(x::text::xid8) = 'in progress'", (wanted,))]
    claimed = [(int(r.first_version), int(r.last_version)) for r in await conn.exec_driver_sql(
        "SELECT first_version, last_version FROM version_claims WHERE xid = ANY($1::bigint[])",
        (wanted,))]
    return claimed, running


_LATEST = sa.select(sa.func.coalesce(sa.func.max(version_claims.c.last_version), 0),
                    sa.func.max(version_claims.c.max_hlc))

# One statement, so one snapshot: the claims it sees committed and the transactions it
# sees running are consistent.
_HORIZON_PG = (
    "SELECT (SELECT coalesce(max(last_version), 0) FROM version_claims) AS upto,"
    " (SELECT max(max_hlc) FROM version_claims) AS max_hlc,"
    " ARRAY(SELECT x::text::bigint FROM pg_snapshot_xip(pg_current_snapshot()) x) AS in_flight")
