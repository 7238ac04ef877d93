"""Login, lockout, tokens and scope in /me — on SQLite and PostgreSQL."""

from __future__ import annotations

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from sync.clock import ManualClock
from sync.db.engine import read_transaction
from sync.services.auth import AuthService
from sync.store import audit
from tests.conftest import DEMO_PASSWORD, login


async def _login(client: AsyncTestClient, username: str, password: str) -> tuple[int, dict]:
    response = await client.post("/api/v1/auth/login", json={
        "username": username, "password": password, "device_id": "tab-07"})
    return response.status_code, response.json()


async def test_login_returns_token_and_user(demo_client: AsyncTestClient) -> None:
    status, body = await _login(demo_client, "liaison01", DEMO_PASSWORD)
    assert status == 200
    assert body["user"]["name"] == "张伟"
    assert body["user"]["role"] == "liaison"
    assert body["user"]["squad_id"] == "sq-hy"
    assert len(body["token"]) >= 32
    assert body["expires_at"].endswith("Z")


async def test_a_nul_character_in_a_login_is_a_bad_request_not_a_server_error(
        demo_client: AsyncTestClient) -> None:
    for body in ({"username": "liaison01\x00", "password": DEMO_PASSWORD},
                 {"username": "liaison01", "password": DEMO_PASSWORD,
                  "device_name": "平板\x00"}):
        response = await demo_client.post("/api/v1/auth/login",
                                          json={"device_id": "tab-07", **body})
        assert response.status_code == 400, response.text
        assert response.json()["error"]["code"] == "invalid_body"


async def test_wrong_password_and_unknown_user_look_the_same(
        demo_client: AsyncTestClient) -> None:
    wrong = await _login(demo_client, "liaison01", "Wrong-password-1")
    unknown = await _login(demo_client, "nobody", "Wrong-password-1")
    assert wrong[0] == unknown[0] == 401
    assert wrong[1]["error"]["code"] == unknown[1]["error"]["code"] == "invalid_credentials"


async def test_five_failures_lock_the_username_until_the_window_passes(
        demo_client: AsyncTestClient, clock: ManualClock) -> None:
    for _ in range(5):
        assert (await _login(demo_client, "liaison01", "Wrong-password-1"))[0] == 401
        clock.advance(seconds=30)
    status, body = await _login(demo_client, "liaison01", DEMO_PASSWORD)
    assert status == 429
    assert body["error"]["code"] == "locked"
    # Another username is not affected.
    assert (await _login(demo_client, "liaison02", DEMO_PASSWORD))[0] == 200
    clock.advance(minutes=13)  # the first failure is now > 15 minutes old
    assert (await _login(demo_client, "liaison01", DEMO_PASSWORD))[0] == 200


async def test_a_success_resets_the_failure_count(
        demo_client: AsyncTestClient, clock: ManualClock) -> None:
    for _ in range(4):
        await _login(demo_client, "liaison01", "Wrong-password-1")
    assert (await _login(demo_client, "liaison01", DEMO_PASSWORD))[0] == 200
    for _ in range(4):
        await _login(demo_client, "liaison01", "Wrong-password-1")
    assert (await _login(demo_client, "liaison01", DEMO_PASSWORD))[0] == 200


async def test_logout_ends_the_token(demo_client: AsyncTestClient) -> None:
    headers = await login(demo_client, "liaison01")
    assert (await demo_client.get("/api/v1/me", headers=headers)).status_code == 200
    assert (await demo_client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    response = await demo_client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


async def test_token_lasts_a_week_offline_but_expires(
        demo_client: AsyncTestClient, clock: ManualClock) -> None:
    headers = await login(demo_client, "liaison01")
    clock.advance(minutes=8 * 24 * 60)
    assert (await demo_client.get("/api/v1/me", headers=headers)).status_code == 200
    clock.advance(minutes=7 * 24 * 60)
    assert (await demo_client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_revoking_and_disabling_end_every_session(
        demo_client: AsyncTestClient, auth_service: AuthService) -> None:
    auth = auth_service
    phone = await login(demo_client, "liaison01", device_id="phone")
    tablet = await login(demo_client, "liaison01", device_id="tablet")
    assert await auth.revoke_tokens("liaison01", by="admin", source="test") == 2
    for headers in (phone, tablet):
        assert (await demo_client.get("/api/v1/me", headers=headers)).status_code == 401

    headers = await login(demo_client, "liaison02")
    await auth.set_disabled("liaison02", disabled=True, by="admin", source="test")
    assert (await demo_client.get("/api/v1/me", headers=headers)).status_code == 401
    assert (await _login(demo_client, "liaison02", DEMO_PASSWORD))[0] == 401


async def test_bad_or_missing_bearer_is_unauthorized(demo_client: AsyncTestClient) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic eDp5"},
                    {"Authorization": "Bearer "}):
        response = await demo_client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"


async def test_me_shows_each_roles_scope(demo_client: AsyncTestClient) -> None:
    async def communities(username: str) -> tuple[str, list[str]]:
        body = (await demo_client.get("/api/v1/me",
                                      headers=await login(demo_client, username))).json()
        return body["user"]["role"], [c["id"] for c in body["communities"]]

    assert await communities("liaison01") == ("liaison", ["c-hy-01", "c-hy-02"])
    assert await communities("liaison02") == ("liaison", ["c-hy-01"])
    assert await communities("liaison03") == ("liaison", ["c-js-01", "c-js-02", "c-js-03"])
    assert await communities("leader01") == ("squad_leader", ["c-hy-01", "c-hy-02", "c-hy-03"])
    role, every = await communities("bureau01")
    assert role == "bureau" and len(every) == 33
    assert await communities("admin") == ("admin", [])


async def test_device_id_must_follow_the_protocol(demo_client: AsyncTestClient) -> None:
    response = await demo_client.post("/api/v1/auth/login", json={
        "username": "liaison01", "password": DEMO_PASSWORD, "device_id": "has space"})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "device_id"


async def test_security_events_are_audited(
        demo_client: AsyncTestClient, auth_service: AuthService, engine: AsyncEngine) -> None:
    for _ in range(5):
        await _login(demo_client, "liaison01", "Wrong-password-1")
    await _login(demo_client, "liaison01", DEMO_PASSWORD)
    await login(demo_client, "liaison02")
    await auth_service.revoke_tokens("liaison02", by="admin", source="cli")
    async with read_transaction(engine) as conn:
        events = await audit.recent(conn, limit=50)
    actions = [e["action"] for e in events]
    assert actions.count("login_failed") == 5
    assert {"lockout", "login_locked", "login", "tokens_revoked", "seed_demo"} <= set(actions)
    failed = next(e for e in events if e["action"] == "login_failed")
    assert failed["actor"] == "liaison01" and failed["source"]
