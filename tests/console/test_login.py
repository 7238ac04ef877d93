"""Logging in to the console: the session cookie, CSRF, idle expiry, who is let in."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from sync.clock import ManualClock
from tests.console.conftest import console_login, post_form


async def test_a_squad_leader_logs_in_and_gets_an_httponly_samesite_cookie(
        demo_client: AsyncTestClient[Any]) -> None:
    response = await console_login(demo_client, "leader01")
    assert response.status_code == 303
    assert response.headers["location"] == "/console/duty-log"
    cookie = next(v for k, v in response.headers.multi_items()
                  if k == "set-cookie" and v.startswith("workroom_console="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/;" in cookie
    assert "Secure" not in cookie  # plain http here; see test_console_sessions for https
    page = await demo_client.get("/console/duty-log")
    assert page.status_code == 200
    assert "华阳路街道中队" in page.text or "张伟" in page.text


async def test_a_wrong_password_shows_the_form_again_with_a_message(
        demo_client: AsyncTestClient[Any]) -> None:
    response = await console_login(demo_client, "leader01", password="wrong-password1")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text
    assert "workroom_console=" not in response.headers.get("set-cookie", "")


async def test_five_failures_lock_the_console_login_like_the_api(
        demo_client: AsyncTestClient[Any]) -> None:
    for _ in range(5):
        await console_login(demo_client, "leader02", password="wrong-password1")
    response = await console_login(demo_client, "leader02")
    assert response.status_code == 429
    assert "锁定" in response.text


async def test_a_liaison_is_not_let_in(demo_client: AsyncTestClient[Any]) -> None:
    response = await console_login(demo_client, "liaison01")
    assert response.status_code == 403
    assert "/app/" in response.text
    assert (await demo_client.get("/console/duty-log", follow_redirects=False)).status_code == 303


async def test_a_form_without_the_csrf_token_is_refused(
        demo_client: AsyncTestClient[Any]) -> None:
    await demo_client.get("/console/login")
    response = await demo_client.post("/console/login", data={
        "username": "leader01", "password": "Workroom2026"}, follow_redirects=False)
    assert response.status_code == 403
    assert "workroom_console=" not in response.headers.get("set-cookie", "")


async def test_thirty_minutes_idle_end_the_session_but_use_keeps_it_alive(
        demo_client: AsyncTestClient[Any], clock: ManualClock) -> None:
    await console_login(demo_client, "leader01")
    for _ in range(3):
        clock.advance(minutes=20)
        assert (await demo_client.get("/console/ledger")).status_code == 200
    clock.advance(minutes=31)
    response = await demo_client.get("/console/ledger", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/login?next=")


async def test_logging_out_ends_the_session_even_with_a_copied_cookie(
        demo_client: AsyncTestClient[Any]) -> None:
    await console_login(demo_client, "bureau01")
    copied = demo_client.cookies.get("workroom_console")
    response = await post_form(demo_client, "/console/logout", {}, page_url="/console/ledger")
    assert response.status_code == 303
    demo_client.cookies.set("workroom_console", copied or "", path="/")
    after = await demo_client.get("/console/ledger", follow_redirects=False)
    assert after.status_code == 303


async def test_login_only_redirects_back_into_the_console(
        demo_client: AsyncTestClient[Any]) -> None:
    page = await demo_client.get("/console/login?next=https://evil.example/")
    assert "evil.example" not in page.text
