"""The console's server-side session (issue 15, finding 8): the cookie names a session
the server keeps, opens nothing on the API, ends after 30 minutes idle or 12 hours in
all, ends with logout and the administrators' actions, and carries a CSRF token of its
own."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import AsyncTestClient

from sync.clock import ManualClock
from sync.console import session as sessions
from sync.db.engine import make_engine
from sync.domain.roles import Role
from sync.services.auth import AuthService
from sync.settings import Settings
from tests.console.conftest import console_login, post_form


def _bearer_candidates(cookie: str) -> set[str]:
    """The cookie, and every token-like string found in any base64 part of it."""
    found = {cookie}
    for part in cookie.split("."):
        try:
            decoded = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode()
        except ValueError:
            continue
        found |= set(re.findall(r"[A-Za-z0-9_-]{20,}", decoded))
    return found


async def test_the_console_cookie_opens_nothing_on_the_api(
        demo_client: AsyncTestClient[Any]) -> None:
    await console_login(demo_client, "bureau01")
    cookie = demo_client.cookies.get(sessions.COOKIE)
    assert cookie and (await demo_client.get("/console/ledger")).status_code == 200
    for candidate in _bearer_candidates(cookie):
        response = await demo_client.get("/api/v1/me",
                                         headers={"Authorization": f"Bearer {candidate}"})
        assert response.status_code == 401, candidate


async def test_the_session_is_stored_hashed_and_the_login_issues_no_bearer_token(
        demo_client: AsyncTestClient[Any], seeded: Settings) -> None:
    await console_login(demo_client, "leader01")
    cookie = demo_client.cookies.get(sessions.COOKIE) or ""
    engine = make_engine(seeded.database_url)
    try:
        async with engine.connect() as conn:
            stored = (await conn.execute(sa.text(
                "SELECT session_hash FROM console_sessions"))).scalars().all()
            tokens = (await conn.execute(sa.text("SELECT count(*) FROM tokens"))).scalar_one()
    finally:
        await engine.dispose()
    assert stored == [hashlib.sha256(cookie.encode()).hexdigest()]
    assert tokens == 0


async def test_twelve_hours_end_even_a_busy_session(
        demo_client: AsyncTestClient[Any], clock: ManualClock) -> None:
    await console_login(demo_client, "leader01")
    for _ in range(11 * 3 + 2):  # a page every 20 minutes for 11 h 40 min
        clock.advance(minutes=20)
        assert (await demo_client.get("/console/ledger")).status_code == 200
    clock.advance(minutes=20)
    response = await demo_client.get("/console/ledger", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/login")


async def _revoke(auth: AuthService, username: str) -> None:
    await auth.revoke_tokens(username, by="cli", source="cli")


async def _disable(auth: AuthService, username: str) -> None:
    await auth.set_disabled(username, disabled=True, by="cli", source="cli")


async def _passwd(auth: AuthService, username: str) -> None:
    await auth.set_password(username, "Fresh-wording-2027", by="cli", source="cli")


async def _role(auth: AuthService, username: str) -> None:
    await auth.set_role(username, role=Role.BUREAU, squad_id=None, by="cli", source="cli")


@pytest.mark.parametrize("action", [_revoke, _disable, _passwd, _role],
                         ids=["revoke", "disable", "passwd", "role"])
async def test_the_administrators_actions_end_the_console_session_at_once(
        demo_client: AsyncTestClient[Any], seeded: Settings, clock: ManualClock,
        action: Callable[[AuthService, str], Awaitable[None]]) -> None:
    await console_login(demo_client, "leader01")
    assert (await demo_client.get("/console/ledger")).status_code == 200
    engine = make_engine(seeded.database_url)
    try:
        await action(AuthService(engine, clock, token_ttl_days=14), "leader01")
    finally:
        await engine.dispose()
    response = await demo_client.get("/console/ledger", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/login")


async def test_another_sessions_csrf_token_is_refused_even_when_cookie_and_form_agree(
        demo_client: AsyncTestClient[Any]) -> None:
    await console_login(demo_client, "leader02")
    foreign = demo_client.cookies.get(sessions.CSRF_COOKIE) or ""
    await console_login(demo_client, "leader01")
    session_id = demo_client.cookies.get(sessions.COOKIE) or ""
    own = demo_client.cookies.get(sessions.CSRF_COOKIE) or ""
    assert own and foreign and own != foreign
    url = "/console/review/rejected/no-such-mutation/handled"

    async def post_with(token: str) -> int:
        # The attacker plants a genuine, double-submit-valid token as cookie and field.
        demo_client.cookies.clear()
        demo_client.cookies.set(sessions.COOKIE, session_id)
        demo_client.cookies.set(sessions.CSRF_COOKIE, token)
        response = await demo_client.post(url, data={"_csrf_token": token, "note": "x"},
                                          follow_redirects=False)
        return response.status_code

    assert await post_with(foreign) == 403
    assert await post_with(own) == 404  # let through; the mutation is not there


async def test_the_pages_of_a_session_carry_its_own_csrf_token(
        demo_client: AsyncTestClient[Any]) -> None:
    await demo_client.get("/console/login")  # a CSRF cookie from before the login
    before = demo_client.cookies.get(sessions.CSRF_COOKIE)
    await console_login(demo_client, "leader01")
    session_id = demo_client.cookies.get(sessions.COOKIE) or ""
    bound = sessions.csrf_token(session_id, key="test-secret-key")
    assert demo_client.cookies.get(sessions.CSRF_COOKIE) == bound != before
    page = await demo_client.get("/console/ledger")
    assert f'value="{bound}"' in page.text
    response = await post_form(demo_client, "/console/logout", {}, page_url="/console/ledger")
    assert response.status_code == 303
    assert (await demo_client.get("/console/ledger", follow_redirects=False)).status_code == 303


async def test_over_https_the_session_cookie_is_secure(
        seeded: Settings, clock: ManualClock) -> None:
    from sync.http.app import create_app

    app = create_app(seeded, clock=clock)
    async with AsyncTestClient(app=app, base_url="https://127.0.0.1") as client:
        response = await console_login(client, "leader01")
    cookies = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    session_cookie = next(c for c in cookies if c.startswith(f"{sessions.COOKIE}="))
    assert "; Secure" in session_cookie and "HttpOnly" in session_cookie
