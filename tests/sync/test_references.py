"""A child names its parent in its own community, or it is rejected ``forbidden``.

Every reference of every kind (schema/kinds.py ``REFS``) × a parent in another scope —
another squad's community, another of the writer's own communities, the same batch, a
later change of the reference — is rejected and applies nothing. A child that arrives
before its parent is accepted (offline order); should the parent then turn out to be
another community's, no reader joins the two. Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.kinds import KINDS, REFS, Ref
from sync.clock import ManualClock
from sync.db.engine import write_transaction
from sync.db.tables import records
from sync.errors import DomainError
from sync.services.server_writes import CONSOLE_DEVICE, ServerWrite, write_records
from sync.store import org
from tests.console.conftest import console_login
from tests.reference_client import Device
from tests.sync.helpers import device, new_case, push_raw

HY1, HY2, JS1 = "c-hy-01", "c-hy-02", "c-js-01"
AT = "2026-11-28T09:00:00+08:00"
# The fields a new record of each kind needs, but its references.
MINIMAL: dict[str, dict[str, Any]] = {
    "visit": {"started_at": AT},
    "patrol_finding": {"category": "乱堆物", "description": "楼道堆物"},
    "case": new_case(),
    "case_step": {"action": "note", "note": "跟进"},
    "publicity_event": {"form": "topical", "topic": "垃圾分类"},
    "suggestion": {"content": "增加充电桩"},
    "participation": {"type": "meeting"},
    "property_inspection": {"property_company_id": "pc-hy-01"},
    "inspection_item": {"item": "waste_sorting", "result": "fail"},
    "rectification": {"action_required": "整改桶站", "deadline": AT},
    "attachment": {"sha256": "ab" * 32, "media_type": "image/jpeg"},
}
# An attachment may belong to a record of any kind the liaisons write.
PHOTO_PARENTS = ("visit", "patrol_finding", "case", "suggestion", "property_inspection")


def _cells() -> list[tuple[str, Ref, str]]:
    """(child kind, reference, parent kind): every reference of every kind."""
    return [(kind, ref, parent) for kind, found in REFS.items() for ref in found
            for parent in ((ref.kind,) if ref.kind else PHOTO_PARENTS)]


def _child(kind: str, ref: Ref, parent_kind: str, parent_id: str) -> dict[str, Any]:
    named = {ref.field: parent_id} | ({ref.kind_field: parent_kind} if ref.kind_field else {})
    return {**MINIMAL[kind], **named}


async def _stored(engine: AsyncEngine, record_id: str) -> dict[str, Any] | None:
    async with engine.connect() as conn:
        row = (await conn.execute(sa.select(records.c.fields).where(
            records.c.id == record_id))).first()
    return None if row is None else dict(row.fields)


def _outcome(body: dict[str, Any], mutation: dict[str, Any]) -> tuple[str, str | None, Any]:
    result = next(r for r in body["results"] if r["id"] == mutation["id"])
    error = result.get("error") or {}
    return result["status"], error.get("code"), error.get("field")


async def _push(client: AsyncTestClient[Any], phone: Device) -> dict[str, Any]:
    body = await push_raw(client, phone, phone.outbox)
    phone.outbox.clear()
    return body


def test_the_matrix_covers_every_reference_of_every_kind() -> None:
    # A new kind or reference field gets its row in MINIMAL, or this fails first.
    assert {kind for kind, _, _ in _cells()} <= MINIMAL.keys()
    assert all(kind in KINDS for kind in MINIMAL)
    assert {(kind, ref.field) for kind, ref, _ in _cells()} == {
        ("patrol_finding", "visit_id"), ("patrol_finding", "case_id"), ("case", "visit_id"),
        ("case_step", "case_id"), ("publicity_event", "visit_id"),
        ("suggestion", "visit_id"), ("participation", "visit_id"),
        ("property_inspection", "visit_id"), ("inspection_item", "inspection_id"),
        ("rectification", "inspection_id"), ("attachment", "parent_id")}


@pytest.mark.parametrize(("kind", "ref", "parent_kind"), _cells(),
                         ids=[f"{k}.{r.field}->{p}" for k, r, p in _cells()])
async def test_a_child_naming_a_parent_in_another_scope_applies_nothing(
        demo_client: AsyncTestClient[Any], clock: ManualClock, engine: AsyncEngine,
        kind: str, ref: Ref, parent_kind: str) -> None:
    zhang = await device(demo_client, clock, "liaison01")  # writes c-hy-01 and c-hy-02
    wang = await device(demo_client, clock, "liaison03")  # squad js
    parent = zhang.write(parent_kind, HY1, MINIMAL[parent_kind])
    own = zhang.write(parent_kind, HY2, MINIMAL[parent_kind])
    assert {r["status"] for r in (await _push(demo_client, zhang))["results"]} == {"applied"}
    pid, own_id = parent["record_id"], own["record_id"]

    refused = [
        # Another squad's record, stored.
        (wang, wang.write(kind, JS1, _child(kind, ref, parent_kind, pid))),
        # Another of the writer's own communities, stored.
        (zhang, zhang.write(kind, HY2, _child(kind, ref, parent_kind, pid))),
    ]
    # In the same batch, after the child: the parent is created, the child is not.
    later = str(uuid.uuid4())
    refused.append((zhang, zhang.write(kind, HY2, _child(kind, ref, parent_kind, later))))
    zhang.write(parent_kind, HY1, MINIMAL[parent_kind], record_id=later)
    # A child of its own community's parent, moved to another community's afterwards.
    kept = zhang.write(kind, HY2, _child(kind, ref, parent_kind, own_id))
    bodies = {id(phone): await _push(demo_client, phone) for phone in (wang, zhang)}
    assert _outcome(bodies[id(zhang)], kept)[0] == "applied"
    assert await _stored(engine, later) is not None
    moved = zhang.write(kind, HY2, {ref.field: pid}, record_id=kept["record_id"])
    refused.append((zhang, moved))
    moved_body = await _push(demo_client, zhang)

    for phone, mutation in refused:
        body = moved_body if mutation is moved else bodies[id(phone)]
        assert _outcome(body, mutation) == ("rejected", "forbidden", ref.field)
        if mutation is not moved:
            assert await _stored(engine, mutation["record_id"]) is None
    assert (await _stored(engine, kept["record_id"]) or {})[ref.field] == own_id


async def test_a_photo_moved_to_another_kind_of_record_is_forbidden(
        demo_client: AsyncTestClient[Any], clock: ManualClock, engine: AsyncEngine) -> None:
    zhang = await device(demo_client, clock, "liaison01")
    visit = zhang.write("visit", HY1, MINIMAL["visit"])
    photo = zhang.write("attachment", HY1, {**MINIMAL["attachment"], "parent_kind": "visit",
                                            "parent_id": visit["record_id"]})
    await _push(demo_client, zhang)
    relabelled = zhang.write("attachment", HY1, {"parent_kind": "case"},
                             record_id=photo["record_id"])
    assert _outcome(await _push(demo_client, zhang), relabelled) == (
        "rejected", "forbidden", "parent_kind")
    assert (await _stored(engine, photo["record_id"]) or {})["parent_kind"] == "visit"


async def test_a_step_naming_a_visit_instead_of_a_case_is_forbidden(
        demo_client: AsyncTestClient[Any], clock: ManualClock) -> None:
    zhang = await device(demo_client, clock, "liaison01")
    visit = zhang.write("visit", HY1, MINIMAL["visit"])
    step = zhang.write("case_step", HY1, {**MINIMAL["case_step"],
                                          "case_id": visit["record_id"]})
    assert _outcome(await _push(demo_client, zhang), step) == (
        "rejected", "forbidden", "case_id")


async def test_another_squads_liaison_cannot_add_a_step_to_a_case_it_never_sees(
        demo_client: AsyncTestClient[Any], clock: ManualClock) -> None:
    # The report: squad js's liaison names squad hy's case from their community.
    zhang = await device(demo_client, clock, "liaison01")
    case = zhang.write("case", HY1, new_case(title="华三楼道堆物"))
    await _push(demo_client, zhang)
    wang = await device(demo_client, clock, "liaison03")
    step = wang.write("case_step", JS1, {"case_id": case["record_id"], "action": "resolve",
                                         "note": "江苏路代为办结"})
    assert _outcome(await _push(demo_client, wang), step) == (
        "rejected", "forbidden", "case_id")
    await console_login(demo_client, "leader01")
    page = await demo_client.get(f"/console/ledger/{case['record_id']}")
    assert page.status_code == 200 and "华三楼道堆物" in page.text
    assert "江苏路代为办结" not in page.text
    # The js squad leader finds it in the rejected-mutation store.
    leader = await device(demo_client, clock, "leader02")
    rejected = (await demo_client.get("/api/v1/rejected", headers=leader.headers)).json()
    assert [(r["id"], r["code"]) for r in rejected["rejected"]] == [(step["id"], "forbidden")]


async def test_a_step_sent_before_a_foreign_case_exists_is_nobodys_in_every_view(
        demo_client: AsyncTestClient[Any], clock: ManualClock, engine: AsyncEngine) -> None:
    # The child arrives first (offline order: accepted); the id it names is then taken by
    # another squad's case. The step must not join that case anywhere.
    wang = await device(demo_client, clock, "liaison03")
    case_id = str(uuid.uuid4())
    step = wang.write("case_step", JS1, {"case_id": case_id, "action": "resolve",
                                         "note": "江苏路抢先办结", "at": AT})
    assert _outcome(await _push(demo_client, wang), step)[0] == "applied"
    zhang = await device(demo_client, clock, "liaison01")
    zhang.write("case", HY1, new_case(title="华三楼道堆物"), record_id=case_id)
    assert {r["status"] for r in (await _push(demo_client, zhang))["results"]} == {"applied"}

    await console_login(demo_client, "leader01")
    page = (await demo_client.get(f"/console/ledger/{case_id}")).text
    assert "华三楼道堆物" in page and "江苏路抢先办结" not in page
    assert 'data-action="resolve"' not in page
    export = load_workbook(io.BytesIO((await demo_client.get("/console/ledger/export")).content))
    cells = {c for sheet in export.worksheets for row in sheet.iter_rows(values_only=True)
             for c in row}
    assert "华三楼道堆物" in cells and "江苏路抢先办结" not in cells
    # Squad js's console shows the step as its liaison's, never hy's case with it.
    await console_login(demo_client, "leader02")
    async with engine.connect() as conn:
        wang_id = (await org.get_user(conn, "liaison03")).id
    log = (await demo_client.get(f"/console/duty-log/{wang_id}/2026-11-28")).text
    assert "江苏路抢先办结" in log and "华三楼道堆物" not in log
    assert case_id not in (await demo_client.get("/console/ledger")).text


async def test_checklist_answers_sent_before_a_foreign_inspection_are_not_its_company_s(
        demo_client: AsyncTestClient[Any], clock: ManualClock) -> None:
    wang = await device(demo_client, clock, "liaison03")
    inspection_id = str(uuid.uuid4())
    wang.write("rectification", JS1, {**MINIMAL["rectification"],
                                      "action_required": "江苏路代为整改",
                                      "inspection_id": inspection_id})
    wang.write("inspection_item", JS1, {"item": "waste_sorting", "result": "fail",
                                        "inspection_id": inspection_id})
    zhang = await device(demo_client, clock, "liaison01")
    zhang.write("property_inspection", HY1, MINIMAL["property_inspection"],
                record_id=inspection_id)
    for phone in (wang, zhang):
        assert {r["status"] for r in (await _push(demo_client, phone))["results"]} == {
            "applied"}
    await console_login(demo_client, "leader01")
    page = (await demo_client.get("/console/property/pc-hy-01")).text
    assert "华三" in page and "江苏路代为整改" not in page
    assert "垃圾分类" not in page  # the failed item's label


async def test_the_pwas_own_flow_of_children_and_parents_still_applies(
        demo_client: AsyncTestClient[Any], clock: ManualClock, engine: AsyncEngine) -> None:
    # Everything in one community, parents first or last in a batch, or pushed before.
    zhang = await device(demo_client, clock, "liaison01")
    visit = zhang.write("visit", HY2, MINIMAL["visit"])
    await _push(demo_client, zhang)
    vid = visit["record_id"]
    case_id, inspection_id = str(uuid.uuid4()), str(uuid.uuid4())
    batch = [
        zhang.write("attachment", HY2, {**MINIMAL["attachment"], "parent_kind": "case",
                                        "parent_id": case_id}),
        zhang.write("case_step", HY2, {**MINIMAL["case_step"], "case_id": case_id}),
        zhang.write("case", HY2, {**new_case(), "visit_id": vid}, record_id=case_id),
        zhang.write("patrol_finding", HY2, {**MINIMAL["patrol_finding"], "visit_id": vid,
                                            "case_id": case_id}),
        zhang.write("property_inspection", HY2, {**MINIMAL["property_inspection"],
                                                 "visit_id": vid}, record_id=inspection_id),
        zhang.write("inspection_item", HY2, {**MINIMAL["inspection_item"],
                                             "inspection_id": inspection_id}),
        zhang.write("rectification", HY2, {**MINIMAL["rectification"],
                                           "inspection_id": inspection_id}),
        *(zhang.write(kind, HY2, {**MINIMAL[kind], "visit_id": vid})
          for kind in ("publicity_event", "suggestion", "participation")),
        zhang.write("visit", HY2, {"ended_at": AT}, record_id=vid),
    ]
    body = await _push(demo_client, zhang)
    assert [_outcome(body, m)[0] for m in batch] == ["applied"] * len(batch)
    # A reference cleared, and one set again to a stored parent of its own community.
    finding = batch[3]["record_id"]
    zhang.write("patrol_finding", HY2, {"case_id": None}, record_id=finding)
    zhang.write("patrol_finding", HY2, {"case_id": case_id}, record_id=finding)
    assert {r["status"] for r in (await _push(demo_client, zhang))["results"]} == {"applied"}


async def test_console_writes_name_parents_by_the_same_rule(
        demo_client: AsyncTestClient[Any], clock: ManualClock, engine: AsyncEngine) -> None:
    zhang = await device(demo_client, clock, "liaison01")
    case = zhang.write("case", HY1, new_case())
    await _push(demo_client, zhang)
    async with write_transaction(engine) as conn:
        bureau = (await org.get_user(conn, "bureau01")).as_actor()
        with pytest.raises(DomainError) as refused:
            await write_records(conn, [ServerWrite(
                kind="case_step", record_id=str(uuid.uuid4()), community_id=JS1,
                fields={"case_id": case["record_id"], "action": "note"})],
                author=bureau, device_id=CONSOLE_DEVICE, now_ms=clock.now_ms())
    assert refused.value.field == "case_id"
