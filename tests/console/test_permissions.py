"""Every console URL × every role, and no login: a squad leader asking for another squad's
log, case or export gets 404 and never its data; liaisons and strangers get nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from sync.clock import ManualClock
from sync.console import session as sessions
from tests.console.conftest import console_login, csrf_from, open_session_for
from tests.console.scenario import DAY, synced_day

WEEK = "2026-11-23"
OK, GONE, DENIED, LOGIN = 200, 404, 403, 303
SECRETS = ("张伟", "小区门口占道经营", "3号楼楼道堆放纸箱")

# (method, url template, kind): "open" pages any supervisor may read, "scoped" ones that
# name something of squad 华阳路 (sq-hy), "admin" pages.
URLS: list[tuple[str, str, str]] = [
    ("GET", "/console/", "home"),
    ("GET", "/console/duty-log?day={day}", "open"),
    ("GET", "/console/compliance", "open"),
    ("GET", "/console/compliance/export", "open"),
    ("GET", "/console/ledger", "open"),
    ("GET", "/console/ledger/export", "open"),
    ("GET", "/console/record-book", "open"),
    ("GET", "/console/property", "open"),
    ("GET", "/console/review", "open"),
    ("GET", "/console/charts", "open"),
    ("GET", "/console/duty-log?day={day}&squad=sq-hy", "scoped"),
    ("GET", "/console/duty-log/{zhang}/{day}", "scoped"),
    ("GET", "/console/compliance?squad=sq-hy", "scoped"),
    ("GET", "/console/compliance/export?squad=sq-hy", "scoped"),
    ("GET", "/console/compliance/visits?community=c-hy-01&week={week}", "scoped"),
    ("GET", "/console/ledger?community=c-hy-02", "scoped"),
    ("GET", "/console/ledger/export?community=c-hy-02", "scoped"),
    ("GET", "/console/ledger/{case}", "scoped"),
    ("GET", "/console/record-book/c-hy-02", "scoped"),
    ("GET", "/console/record-book/c-hy-02/export", "scoped"),
    ("GET", "/console/property/pc-hy-01", "scoped"),
    ("POST", "/console/duty-log/{zhang}/{day}/review", "scoped"),
    ("POST", "/console/ledger/{case}/reopen", "scoped"),
    ("POST", "/console/review/conflicts/no-such-conflict/resolve", "missing"),
    ("POST", "/console/review/rejected/no-such-mutation/handled", "missing"),
    ("GET", "/console/admin/users", "admin"),
    ("GET", "/console/admin/communities", "admin"),
    ("GET", "/console/admin/communities/c-hy-01/card", "admin"),
    ("POST", "/console/admin/users/liaison04", "admin"),
    ("POST", "/console/admin/communities/c-hy-03/card", "admin"),
    ("POST", "/console/admin/users", "admin"),
]

FORMS = {
    "/review": {"state": "approved"}, "/reopen": {"stage": "accepted"},
    "/resolve": {"choose": "winner"}, "/handled": {"note": "x"}, "/liaison04": {"action": "enable"},
    "/card": {"liaison_name": "刘洋", "phone": "13800000004"},
    "/console/admin/users": {"username": "newuser", "name": "新人", "role": "liaison",
                             "squad_id": "sq-hy", "password": "Newpassword2026"},
}


def expected(role: str, method: str, kind: str) -> set[int]:
    supervisor = role in ("leader01", "leader02", "bureau01")
    if role in ("anonymous", "liaison01"):
        return {LOGIN} if role == "anonymous" or kind == "home" else {DENIED}
    if kind == "home":
        return {LOGIN}
    if kind == "admin":
        return {OK, LOGIN} if role == "admin" else {DENIED}
    if not supervisor:
        return {DENIED}
    if kind == "missing":
        return {GONE}
    if kind == "scoped" and role == "leader02":
        return {GONE}
    return {LOGIN} if method == "POST" else {OK}


def _form(url: str) -> dict[str, str]:
    return next((v for k, v in FORMS.items() if url.endswith(k)), {})


async def _as(client: AsyncTestClient[Any], role: str, now: int) -> None:
    client.cookies.clear()
    if role == "anonymous":
        return
    if role == "liaison01":
        # A liaison cannot log in to the console; even a genuine session opened for one
        # behind the login's back is refused.
        session_id = await open_session_for(client, "liaison01", now_ms=now)
        client.cookies.set(sessions.COOKIE, session_id, path="/")
        client.cookies.set(sessions.CSRF_COOKIE, sessions.csrf_token(
            session_id, key="test-secret-key"), path="/")
        return
    assert (await console_login(client, role)).status_code == 303


@pytest.mark.parametrize("role", ["anonymous", "liaison01", "leader01", "leader02", "bureau01",
                                  "admin"])
async def test_every_console_url_for_every_role(
        demo_client: AsyncTestClient[Any], clock: ManualClock, role: str) -> None:
    day = await synced_day(demo_client, clock)
    await console_login(demo_client, "leader01")
    html = (await demo_client.get(f"/console/duty-log?day={DAY}")).text
    match = re.search(r'data-liaison="liaison01">\s*<td><a href="/console/duty-log/([^/]+)/', html)
    assert match
    names = {"day": DAY, "week": WEEK, "zhang": match.group(1), "case": day.case_id}
    csrf = csrf_from((await demo_client.get("/console/login")).text)
    await _as(demo_client, role, clock.now_ms())
    failures = []
    for method, template, kind in URLS:
        url = template.format(**names)
        if method == "GET":
            response = await demo_client.get(url, follow_redirects=False)
        else:
            if demo_client.cookies.get("csrftoken") is None:
                demo_client.cookies.set("csrftoken", csrf)
            token = demo_client.cookies.get("csrftoken") or csrf
            response = await demo_client.post(url, data={**_form(url), "_csrf_token": token},
                                              follow_redirects=False)
        allowed = expected(role, method, kind)
        if response.status_code not in allowed:
            failures.append(f"{method} {url}: {response.status_code}, expected {allowed}")
        if response.status_code in (LOGIN, DENIED, GONE):
            location = response.headers.get("location", "")
            if role in ("anonymous",) and response.status_code == LOGIN:
                assert location.startswith("/console/login"), url
        if role in ("leader02", "anonymous", "liaison01", "admin") and kind != "admin":
            body = response.content.decode("utf-8", "replace")
            leaked = [s for s in SECRETS if s in body] + (
                [day.case_id] if day.case_id in body else [])
            if leaked:
                failures.append(f"{method} {url} leaked {leaked}")
    assert not failures, "\n".join(failures)


async def test_another_squads_export_holds_none_of_this_squads_cases(
        demo_client: AsyncTestClient[Any], clock: ManualClock) -> None:
    import io

    from openpyxl import load_workbook

    day = await synced_day(demo_client, clock)
    await console_login(demo_client, "leader02")
    book = load_workbook(io.BytesIO((await demo_client.get("/console/ledger/export")).content))
    assert all(day.case_id not in (row[0] or "") for row in
               book.worksheets[0].iter_rows(values_only=True))
    await console_login(demo_client, "bureau01")
    book = load_workbook(io.BytesIO((await demo_client.get("/console/ledger/export")).content))
    assert [r[0] for r in book.worksheets[0].iter_rows(min_row=2, values_only=True)] == [
        day.case_id]
