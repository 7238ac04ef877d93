"""Every route, with a forbidden character in its path, its query or its form: a 4xx in
its own shape, never a 5xx (issue 15, finding 7: NUL reached PostgreSQL and failed
there). The routes come from the routing table, so a new one cannot be left out."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import login
from tests.console.conftest import console_login, csrf_token

HOSTILE = ["%00", "%01", "%1B", "%E2%80%AE"]  # NUL, SOH, ESC, RIGHT-TO-LEFT OVERRIDE
_PARAM = re.compile(r"\{([^}:]+)(?::[^}]+)?\}")


def query_names(app: Litestar) -> list[str]:
    """Every parameter name a handler takes: each may be a query parameter."""
    names = {"q"}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            names |= set(handler.parsed_fn_signature.parameters)
    return sorted(names - {"request", "session", "viewer", "admin", "actor", "scope"})


def routes(app: Litestar) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        for method in sorted(getattr(route, "methods", ()) or ()):
            if method in ("GET", "POST", "PUT"):
                found.append((method, route.path))
    return found


def fill(path: str, value: str) -> str:
    return _PARAM.sub(lambda _: f"a{value}b", path)


def assert_refused_in_shape(response: Any, path: str) -> None:
    assert response.status_code < 500, (path, response.status_code, response.text[:300])
    if response.status_code < 400:
        return
    kind = response.headers.get("content-type", "")
    if path.startswith(("/console", "/r/")):
        assert "text/html" in kind, (path, kind)
        assert "{\"error\"" not in response.text
    elif path.startswith("/api/v1"):
        assert set(response.json()) == {"error"}, path
        assert {"code", "message"} <= set(response.json()["error"]), path


async def logged_in(client: AsyncTestClient, username: str) -> dict[str, str]:
    await console_login(client, username)
    return await login(client, username, device_id=f"{username}-desk")


@pytest.mark.parametrize("username", ["bureau01", "admin"])
async def test_a_forbidden_character_anywhere_in_a_request_is_a_clear_refusal(
        demo_client: AsyncTestClient, username: str) -> None:
    app: Litestar = demo_client.app  # type: ignore[assignment]
    bearer = await logged_in(demo_client, username)
    token = await csrf_token(demo_client, page_url="/console")
    refused = 0
    names = query_names(app)
    for method, path in routes(app):
        headers = bearer if path.startswith("/api/") else {}
        for hostile in HOSTILE:
            query = "&".join(f"{name}=x{hostile}" for name in names)
            targets = [path + "?" + query, *([fill(path, hostile)] if "{" in path else [])]
            for url in targets:
                if method == "GET":
                    response = await demo_client.get(url, headers=headers)
                elif path.startswith("/api/"):
                    response = await demo_client.request(method, url, headers=headers,
                                                         content=b"{}")
                else:
                    response = await demo_client.request(
                        method, url, headers=headers, follow_redirects=False,
                        data={"_csrf_token": token, "note": f"x{hostile}".replace(
                            "%00", "\x00").replace("%01", "\x01").replace("%1B", "\x1b")
                            .replace("%E2%80%AE", "\u202e")})
                assert_refused_in_shape(response, path)
                refused += response.status_code == 400
    assert refused > 100, "the gate answered, not each handler in its own way"


async def test_a_nul_in_a_console_form_field_is_a_chinese_page_and_changes_nothing(
        demo_client: AsyncTestClient) -> None:
    await console_login(demo_client, "admin")
    token = await csrf_token(demo_client, page_url="/console/admin/users")
    response = await demo_client.post("/console/admin/users", data={
        "_csrf_token": token, "username": "bad\x00name", "name": "张三", "role": "liaison",
        "password": "Qz7-correct-horse-battery"}, follow_redirects=False)
    assert response.status_code == 400
    assert "text/html" in response.headers["content-type"]
    assert "特殊字符" in response.text
    users = await demo_client.get("/console/admin/users")
    # No such user row (the page's CSRF tokens are hex, which may spell "bad").
    assert users.status_code == 200 and 'data-user="admin"' in users.text
    assert 'data-user="bad' not in users.text and "<td>bad" not in users.text


async def test_the_resident_pages_answer_a_nul_with_their_own_page(
        demo_client: AsyncTestClient) -> None:
    response = await demo_client.get("/r/abc%00def")
    assert 400 <= response.status_code < 500
    assert "text/html" in response.headers["content-type"]


async def test_a_parameter_named_only_by_forbidden_characters_gets_no_empty_field(
        demo_client: AsyncTestClient) -> None:
    """Found by the schema fuzzer: the error named the field ``""``."""
    response = await demo_client.get("/api/v1/schema?%C2%8C=x%01")
    assert response.status_code == 400
    assert response.json()["error"].get("field", "?") != ""
