"""The migrations build every database: up from empty, down to nothing, up again."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from sync.db.all_tables import metadata
from sync.db.engine import make_engine
from sync.db.migrate import downgrade, upgrade
from sync.db.tables import Json, records
from sync.domain.merge import field_writes
from sync.store.upsert import upsert
from tests.databases import Databases, run_blocking


async def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
    finally:
        await engine.dispose()
    return set(names) - {"alembic_version"}


async def _columns(url: str, table: str) -> set[str]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            cols = await conn.run_sync(lambda c: sa.inspect(c).get_columns(table))
    finally:
        await engine.dispose()
    return {c["name"] for c in cols}


def test_migrations_up_from_empty_down_and_up_again(databases: Databases, backend: str) -> None:
    url = databases.empty(backend)
    upgrade(url)
    tables = run_blocking(_tables(url))
    # The migrations and the tables the code uses agree, table by table, column by column.
    assert tables == set(metadata.tables)
    for name, table in metadata.tables.items():
        assert run_blocking(_columns(url, name)) == {c.name for c in table.columns}, name
    downgrade(url, "base")
    assert run_blocking(_tables(url)) == set()
    upgrade(url)
    assert run_blocking(_tables(url)) == set(metadata.tables)


def _records_before_0010() -> sa.Table:
    """``records`` as migrations 0002–0009 left it: field_meta was jsonb on PostgreSQL."""
    return sa.Table("records", sa.MetaData(), *(
        sa.Column(c.name, Json if c.name == "field_meta" else c.type, primary_key=c.primary_key)
        for c in records.columns))


RECORDS_BEFORE_0010 = _records_before_0010()


async def _field_meta(url: str, statement: sa.Executable | None = None) -> object:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            if statement is not None:
                await conn.execute(statement)
            return (await conn.execute(sa.text("SELECT field_meta FROM records"))).scalar_one()
    finally:
        await engine.dispose()


def test_field_meta_is_packed_and_unpacked_by_migration_0007(databases: Databases,
                                                              backend: str) -> None:
    url = databases.empty(backend)
    upgrade(url, "0006")
    stamp = ["0001795827600000:00000:tab-07", "tab-07", "u-1", 3, "m-1"]
    later = ["0001795827600500:00000:tab-09", "tab-09", "u-2", 4, "m-2"]
    old = {"title": stamp, "category": stamp, "location": later}
    run_blocking(_field_meta(url, RECORDS_BEFORE_0010.insert().values(
        id="r-1", kind="case", community_id="c-1", version=4, fields={}, field_meta=old,
        created_by="u-1", created_ms=0, updated_ms=0)))
    upgrade(url)
    packed = run_blocking(_field_meta(url))
    packed = json.loads(packed) if isinstance(packed, str) else packed
    assert packed == [[stamp, later], {"title": 0, "category": 0, "location": 1}]
    assert field_writes(packed)["location"].user_id == "u-2"
    downgrade(url, "0006")
    unpacked = run_blocking(_field_meta(url))
    assert (json.loads(unpacked) if isinstance(unpacked, str) else unpacked) == old



async def _write_and_read_console(url: str, *, status: str, ended_at: str,
                                  table: sa.Table) -> tuple[Any, Any]:
    """Upsert a visit and a case in one statement, as a push saves records; return what
    the console tables then hold for them."""
    rows = [{"id": "v-1", "kind": "visit", "community_id": "c-1", "version": 1,
             "fields": {"started_at": "2026-11-28T09:00:00+08:00", "ended_at": ended_at},
             "field_meta": [[], {}], "created_by": "u-1", "created_ms": 5, "updated_ms": 5},
            {"id": "k-1", "kind": "case", "community_id": "c-1", "version": 2,
             "fields": {"source": "qr", "category": "乱堆物", "status": status},
             "field_meta": [[], {}], "created_by": "u-1", "created_ms": 7, "updated_ms": 7}]
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await upsert(conn, table, rows, key=["id"], update=["version", "fields"])
            visit = (await conn.execute(sa.text(
                "SELECT liaison_id, start_ms, end_ms, voided FROM console_visits"))).one()
            case = (await conn.execute(sa.text(
                "SELECT received_ms, source, category, status FROM console_cases"))).one()
    finally:
        await engine.dispose()
    return tuple(visit), tuple(case)


def test_the_console_tables_follow_inserted_and_updated_records_before_and_after_0008(
        databases: Databases, backend: str) -> None:
    url = databases.empty(backend)
    start_ms = 1795827600000  # 2026-11-28T09:00:00+08:00
    for target in ("head", "0007"):
        if target == "head":
            upgrade(url)
        else:
            downgrade(url, "0007")
        table = records if target == "head" else RECORDS_BEFORE_0010
        # First write inserts both rows; the second updates them.
        assert run_blocking(_write_and_read_console(
            url, status="received", ended_at="2026-11-28T11:00:00+08:00", table=table)) == (
            ("u-1", start_ms, start_ms + 2 * 3600_000, False), (7, "qr", "乱堆物", "received"))
        assert run_blocking(_write_and_read_console(
            url, status="resolved", ended_at="not a time", table=table)) == (
            ("u-1", start_ms, None, False), (7, "qr", "乱堆物", "resolved"))
        # The furthest offset the server accepts (sync/domain/validate.py).
        visit, _ = run_blocking(_write_and_read_console(
            url, status="resolved", ended_at="2026-11-28T11:00:00-14:00", table=table))
        assert visit == ("u-1", start_ms, start_ms + 24 * 3600_000, False)
        if backend == "postgresql":
            # Stored before the server refused it; PostgreSQL reads no offset past 15:59.
            visit, _ = run_blocking(_write_and_read_console(
                url, status="resolved", ended_at="2026-11-28T11:00:00+20:00", table=table))
            assert visit == ("u-1", start_ms, None, False)
        run_blocking(_clear_records(url))


async def _clear_records(url: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            for table in ("console_visits", "console_cases", "records"):
                await conn.execute(sa.text(f"DELETE FROM {table}"))
    finally:
        await engine.dispose()


async def _json_text_columns(url: str) -> tuple[Any, Any]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            meta = (await conn.execute(sa.text("SELECT field_meta FROM records"))).scalar_one()
            fields = (await conn.execute(sa.text("SELECT fields FROM mutations"))).scalar_one()
    finally:
        await engine.dispose()
    return meta, fields


def test_migration_0010_keeps_the_json_of_the_log_and_of_field_meta_both_ways(
        databases: Databases, backend: str) -> None:
    url = databases.empty(backend)
    upgrade(url, "0009")
    stamp = ["0001795827600000:00000:tab-07", "tab-07", "u-1", 3, "m-1"]
    meta = [[stamp], {"title": 0}]
    fields = {"title": "楼道堆物", "n": 2}
    log = sa.table("mutations", *(sa.column(c) for c in (
        "id", "user_id", "device_id", "seq", "hlc", "kind", "record_id", "community_id",
        "base_version", "status", "received_ms")), sa.column("fields", Json))
    run_blocking(_field_meta(url, RECORDS_BEFORE_0010.insert().values(
        id="r-1", kind="case", community_id="c-1", version=1, fields=fields, field_meta=meta,
        created_by="u-1", created_ms=0, updated_ms=0)))
    run_blocking(_field_meta(url, log.insert().values(
        id="m-1", user_id="u-1", device_id="tab-07", seq=1, hlc=stamp[0], kind="case",
        record_id="r-1", community_id="c-1", base_version=0, fields=fields, status="applied",
        received_ms=0)))

    def decoded(value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    upgrade(url)
    stored_meta, logged = run_blocking(_json_text_columns(url))
    assert isinstance(stored_meta, str) and isinstance(logged, str)  # text on both back ends
    assert (decoded(stored_meta), decoded(logged)) == (meta, fields)
    assert field_writes(stored_meta)["title"].mutation_id == "m-1"
    downgrade(url, "0009")
    stored_meta, logged = run_blocking(_json_text_columns(url))
    assert (decoded(stored_meta), decoded(logged)) == (meta, fields)


async def _sql(url: str, *statements: str) -> list[Any]:
    """Run ``statements`` in one transaction; the first row of the last."""
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            for statement in statements:
                result = await conn.execute(sa.text(statement))
            return list(result.one()) if result.returns_rows else []
    finally:
        await engine.dispose()


def test_migration_0011_moves_the_version_counter_to_claims_and_back(
        databases: Databases, backend: str) -> None:
    url = databases.empty(backend)
    upgrade(url, "0010")
    hlc = "0001795827600000:00003:tab-07"
    run_blocking(_sql(url, f"UPDATE sync_state SET version = 41, max_hlc = '{hlc}'"))
    upgrade(url)
    assert run_blocking(_sql(url, "SELECT max(last_version), max(max_hlc) FROM version_claims")
                        ) == [41, hlc]
    if backend == "postgresql":
        # The next versions follow the old counter, and the claim keeps the greater HLC.
        later = "0001795827600000:00004:tab-07"
        assert run_blocking(_sql(url, f"SELECT * FROM claim_versions(3, '{later}')")) == [
            [42, 43, 44], later]
        assert run_blocking(_sql(url, "SELECT max(last_version) FROM version_claims")) == [44]
        expected = [44, later]
    else:
        expected = [41, hlc]
    downgrade(url, "0010")
    assert run_blocking(_sql(url, "SELECT version, max_hlc FROM sync_state")) == expected


def test_migration_0012_opens_a_period_for_every_assignment(databases: Databases,
                                                            backend: str) -> None:
    url = databases.empty(backend)
    upgrade(url, "0011")
    run_blocking(_sql(
        url, "INSERT INTO squads (id, name, area_type, sort_order)"
        " VALUES ('sq-t', 'T', 'street', 0)",
        "INSERT INTO communities (id, squad_id, name, address_keywords, created_ms)"
        " VALUES ('c-t', 'sq-t', 'T', '', 0)",
        "INSERT INTO users (id, username, name, role, password_hash, disabled, created_ms,"
        " updated_ms) VALUES ('u-t', 't', 'T', 'liaison', 'x', false, 0, 0)",
        "INSERT INTO assignments (user_id, community_id, assigned_ms) VALUES ('u-t', 'c-t', 7)"))
    upgrade(url)
    assert run_blocking(_sql(
        url, "SELECT user_id, community_id, from_ms, to_ms FROM assignment_periods")) == [
        "u-t", "c-t", 7, None]


def test_migration_0013_adds_console_sessions_and_attempt_addresses_and_back(
        databases: Databases, backend: str) -> None:
    url = databases.empty(backend)
    upgrade(url, "0012")
    run_blocking(_sql(
        url,
        "INSERT INTO users (id, username, name, role, password_hash, disabled, created_ms,"
        " updated_ms) VALUES ('u-t', 't', 'T', 'bureau', 'x', false, 0, 0)",
        "INSERT INTO login_attempts (username, at_ms, ok) VALUES ('t', 5, false)",
        "INSERT INTO tokens (token_hash, user_id, device_id, created_ms, expires_ms) VALUES"
        " ('h-console', 'u-t', 'console-web', 1, 99999999999999),"
        " ('h-phone', 'u-t', 'phone', 1, 99999999999999)"))
    upgrade(url, "0013")
    assert "console_sessions" in run_blocking(_tables(url))
    assert run_blocking(_sql(url, "SELECT username, address FROM login_attempts")) == ["t", None]
    # The bearer tokens old console logins held end; a phone's do not.
    assert run_blocking(_sql(
        url, "SELECT count(*) FROM tokens WHERE revoked_ms IS NOT NULL")) == [1]
    assert run_blocking(_sql(
        url, "SELECT revoked_ms FROM tokens WHERE device_id = 'phone'")) == [None]
    run_blocking(_sql(url, "INSERT INTO console_sessions (session_hash, user_id, began_ms,"
                           " seen_ms) VALUES ('s-1', 'u-t', 1, 1)"))
    downgrade(url, "0012")
    assert "console_sessions" not in run_blocking(_tables(url))
    assert run_blocking(_columns(url, "login_attempts")) == {"id", "username", "at_ms", "ok"}
    assert run_blocking(_sql(url, "SELECT count(*) FROM login_attempts")) == [1]
    upgrade(url)


def test_migration_0014_makes_uploaders_holders_and_creators_referrers_and_back(
        databases: Databases, backend: str) -> None:
    url = databases.empty(backend)
    upgrade(url, "0013")
    digest = "ab" * 32
    run_blocking(_sql(
        url, "INSERT INTO blobs (sha256, media_type, size, uploaded_by, created_ms)"
        f" VALUES ('{digest}', 'image/jpeg', 3, 'u-1', 5)",
        "INSERT INTO records (id, kind, community_id, version, fields, field_meta, created_by,"
        " created_ms, updated_ms) VALUES ('a-1', 'attachment', 'c-1', 1, '{}', '[[], {}]',"
        " 'u-2', 0, 0)",
        f"INSERT INTO blob_refs (sha256, record_id, community_id) VALUES ('{digest}', 'a-1',"
        " 'c-1')"))
    upgrade(url)
    assert run_blocking(_sql(url, "SELECT sha256, user_id, created_ms FROM blob_holders")) == [
        digest, "u-1", 5]
    assert run_blocking(_sql(url, "SELECT referred_by FROM blob_refs")) == ["u-2"]
    downgrade(url, "0013")
    assert "blob_holders" not in run_blocking(_tables(url))
    assert run_blocking(_columns(url, "blob_refs")) == {"sha256", "record_id", "community_id"}
    assert run_blocking(_sql(url, "SELECT count(*) FROM blob_refs")) == [1]
