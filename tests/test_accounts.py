"""Accounts against an attacker (issue 15, findings 9 and 10): unknown usernames cost
what wrong passwords cost, one address cannot spray passwords over many usernames, an
admin can lift a lockout, usernames follow one rule, and an unknown squad is a clear
refusal — on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import argon2
import pytest
from litestar.testing import AsyncTestClient

from sync.clock import ManualClock
from sync.domain import passwords
from sync.domain.lockout import MAX_ADDRESS_FAILURES, WINDOW_MS
from sync.domain.roles import Role
from sync.errors import DomainError
from sync.services import auth as auth_module
from sync.services.auth import AuthService
from tests.conftest import DEMO_PASSWORD

WRONG = "Wrong-password-1"
SERVER_DUMMY_HASH = passwords._DUMMY_HASH  # read at import, before any fixture swaps it


async def _login(client: AsyncTestClient[Any], username: str, password: str) -> Any:
    return await client.post("/api/v1/auth/login", json={
        "username": username, "password": password, "device_id": "tab-07"})


async def test_an_unknown_username_costs_one_password_verification_like_a_wrong_password(
        demo_client: AsyncTestClient[Any], auth_service: AuthService,
        monkeypatch: pytest.MonkeyPatch) -> None:
    verified: list[str | None] = []
    real = auth_module.verify_password

    def counting(password_hash: str | None, password: str) -> bool:
        verified.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(auth_module, "verify_password", counting)
    await auth_service.set_disabled("liaison04", disabled=True, by="test", source="test")
    for username in ("liaison01", "nobody-here", "liaison04", "x\x01y", "n" * 300):
        verified.clear()
        response = await _login(demo_client, username, WRONG)
        assert response.status_code in (400, 401), response.text
        if response.status_code == 401:
            assert response.json()["error"]["code"] == "invalid_credentials"
            assert len(verified) == 1, username


def test_the_dummy_hash_has_the_parameters_of_every_new_hash() -> None:
    # The unknown user's verification then takes as long as a real one. (The suite swaps
    # in a cheap dummy, tests/conftest.py; this is the server's own.)
    dummy = argon2.extract_parameters(SERVER_DUMMY_HASH)
    assert dummy == argon2.extract_parameters(passwords.hash_password("Fresh-wording-2027"))


async def test_one_address_trying_many_usernames_is_throttled(
        demo_client: AsyncTestClient[Any]) -> None:
    for n in range(MAX_ADDRESS_FAILURES):
        # Never five on one username: the per-username lockout alone would not stop this.
        response = await _login(demo_client, f"sprayed{n:02d}", WRONG)
        assert response.status_code == 401
    refused = await _login(demo_client, "liaison01", DEMO_PASSWORD)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"


async def test_the_address_throttle_is_per_address_and_ends_with_its_window(
        auth_service: AuthService, clock: ManualClock) -> None:
    async def attempt(username: str, password: str, address: str) -> str:
        try:
            await auth_service.login(username=username, password=password, device_id="d-1",
                                     device_name=None, source=address)
        except DomainError as exc:
            return exc.code
        return "ok"

    for n in range(MAX_ADDRESS_FAILURES):
        assert await attempt(f"liaison0{n % 4 + 1}" if n < 16 else f"ghost{n}", WRONG,
                             "203.0.113.9") in ("invalid_credentials", "locked")
    assert await attempt("leader01", DEMO_PASSWORD, "203.0.113.9") == "rate_limited"
    assert await attempt("leader01", DEMO_PASSWORD, "198.51.100.7") == "ok"
    clock.advance(seconds=WINDOW_MS // 1000)
    assert await attempt("leader02", DEMO_PASSWORD, "203.0.113.9") == "ok"


async def test_the_console_login_is_throttled_by_address_with_a_chinese_page(
        demo_client: AsyncTestClient[Any]) -> None:
    from tests.console.conftest import console_login

    for n in range(MAX_ADDRESS_FAILURES):
        await _login(demo_client, f"sprayed{n:02d}", WRONG)
    response = await console_login(demo_client, "leader01")
    assert response.status_code == 429
    assert "请求过于频繁" in response.text
    assert "workroom_console=" not in response.headers.get("set-cookie", "")


async def test_an_admin_unlocks_a_locked_user_from_the_console_and_it_is_audited(
        demo_client: AsyncTestClient[Any], auth_service: AuthService) -> None:
    from sync.db.engine import read_transaction
    from sync.store import audit
    from tests.console.conftest import console_login, post_form

    for _ in range(5):
        await _login(demo_client, "liaison02", WRONG)
    assert (await _login(demo_client, "liaison02", DEMO_PASSWORD)).status_code == 429
    await console_login(demo_client, "admin")
    page = (await demo_client.get("/console/admin/users")).text
    assert 'value="unlock"' in page
    response = await post_form(demo_client, "/console/admin/users/liaison02",
                               {"action": "unlock"}, page_url="/console/admin/users")
    assert response.status_code == 303
    assert (await _login(demo_client, "liaison02", DEMO_PASSWORD)).status_code == 200
    async with read_transaction(auth_service.engine) as conn:
        events = await audit.recent(conn, limit=20)
    unlocked = next(e for e in events if e["action"] == "user_unlocked")
    assert unlocked["actor"] == "admin" and unlocked["target"] == "liaison02"


@pytest.mark.parametrize("username", ["nul\x00name", "bell\x07", "tab\tname", "with space",
                                      "张伟", "a", "x" * 41, "trailing\n"])
async def test_a_username_outside_the_rule_is_refused(
        auth_service: AuthService, username: str) -> None:
    with pytest.raises(DomainError) as refused:
        await auth_service.add_user(username=username, name="某人", role=Role.LIAISON,
                                    squad_id="sq-hy", phone=None, password="Fresh-wording-2027",
                                    by="test", source="test")
    assert refused.value.code == "invalid_body" and refused.value.field == "username"
    assert "用户名" in refused.value.message


async def test_the_admin_page_refuses_a_username_outside_the_rule_with_a_page(
        demo_client: AsyncTestClient[Any]) -> None:
    from tests.console.conftest import console_login, post_form

    await console_login(demo_client, "admin")
    response = await post_form(demo_client, "/console/admin/users", {
        "username": "bad name", "name": "某人", "role": "liaison", "squad_id": "sq-hy",
        "password": "Fresh-wording-2027"}, page_url="/console/admin/users")
    assert response.status_code == 400
    assert "用户名" in response.text


async def test_a_role_change_to_an_unknown_squad_is_a_clear_refusal(
        demo_client: AsyncTestClient[Any], auth_service: AuthService) -> None:
    from tests.console.conftest import console_login, post_form

    with pytest.raises(DomainError) as refused:
        await auth_service.set_role("liaison01", role=Role.SQUAD_LEADER, squad_id="sq-nowhere",
                                    by="test", source="test")
    assert refused.value.code == "unknown_squad" and refused.value.http_status == 400
    assert "sq-nowhere" in refused.value.message
    await console_login(demo_client, "admin")
    response = await post_form(demo_client, "/console/admin/users/liaison01", {
        "action": "role", "role": "squad_leader", "squad_id": "sq-nowhere"},
        page_url="/console/admin/users")
    assert response.status_code == 400
    assert "找不到中队" in response.text
