"""The hostile-text suite (issue 15): one table of nasty strings pushed into every text
field of every kind, and sent through the resident's report form; then every console
page, every export and the resident pages read back as the squad leader and the bureau.
Then the same records are overwritten straight in the database (what an earlier version
may have let in) and everything is read again. 0 × 5xx, 0 formulas, 0 unescaped markup.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from schema.export import export
from sync.clock import ManualClock
from sync.db.engine import make_engine
from sync.domain import text
from sync.settings import Settings
from tests.console.conftest import console_login
from tests.hostile_text import HOSTILE, MARKUP_TELLS, opened, store_hostile_text
from tests.qr.helpers import new_code, submit
from tests.sync.helpers import device, new_case, push_raw

C1 = "c-hy-01"
DAY = "2026-11-28"
AT = "2026-11-28T09:30:00+08:00"
# What the gate must refuse, beyond what the database can hold: a NUL, a line far over
# any field's limit, a value nested deeper than a field's.
PUSHED = (*HOSTILE, "前\x00后", "长" * 10_000, [[[[["深"]]]]])
_PARAM = re.compile(r"\{([^}:]+)(?::[^}]+)?\}")


def text_fields() -> dict[str, list[tuple[str, str]]]:
    return {k["kind"]: [(f["name"], f["type"]) for f in k["fields"]
                        if f["type"] in ("text", "longtext", "text_list")
                        and not f["readonly"]  # the server's own: refused from phones
                        and not f["name"].endswith(("_id", "_kind", "day"))]
            for k in export()["kinds"]}


def one_of_each_kind(phone: Any) -> dict[str, str]:
    """A record of every kind a liaison writes, each child under its parent; the ids."""
    ids: dict[str, str] = {}

    def write(kind: str, fields: dict[str, Any]) -> None:
        ids[kind] = phone.write(kind, C1, fields)["record_id"]

    write("visit", {"started_at": AT, "ended_at": "2026-11-28T11:45:00+08:00",
                    "purpose": "例行走访"})
    write("case", new_case(visit_id=ids["visit"]))
    write("case_step", {"case_id": ids["case"], "action": "note", "note": "已联系"})
    write("patrol_finding", {"category": "乱堆物", "description": "楼道堆物",
                             "visit_id": ids["visit"]})
    write("publicity_event", {"form": "topical", "topic": "垃圾分类",
                              "visit_id": ids["visit"]})
    write("suggestion", {"content": "增设非机动车棚", "visit_id": ids["visit"]})
    write("participation", {"type": "meeting", "visit_id": ids["visit"],
                            "partners": ["居委会"]})
    write("property_inspection", {"property_company_id": "pc-hy-01",
                                  "result": "needs_rectification", "visit_id": ids["visit"]})
    write("inspection_item", {"inspection_id": ids["property_inspection"],
                              "item": "消防通道", "result": "fail"})
    write("rectification", {"inspection_id": ids["property_inspection"],
                            "action_required": "清理通道", "deadline": AT})
    return ids


def fill(path: str, values: dict[str, str]) -> str | None:
    missing = [name for name in _PARAM.findall(path) if name not in values]
    if missing:
        return None
    return _PARAM.sub(lambda m: values[m.group(1)], path)


def get_routes(app: Litestar) -> list[str]:
    return sorted(route.path for route in app.routes
                  if "GET" in (getattr(route, "methods", ()) or ())
                  and route.path.startswith(("/console", "/r/")))


def check_read_back(response: Any, url: str) -> None:
    assert response.status_code < 500, (url, response.status_code, response.text[:300])
    kind = response.headers.get("content-type", "")
    if "spreadsheetml" in kind:
        opened(response)
    elif "html" in kind:
        for tell in MARKUP_TELLS:
            assert tell not in response.text, (url, tell)
        # Not even stored before the gate: no override reorders a page, no control
        # character reaches it.
        assert text.first_forbidden(response.text) is None, url


async def read_everything(client: AsyncTestClient, values: dict[str, str]) -> int:
    """Every console and resident GET page, as the squad leader then the bureau."""
    read = 0
    for username in ("leader01", "bureau01"):
        await console_login(client, username)
        for path in get_routes(client.app):  # type: ignore[arg-type]
            url = fill(path, values)
            if url is None:
                continue
            for query in ("", f"?day={DAY}&community={C1}&period=2026-Q4"):
                response = await client.get(url + query, follow_redirects=False)
                check_read_back(response, url + query)
                read += 1
    return read


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_hostile_text_in_every_field_breaks_no_page_no_export_and_no_queue(
        demo_client: AsyncTestClient, clock: ManualClock, seeded: Settings,
        backend: str) -> None:
    phone = await device(demo_client, clock, "liaison01")
    ids = one_of_each_kind(phone)
    created = await push_raw(demo_client, phone, phone.outbox)
    assert all(r["status"] == "applied" for r in created["results"]), created
    phone.outbox.clear()
    for kind, fields in text_fields().items():
        if kind not in ids:
            continue
        for name, field_type in fields:
            for value in PUSHED:
                phone.write(kind, C1, {name: [value] if field_type == "text_list" else value},
                            record_id=ids[kind])
    body = await push_raw(demo_client, phone, phone.outbox)
    statuses = {r["status"] for r in body["results"]}
    assert statuses <= {"applied", "rejected"}
    assert {r["error"]["code"] for r in body["results"] if r["status"] == "rejected"} <= {
        "invalid_field"}
    assert "applied" in statuses and "rejected" in statuses

    engine = make_engine(seeded.database_url)
    try:
        code = (await new_code(engine, clock, C1)).code
        for value in HOSTILE:
            if isinstance(value, str):
                report = await submit(demo_client, code, description=value, location=value)
                assert report.status_code < 500, report.text[:300]
        values = {"community_id": C1, "liaison_id": phone.user["id"], "day": DAY,
                  "case_id": ids["case"], "company_id": "pc-hy-01", "code": code,
                  "fmt": "png", "file_path": "console.css", "record_id": ids["case"]}
        assert await read_everything(demo_client, values) > 50
        await store_hostile_text(engine)
        assert await read_everything(demo_client, values) > 50
    finally:
        await engine.dispose()
    leader = await device(demo_client, clock, "leader01", "leader-phone")
    rejected = await demo_client.get("/api/v1/rejected?limit=500", headers=leader.headers)
    assert rejected.status_code == 200
    pulled = await demo_client.get("/api/v1/sync/pull", headers=phone.headers)
    assert pulled.status_code == 200
