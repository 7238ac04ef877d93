"""The authorization matrix: every route of the app × every role × an object in the user's
scope and one of another squad's (and no login at all).

The routes come from the app's routing table, so a route added without a line in TABLE
fails the first test, and a line left for a route that is gone fails it too. Each line
says who may use the route, how to name an object in the asker's scope (squad 华阳路,
sq-hy: the scope of liaison01 and leader01) and the same object of squad 江苏路 (sq-js),
and a body just valid enough that what answers is the access check, not the CSRF guard
or a validation error. The second test sends every request as every role and holds the
answers to the policy: a refusal (401, 403, 404, or the console's redirect to its login
page) wherever it refuses, no refusal wherever it allows, never a 5xx, and never a word
of squad 江苏路's data in what a liaison, leader01 or a stranger is shown.

Roles log in through the real login routes: the API's ``/api/v1/auth/login`` for the
bearer token, the console's login form for its session; nothing is forged.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncEngine

from sync.clock import ManualClock
from sync.db.engine import read_transaction
from sync.http.app import create_app
from sync.settings import Settings
from sync.store import evaluation as evaluation_store
from sync.store import org
from tests.conftest import login
from tests.console.conftest import console_login, csrf_token
from tests.databases import DEMO_PASSWORD
from tests.reference_client import Device

ANONYMOUS, LIAISON, LEADER, BUREAU, ADMIN = (
    "anonymous", "liaison", "squad_leader", "bureau", "admin")
ROLES = (ANONYMOUS, LIAISON, LEADER, BUREAU, ADMIN)
USERNAMES = {LIAISON: "liaison01", LEADER: "leader01", BUREAU: "bureau01", ADMIN: "admin"}
# Roles whose scope is part of the district: another squad's object is not theirs.
SCOPED = frozenset({LIAISON, LEADER})

PUBLIC = frozenset(ROLES)
ANY_USER = PUBLIC - {ANONYMOUS}
SUPERVISORS = frozenset({LEADER, BUREAU})
QR_MANAGERS = frozenset({LEADER, ADMIN})
QR_READERS = frozenset({LEADER, BUREAU, ADMIN})
CONSOLE_USERS = frozenset({LEADER, BUREAU, ADMIN})  # liaisons cannot log in to the console
ONLY_ADMIN = frozenset({ADMIN})
ONLY_BUREAU = frozenset({BUREAU})

DAY, WEEK, PERIOD = "2026-11-28", "2026-11-23", "2026-Q4"
REFUSALS = frozenset({401, 403, 404})

# How a route names something of a scope.
NONE = "none"  # nothing: asked once, as is
OBJECT = "object"  # an object, by path, query or body: another scope's is refused
FILTER = "filter"  # a filter: another scope's answers, with nothing of that scope


@dataclass(frozen=True)
class Objects:
    """What requests name, all in one squad: the fields of a route's templates (``{o.…}``)."""

    squad: str
    community: str
    company: str
    liaison: str  # the user id of a liaison of the squad
    case: str  # a case record (also the evaluation's evidence record)
    conflict: str
    rejected: str  # a rejected mutation's id
    code: str  # an active QR code
    spare: str  # a QR code the matrix revokes and replaces
    token: str  # a resident's tracking token
    blob: str  # the sha256 of a photo attached to the case
    score: str  # a reviewer's score of the community
    secrets: tuple[str, ...] = ()  # text only this squad's people may see


@dataclass(frozen=True)
class Rule:
    """Who may use one route (method + path), and how to ask it."""

    who: frozenset[str]
    url: str  # formatted with o (Objects) and n (a number unique to the request)
    scope: str = NONE
    form: dict[str, str] | None = None  # a console or resident form (the CSRF token added)
    json: Callable[[Asking], Any] | None = None
    files: Callable[[Fixtures], dict[str, Any]] | None = None
    content: Callable[[Fixtures, Objects], bytes] | None = None
    # Statuses that also count as "allowed", each with its reason in the table.
    also_ok: frozenset[int] = frozenset()
    # The request ends or starts a session: sent with a fresh login, in a cookie jar
    # thrown away afterwards, so the role's own session lives on.
    fresh: bool = False
    # Success is a redirect to the login page (logging out).
    lands_on_login: bool = False
    # For a 200 that answers per item (a push): True refused, False done, None neither.
    verdict: Callable[[httpx.Response], bool | None] | None = None
    optional: bool = False  # mounted only in some builds (the PWA's files)


@dataclass(frozen=True)
class Asking:
    """One request's context: the objects it names, a number of its own, who sends it."""

    o: Objects
    n: int
    device: str
    username: str


def _push(ask: Asking) -> Any:
    return {"mutations": [{
        "id": str(uuid.uuid4()), "seq": 1, "hlc": f"1795827600000:00000:{ask.device}",
        "kind": "case", "record_id": str(uuid.uuid4()), "community_id": ask.o.community,
        "fields": {"title": "楼道堆物", "category": "乱堆物", "source": "patrol"}}]}


def _pushed(response: httpx.Response) -> bool | None:
    [result] = response.json()["results"]
    if result["status"] == "applied":
        return False
    return True if result.get("error", {}).get("code") == "forbidden" else None


def _login_body(ask: Asking) -> Any:
    return {"username": ask.username, "password": DEMO_PASSWORD,
            "device_id": f"matrix-{ask.n}"}


# One 12345 order whose address matches no community: a person maps it.
WORK_ORDERS = ("工单编号,诉求类型,受理时间,事发地址,所属街镇,问题分类,诉求内容,承办单位,"
               "办理状态,满意度\n"
               "WR-MATRIX-1,求助,2026-11-20 10:00:00,上海市长宁区某某路1号,华阳路街道,"
               "城市管理-市容环境-乱堆物,楼下堆物,长宁区城管执法局,处理中,\n").encode()

# One line per route and method: the app's routing table must match these keys exactly.
TABLE: dict[tuple[str, str], Rule] = {
    # --- the API: bearer tokens --------------------------------------------------------
    ("POST", "/api/v1/auth/login"): Rule(PUBLIC, "/api/v1/auth/login", json=_login_body,
                                         fresh=True),
    ("POST", "/api/v1/auth/logout"): Rule(ANY_USER, "/api/v1/auth/logout", fresh=True),
    ("GET", "/api/v1/me"): Rule(ANY_USER, "/api/v1/me"),
    ("POST", "/api/v1/sync/push"): Rule(
        ANY_USER - {ADMIN}, "/api/v1/sync/push", OBJECT, json=_push, fresh=True,
        verdict=_pushed),
    ("GET", "/api/v1/sync/pull"): Rule(ANY_USER, "/api/v1/sync/pull"),
    ("GET", "/api/v1/conflicts"): Rule(SUPERVISORS, "/api/v1/conflicts"),
    # 409: resolved already, by a role asked before (the check of scope comes first).
    ("POST", "/api/v1/conflicts/{conflict_id:str}/resolve"): Rule(
        SUPERVISORS, "/api/v1/conflicts/{o.conflict}/resolve", OBJECT,
        json=lambda ask: {"choose": "winner"}, also_ok=frozenset({409})),
    ("GET", "/api/v1/rejected"): Rule(SUPERVISORS, "/api/v1/rejected"),
    # Asked before the PUT below: whoever has uploaded the bytes may read them.
    ("GET", "/api/v1/blobs/{sha256:str}"): Rule(
        ANY_USER - {ADMIN}, "/api/v1/blobs/{o.blob}", OBJECT),
    ("PUT", "/api/v1/blobs/{sha256:str}"): Rule(
        ANY_USER, "/api/v1/blobs/{o.blob}", content=lambda f, o: f.photos[o.blob]),
    ("POST", "/api/v1/blobs/missing"): Rule(ANY_USER, "/api/v1/blobs/missing",
                                            json=lambda ask: {"hashes": [ask.o.blob]}),
    ("GET", "/api/v1/schema"): Rule(PUBLIC, "/api/v1/schema"),
    ("GET", "/healthz"): Rule(PUBLIC, "/healthz"),
    # Liaisons have no part in the registry: refused, as in the console (/console/qr).
    ("GET", "/api/v1/qr/codes"): Rule(QR_READERS, "/api/v1/qr/codes?community_id="
                                      "{o.community}", FILTER),
    ("POST", "/api/v1/qr/codes"): Rule(
        QR_MANAGERS, "/api/v1/qr/codes", OBJECT,
        json=lambda ask: {"community_id": ask.o.community, "placement": f"{ask.n}号楼门厅"}),
    ("POST", "/api/v1/qr/codes/{code:str}/revoke"): Rule(
        QR_MANAGERS, "/api/v1/qr/codes/{o.spare}/revoke", OBJECT),
    ("POST", "/api/v1/qr/codes/{code:str}/replace"): Rule(
        QR_MANAGERS, "/api/v1/qr/codes/{o.spare}/replace", OBJECT),
    ("GET", "/api/v1/qr/codes/{code:str}/image/{fmt:str}"): Rule(
        QR_READERS, "/api/v1/qr/codes/{o.code}/image/svg", OBJECT),
    ("GET", "/api/v1/qr/posters"): Rule(QR_READERS, "/api/v1/qr/posters?community_id="
                                        "{o.community}", OBJECT),
    ("GET", "/api/v1/qr/figures"): Rule(QR_READERS, "/api/v1/qr/figures?community_id="
                                        "{o.community}", FILTER),
    ("GET", "/api/schema"): Rule(PUBLIC, "/api/schema"),
    ("GET", "/api/schema/openapi.json"): Rule(PUBLIC, "/api/schema/openapi.json"),
    ("GET", "/api/schema/swagger"): Rule(PUBLIC, "/api/schema/swagger"),
    ("GET", "/api/schema/oauth2-redirect.html"): Rule(PUBLIC, "/api/schema/oauth2-redirect.html"),
    # Litestar's catch-all for the document's other renderings: none is configured.
    ("GET", "/api/schema/{path:str}"): Rule(PUBLIC, "/api/schema/openapi.yaml",
                                            also_ok=frozenset({404})),
    # --- residents' pages: knowing the code or the token is the capability --------------
    ("GET", "/r/{code:str}"): Rule(PUBLIC, "/r/{o.code}", FILTER),
    ("POST", "/r/{code:str}"): Rule(PUBLIC, "/r/{o.code}", FILTER, form={
        "category": "乱堆物", "description": "楼道里堆了很多纸箱", "phone": ""}),
    ("GET", "/r/t/{token:str}"): Rule(PUBLIC, "/r/t/{o.token}", FILTER),
    # 409: feedback waits until the case is closed; the form was read and checked.
    ("POST", "/r/t/{token:str}/feedback"): Rule(
        PUBLIC, "/r/t/{o.token}/feedback", FILTER,
        form={"outcome": "solved", "satisfaction": "5", "comment": ""},
        also_ok=frozenset({409})),
    # --- the PWA ---------------------------------------------------------------------
    ("GET", "/"): Rule(PUBLIC, "/"),
    # 503: this checkout has no PWA build (client-pwa/dist); with one, its files are served.
    ("GET", "/app"): Rule(PUBLIC, "/app/", also_ok=frozenset({503}), optional=True),
    ("GET", "/app/{file_path:path}"): Rule(PUBLIC, "/app/index.html", optional=True),
    ("HEAD", "/app/{file_path:path}"): Rule(PUBLIC, "/app/index.html", optional=True),
    # --- the console: its session ----------------------------------------------------
    ("GET", "/console/login"): Rule(PUBLIC, "/console/login"),
    # Each role logs in as itself (a stranger as bureau01): a liaison is refused.
    ("POST", "/console/login"): Rule(PUBLIC - {LIAISON}, "/console/login", fresh=True,
                                     form={"username": "{u}", "password": DEMO_PASSWORD}),
    ("POST", "/console/logout"): Rule(PUBLIC, "/console/logout", fresh=True, form={},
                                      lands_on_login=True),
    ("GET", "/console/static/{file_path:path}"): Rule(PUBLIC, "/console/static/console.css"),
    ("HEAD", "/console/static/{file_path:path}"): Rule(PUBLIC, "/console/static/console.css"),
    ("GET", "/console"): Rule(CONSOLE_USERS, "/console/"),
    ("GET", "/console/duty-log"): Rule(SUPERVISORS, "/console/duty-log?day=" + DAY
                                       + "&squad={o.squad}", OBJECT),
    ("GET", "/console/duty-log/{liaison_id:str}/{day:str}"): Rule(
        SUPERVISORS, "/console/duty-log/{o.liaison}/" + DAY, OBJECT),
    ("POST", "/console/duty-log/{liaison_id:str}/{day:str}/review"): Rule(
        SUPERVISORS, "/console/duty-log/{o.liaison}/" + DAY + "/review", OBJECT,
        form={"state": "approved", "comment": ""}),
    ("GET", "/console/compliance"): Rule(SUPERVISORS, "/console/compliance?squad={o.squad}",
                                         OBJECT),
    ("GET", "/console/compliance/visits"): Rule(
        SUPERVISORS, "/console/compliance/visits?community={o.community}&week=" + WEEK,
        OBJECT),
    ("GET", "/console/compliance/export"): Rule(
        SUPERVISORS, "/console/compliance/export?squad={o.squad}", OBJECT),
    ("GET", "/console/ledger"): Rule(SUPERVISORS, "/console/ledger?community={o.community}",
                                     OBJECT),
    ("GET", "/console/ledger/export"): Rule(
        SUPERVISORS, "/console/ledger/export?community={o.community}", OBJECT),
    ("GET", "/console/ledger/{case_id:str}"): Rule(SUPERVISORS, "/console/ledger/{o.case}",
                                                   OBJECT),
    ("POST", "/console/ledger/{case_id:str}/reopen"): Rule(
        SUPERVISORS, "/console/ledger/{o.case}/reopen", OBJECT,
        form={"stage": "accepted", "note": "复查"}),
    ("GET", "/console/record-book"): Rule(SUPERVISORS, "/console/record-book"),
    ("GET", "/console/record-book/{community_id:str}"): Rule(
        SUPERVISORS, "/console/record-book/{o.community}", OBJECT),
    ("GET", "/console/record-book/{community_id:str}/export"): Rule(
        SUPERVISORS, "/console/record-book/{o.community}/export", OBJECT),
    ("GET", "/console/property"): Rule(SUPERVISORS, "/console/property"),
    ("GET", "/console/property/{company_id:str}"): Rule(
        SUPERVISORS, "/console/property/{o.company}", OBJECT),
    ("GET", "/console/review"): Rule(SUPERVISORS, "/console/review"),
    # 409: resolved already, by a role asked before (the check of scope comes first).
    ("POST", "/console/review/conflicts/{conflict_id:str}/resolve"): Rule(
        SUPERVISORS, "/console/review/conflicts/{o.conflict}/resolve", OBJECT,
        form={"choose": "winner"}, also_ok=frozenset({409})),
    ("POST", "/console/review/rejected/{mutation_id:str}/handled"): Rule(
        SUPERVISORS, "/console/review/rejected/{o.rejected}/handled", OBJECT,
        form={"note": "已核实"}),
    ("GET", "/console/charts"): Rule(SUPERVISORS, "/console/charts"),
    # --- the console's administration: admins only, over the whole district ----------
    ("GET", "/console/admin/users"): Rule(ONLY_ADMIN, "/console/admin/users"),
    ("POST", "/console/admin/users"): Rule(ONLY_ADMIN, "/console/admin/users", form={
        "username": "matrix{n}", "name": "新人", "role": "liaison", "squad_id": "sq-hy",
        "password": "Quiet-Harbour-Lantern-2026"}),
    ("POST", "/console/admin/users/{username:str}"): Rule(
        ONLY_ADMIN, "/console/admin/users/liaison04", form={"action": "enable"}),
    ("GET", "/console/admin/communities"): Rule(ONLY_ADMIN, "/console/admin/communities"),
    ("GET", "/console/admin/communities/{community_id:str}/card"): Rule(
        ONLY_ADMIN, "/console/admin/communities/{o.community}/card"),
    ("POST", "/console/admin/communities/{community_id:str}/card"): Rule(
        ONLY_ADMIN, "/console/admin/communities/c-hy-03/card",
        form={"liaison_name": "刘洋", "phone": "13800000004"}),
    ("POST", "/console/admin/communities/import"): Rule(
        ONLY_ADMIN, "/console/admin/communities/import",
        files=lambda f: {"file": ("组织.xlsx", f.org_template)}),
    ("GET", "/console/admin/communities/template"): Rule(ONLY_ADMIN,
                                                         "/console/admin/communities/template"),
    ("POST", "/console/admin/companies/{company_id:str}/unlink"): Rule(
        ONLY_ADMIN, "/console/admin/companies/pc-hy-03/unlink", form={"community_id": "c-hy-03"}),
    # --- the QR registry in the console ----------------------------------------------
    ("GET", "/console/qr"): Rule(QR_READERS, "/console/qr?community_id={o.community}", FILTER),
    ("POST", "/console/qr/codes"): Rule(QR_MANAGERS, "/console/qr/codes", OBJECT, form={
        "community_id": "{o.community}", "placement": "{n}号楼门厅"}),
    ("POST", "/console/qr/codes/{code:str}/{action:str}"): Rule(
        QR_MANAGERS, "/console/qr/codes/{o.spare}/revoke", OBJECT, form={}),
    ("GET", "/console/qr/codes/{code:str}/image/{fmt:str}"): Rule(
        QR_READERS, "/console/qr/codes/{o.code}/image/svg", OBJECT),
    ("GET", "/console/qr/poster"): Rule(QR_READERS, "/console/qr/poster?community_id="
                                        "{o.community}", OBJECT),
    # --- the evaluation pages: squad leaders see their squad, the bureau decides -------
    ("GET", "/console/evaluation/assessment"): Rule(
        SUPERVISORS, "/console/evaluation/assessment?period=" + PERIOD),
    ("GET", "/console/evaluation/assessment/export"): Rule(
        SUPERVISORS, "/console/evaluation/assessment/export?period=" + PERIOD),
    ("GET", "/console/evaluation/assessment/{community_id:str}"): Rule(
        SUPERVISORS, "/console/evaluation/assessment/{o.community}?period=" + PERIOD, OBJECT),
    ("POST", "/console/evaluation/scores"): Rule(SUPERVISORS, "/console/evaluation/scores",
                                                 OBJECT, form={
        "period": PERIOD, "community_id": "{o.community}", "criterion_id": "satisfaction",
        "points": "3", "note": "测评材料齐全"}),
    ("POST", "/console/evaluation/scores/{score_id:str}/contest"): Rule(
        SUPERVISORS, "/console/evaluation/scores/{o.score}/contest", OBJECT,
        form={"reason": "材料不全"}),
    ("POST", "/console/evaluation/nominations"): Rule(
        ONLY_BUREAU, "/console/evaluation/nominations", form={"period": PERIOD}),
    ("GET", "/console/evaluation/records/{record_id:str}"): Rule(
        SUPERVISORS, "/console/evaluation/records/{o.case}", OBJECT),
    ("GET", "/console/evaluation/appraisal"): Rule(
        SUPERVISORS, "/console/evaluation/appraisal?period=" + PERIOD),
    ("GET", "/console/evaluation/appraisal/export"): Rule(
        SUPERVISORS, "/console/evaluation/appraisal/export?period=" + PERIOD),
    ("GET", "/console/evaluation/diversion"): Rule(
        SUPERVISORS, "/console/evaluation/diversion?period=" + PERIOD),
    ("GET", "/console/evaluation/diversion/export"): Rule(
        SUPERVISORS, "/console/evaluation/diversion/export?period=" + PERIOD),
    ("GET", "/console/evaluation/work-orders"): Rule(SUPERVISORS,
                                                     "/console/evaluation/work-orders"),
    ("POST", "/console/evaluation/work-orders/import"): Rule(
        ONLY_BUREAU, "/console/evaluation/work-orders/import",
        files=lambda f: {"file": ("12345.csv", WORK_ORDERS, "text/csv")}),
    ("POST", "/console/evaluation/work-orders/{order_no:str}/map"): Rule(
        SUPERVISORS, "/console/evaluation/work-orders/WR-MATRIX-1/map", OBJECT,
        form={"community_id": "{o.community}"}),
}


def routes_of(app: Litestar) -> set[tuple[str, str]]:
    """Every (method, path) the app answers, from its routing table."""
    return {(method, route.path) for route in app.routes
            for method in getattr(route, "methods", ()) if method != "OPTIONS"}


def test_the_table_names_every_route_of_the_app_and_no_other(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db",
                        secret_key="test-secret-key")
    routes = routes_of(create_app(settings))
    unlisted = sorted(routes - TABLE.keys())
    gone = sorted(key for key, rule in TABLE.items() if key not in routes and not rule.optional)
    assert not unlisted, f"routes with no line in TABLE (who may use them?): {unlisted}"
    assert not gone, f"lines in TABLE for routes the app no longer has: {gone}"


# --- the matrix ----------------------------------------------------------------------------

@dataclass
class Session:
    """What one role holds: its bearer token and its browser's cookies (console session,
    CSRF cookie), both from the real login routes."""

    role: str
    device: str
    headers: dict[str, str]
    cookies: httpx.Cookies
    csrf: str


@dataclass
class Fixtures:
    own: Objects
    other: Objects
    photos: dict[str, bytes]
    org_template: bytes
    sessions: dict[str, Session] = field(default_factory=dict)


def _photo(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2, 2), colour).save(out, format="PNG")
    return out.getvalue()


async def _log_in(http: AsyncTestClient[Any], role: str, device: str) -> Session:
    headers: dict[str, str] = {}
    http.cookies.clear()
    if role == ANONYMOUS:
        await http.get("/console/login")
    else:
        username = USERNAMES[role]
        headers = await login(http, username, device_id=device)
        console = await console_login(http, username)
        assert console.status_code == (403 if role == LIAISON else 303), console.text
    token = await csrf_token(http)
    return Session(role=role, device=device, headers=headers,
                   cookies=httpx.Cookies(http.cookies), csrf=token)


async def _bureau_console(http: AsyncTestClient[Any], url: str, data: dict[str, str], *,
                          files: dict[str, Any] | None = None) -> httpx.Response:
    await console_login(http, "bureau01")
    return await http.post(url, data={**data, "_csrf_token": await csrf_token(http)},
                           files=files, follow_redirects=False)


async def _squad(http: AsyncTestClient[Any], clock: ManualClock, engine: AsyncEngine, *,
                 squad: str, writer: str, second: str, tag: str,
                 colour: tuple[int, int, int]) -> tuple[Objects, bytes]:
    """A squad's objects, written through the API and the console as its people would."""
    community, company = f"c-{squad}-01", f"pc-{squad}-01"
    one = Device(http, f"{writer}-matrix", wall_clock=clock.now_ms)
    two = Device(http, f"{second}-matrix", wall_clock=clock.now_ms)
    await one.login(writer, DEMO_PASSWORD)
    await two.login(second, DEMO_PASSWORD)
    case = one.write("case", community, {"title": f"{tag}机密案件", "category": "乱堆物",
                                         "source": "patrol", "status": "closed",
                                         "reopen_count": 0})
    await one.sync()
    await two.pull()
    one.write("case", community, {"location": f"{tag}机密冲突甲"}, record_id=case["record_id"])
    clock.advance(seconds=1)
    two.write("case", community, {"location": f"{tag}机密冲突乙"}, record_id=case["record_id"])
    await two.sync()
    await one.sync()
    refused = one.write("case", community, {"title": f"{tag}机密退回", "category": "乱堆物",
                                            "source": "no-such-source"})
    await one.push()
    assert one.results[refused["id"]]["status"] == "rejected"

    photo = _photo(colour)
    sha = hashlib.sha256(photo).hexdigest()
    put = await http.put(f"/api/v1/blobs/{sha}", content=photo, headers=one.headers)
    assert put.status_code in (200, 201), put.text
    one.write("attachment", community, {"parent_kind": "case", "parent_id": case["record_id"],
                                        "sha256": sha, "media_type": "image/png"})
    await one.sync()

    admin = await login(http, "admin", device_id="setup-admin")
    code, spare = [(await http.post("/api/v1/qr/codes", headers=admin, json={
        "community_id": community, "placement": placement})).json()["code"]
        for placement in ("大门口", "东门")]
    http.cookies.clear()
    form = await http.get(f"/r/{code}")
    report = await http.post(f"/r/{code}", data={
        "category": "乱堆物", "description": "楼道里堆了纸箱", "phone": "",
        "_csrf_token": await csrf_token(http, page_url=f"/r/{code}")}, follow_redirects=False)
    assert form.status_code == 200 and report.status_code == 303, report.text
    token = report.headers["location"].split("/r/t/")[1].split("?")[0]

    scored = await _bureau_console(http, "/console/evaluation/scores", {
        "period": PERIOD, "community_id": community, "criterion_id": "satisfaction",
        "points": "2", "note": f"{tag}机密评分"})
    assert scored.status_code == 303, scored.text
    async with read_transaction(engine) as conn:
        liaison = (await org.find_user(conn, writer)).id  # type: ignore[union-attr]
        [score] = [s.id for s in await evaluation_store.manual_scores(conn, PERIOD)
                   if s.community_id == community]
    conflicts = (await http.get("/api/v1/conflicts", headers=await login(
        http, "bureau01", device_id="setup-bureau01"))).json()["conflicts"]
    [conflict] = [c["id"] for c in conflicts if c["community_id"] == community]
    objects = Objects(
        squad=f"sq-{squad}", community=community, company=company, liaison=liaison,
        case=case["record_id"], conflict=conflict, rejected=refused["id"], code=code,
        spare=spare, token=token, blob=sha, score=score,
        secrets=(f"{tag}机密", code, conflict, refused["id"], case["record_id"]))
    return objects, photo


async def _fixtures(http: AsyncTestClient[Any], clock: ManualClock,
                    engine: AsyncEngine) -> Fixtures:
    own, own_photo = await _squad(http, clock, engine, squad="hy", writer="liaison01",
                                  second="liaison02", tag="华阳路", colour=(200, 10, 10))
    other, other_photo = await _squad(http, clock, engine, squad="js", writer="liaison03",
                                      second="bureau01", tag="江苏路", colour=(10, 10, 200))
    imported = await _bureau_console(
        http, "/console/evaluation/work-orders/import", {},
        files={"file": ("12345.csv", WORK_ORDERS, "text/csv")})
    assert imported.status_code == 303, imported.text
    await console_login(http, "admin")
    template = await http.get("/console/admin/communities/template")
    assert template.status_code == 200
    found = Fixtures(own=own, other=other, photos={own.blob: own_photo,
                                                   other.blob: other_photo},
                     org_template=template.content)
    for role in ROLES:
        found.sessions[role] = await _log_in(http, role, f"matrix-{role}")
    return found


def _text_of(response: httpx.Response) -> str:
    """What a person would read in the answer, workbooks included."""
    media_type = response.headers.get("content-type", "")
    if "spreadsheetml" in media_type:
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(str(cell) for sheet in book.worksheets
                         for row in sheet.iter_rows(values_only=True) for cell in row
                         if cell is not None)
    if media_type.startswith("image/png"):
        return ""
    return response.content.decode("utf-8", "replace")


def _verdict(rule: Rule, response: httpx.Response) -> bool | None:
    """True when the answer refuses, False when it does what was asked, None for neither
    (a validation error the table does not name)."""
    status = response.status_code
    if status in rule.also_ok:
        return False
    if status in REFUSALS:
        return True
    if response.is_redirect:
        location = httpx.URL(response.headers.get("location", ""))
        return location.path == "/console/login" and not rule.lands_on_login
    if rule.verdict is not None and status == 200:
        return rule.verdict(response)
    return None if status >= 400 else False


def _allowed(rule: Rule, role: str, variant: str) -> bool:
    if role not in rule.who:
        return False
    return not (variant == "other" and rule.scope == OBJECT and role in SCOPED)


async def _send(http: AsyncTestClient[Any], found: Fixtures, session: Session, method: str,
                rule: Rule, ask: Asking) -> tuple[str, httpx.Response]:
    url = rule.url.format(o=ask.o, n=ask.n)
    kwargs: dict[str, Any] = {"headers": session.headers, "follow_redirects": False}
    if rule.form is not None or rule.files is not None:
        kwargs["data"] = {**{k: v.format(o=ask.o, n=ask.n, u=ask.username)
                             for k, v in (rule.form or {}).items()},
                          "_csrf_token": session.csrf}
    if rule.files is not None:
        kwargs["files"] = rule.files(found)
    if rule.json is not None:
        kwargs["json"] = rule.json(ask)
    if rule.content is not None:
        kwargs["content"] = rule.content(found, ask.o)
    http.cookies = session.cookies
    response = await http.request(method, url, **kwargs)
    if not rule.fresh:
        session.cookies = httpx.Cookies(http.cookies)
    sent = {k: v for k, v in kwargs.get("data", {}).items() if k != "_csrf_token"}
    return f"{method} {url} {sent or kwargs.get('json') or ''}".strip(), response


async def test_no_role_gets_what_the_policy_refuses_and_each_gets_what_it_allows(
        demo_client: AsyncTestClient[Any], clock: ManualClock, engine: AsyncEngine) -> None:
    http = demo_client
    found = await _fixtures(http, clock, engine)
    mounted = routes_of(http.app)
    numbers = itertools.count(1)
    failures: list[str] = []
    shown_to_bureau: set[str] = set()
    # Requests that end or start a session go last, each with a login of its own.
    order = sorted(((key, rule) for key, rule in TABLE.items() if key in mounted),
                   key=lambda item: item[1].fresh)
    for role in ROLES:
        for (method, _), rule in order:
            variants = [("own", found.own)]
            if rule.scope in (OBJECT, FILTER):
                variants.append(("other", found.other))
            for variant, objects in variants:
                session = found.sessions[role]
                if rule.fresh:
                    session = await _log_in(http, role, f"matrix-{role}-{next(numbers)}")
                asked, response = await _send(http, found, session, method, rule, Asking(
                    o=objects, n=next(numbers), device=session.device,
                    username=USERNAMES.get(role, "bureau01")))
                where = f"{role} ({variant}): {asked} -> {response.status_code}"
                refused = _verdict(rule, response)
                if response.status_code >= 500 and response.status_code not in rule.also_ok:
                    failures.append(f"{where}: a server error")
                elif refused is None:
                    failures.append(f"{where}: neither done nor refused")
                elif refused and _allowed(rule, role, variant):
                    failures.append(f"{where}: refused, but the policy allows it")
                elif not refused and not _allowed(rule, role, variant):
                    failures.append(f"{where}: done, but the policy refuses it")
                text = _text_of(response)
                if role == BUREAU:
                    shown_to_bureau.update(s for s in found.other.secrets if s in text)
                elif role != ADMIN:
                    leaked = [s for s in found.other.secrets if s in text and s not in asked]
                    if leaked:
                        failures.append(f"{where}: shows squad sq-js's {leaked}")
    assert not failures, "\n".join(failures)
    # The look for leaks is not idle: the bureau, who may see sq-js, was shown each secret.
    assert shown_to_bureau == set(found.other.secrets)
