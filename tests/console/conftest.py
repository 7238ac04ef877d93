"""Console fixtures: a logged-in browser-like client per role (session cookie + CSRF)."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import AsyncTestClient

from tests.databases import DEMO_PASSWORD

CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "no CSRF field in the page"
    return match.group(1)


async def console_login(client: AsyncTestClient[Any], username: str, *,
                        password: str = DEMO_PASSWORD) -> Any:
    """Log in through the form like a browser; returns the login POST's response."""
    client.cookies.clear()
    page = await client.get("/console/login")
    token = csrf_from(page.text)
    return await client.post("/console/login", data={
        "username": username, "password": password, "_csrf_token": token},
        follow_redirects=False)


async def csrf_token(client: AsyncTestClient[Any], *, page_url: str = "/console/login") -> str:
    """The CSRF token a console form of this client's session carries."""
    token = client.cookies.get("csrftoken")
    if token is None:
        token = csrf_from((await client.get(page_url)).text)
    return token


async def post_form(client: AsyncTestClient[Any], url: str, data: dict[str, str], *,
                    page_url: str = "/console/login") -> Any:
    """POST a console form with the CSRF token a page of the console carries."""
    token = await csrf_token(client, page_url=page_url)
    return await client.post(url, data={**data, "_csrf_token": token}, follow_redirects=False)


async def open_session_for(client: AsyncTestClient[Any], username: str, *, now_ms: int) -> str:
    """A console session opened in the store directly, past the login's checks."""
    from sync.db.engine import make_engine, write_transaction
    from sync.http.deps import services
    from sync.store import console_sessions, org

    # An engine of this event loop's own: the app's runs in the test client's.
    engine = make_engine(services(client.app.state).settings.database_url)
    try:
        async with write_transaction(engine) as conn:
            user = await org.get_user(conn, username)
            return await console_sessions.open_session(conn, user_id=user.id, now_ms=now_ms)
    finally:
        await engine.dispose()
