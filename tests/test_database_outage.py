"""The database drops a connection or is out of reach: a push runs again on a fresh
connection, and what cannot run answers 503 in its own shape, never a 500 (issue 15)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import AsyncTestClient
from sqlalchemy import event

from sync.clock import ManualClock
from sync.db.engine import make_engine
from sync.http.app import create_app
from sync.settings import Settings
from tests.databases import pg_execute
from tests.sync.helpers import device, new_case, push_raw

pytestmark = pytest.mark.parametrize("backend", ["postgresql"])


async def test_a_connection_terminated_mid_push_is_retried_and_the_push_applies_once(
        demo_client: AsyncTestClient, clock: ManualClock, seeded: Settings) -> None:
    phone = await device(demo_client, clock, "liaison01")
    engine = demo_client.app.state.services.engine  # type: ignore[attr-defined]
    killed: list[int] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def terminate_once(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if not killed and "outbox" in statement.lower():
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            killed.append(pid)
            pg_execute(f"SELECT pg_terminate_backend({pid})")

    try:
        phone.write("case", "c-hy-01", new_case())
        # One request, not the client's retrying push: the server itself runs it again.
        body = await push_raw(demo_client, phone, phone.outbox)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", terminate_once)
    assert killed, "the push's connection was terminated"
    assert [r["status"] for r in body["results"]] == ["applied"]
    own = make_engine(seeded.database_url)
    try:
        async with own.connect() as conn:
            count = (await conn.execute(sa.text(
                "SELECT count(*) FROM mutations WHERE user_id = :u"),
                {"u": phone.user["id"]})).scalar()
    finally:
        await own.dispose()
    assert count == 1


async def test_a_database_out_of_reach_is_a_503_with_the_error_body_or_a_chinese_page(
        tmp_path: Path, backend: str) -> None:
    settings = Settings(data_dir=tmp_path / "data", secret_key="test-secret-key",
                        database_url="postgresql+asyncpg://postgres@127.0.0.1:1/nowhere")
    app = create_app(settings, clock=ManualClock(0))
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1") as client:
        response = await client.post("/api/v1/auth/login", json={
            "username": "liaison01", "password": "Workroom2026", "device_id": "dev-1"})
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "unavailable"
        assert response.headers["retry-after"]
        page = await client.get("/console/ledger", follow_redirects=False)
        assert page.status_code in (303, 503), page.text
        if page.status_code == 503:
            assert "text/html" in page.headers["content-type"]
        resident = await client.get("/r/ABCDEFGH")
        assert resident.status_code == 503
        assert "text/html" in resident.headers["content-type"]
        assert "稍后再试" in resident.text
