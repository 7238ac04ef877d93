"""GET /api/v1/schema: the kinds and fields of the protocol page, labelled in Chinese."""

from __future__ import annotations

import msgspec
from litestar.testing import AsyncTestClient

from sync.domain.weekly import RULE

PROTOCOL_REQUIRED = {
    "visit": {"started_at"},
    "patrol_finding": {"category", "description"},
    "case": {"title", "category", "source"},
    "case_step": {"case_id", "action"},
    "publicity_event": {"form", "topic"},
    "suggestion": {"content"},
    "participation": {"type"},
    "property_inspection": {"property_company_id"},
    "inspection_item": {"inspection_id", "item", "result"},
    "rectification": {"inspection_id", "action_required", "deadline"},
    "attachment": {"parent_kind", "parent_id", "sha256", "media_type"},
}


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


async def test_schema_lists_every_kind_with_its_required_fields(
        demo_client: AsyncTestClient) -> None:
    body = (await demo_client.get("/api/v1/schema")).json()
    kinds = {k["kind"]: k for k in body["kinds"]}
    assert set(PROTOCOL_REQUIRED) <= set(kinds)
    for name, required in PROTOCOL_REQUIRED.items():
        fields = {f["name"]: f for f in kinds[name]["fields"]}
        assert {f for f, spec in fields.items() if spec["required"]} == required, name
        assert _has_chinese(kinds[name]["label"])
        assert all(_has_chinese(f["label"]) for f in fields.values()), name
        assert {"voided", "void_reason"} <= set(fields)
    case = {f["name"]: f for f in kinds["case"]["fields"]}
    categories = {o["value"] for o in case["category"]["options"]}
    assert {"违法搭建", "占道经营", "乱堆物", "乱张贴", "垃圾分类", "群租", "其他"} <= categories
    assert {o["value"] for o in case["source"]["options"]} == {
        "qr", "residents_committee", "owners_committee", "property_company",
        "resident_in_person", "hotline_12345", "patrol"}
    assert case["title"]["max_length"] == 200
    assert [s["value"] for s in body["case_statuses"]] == [
        "received", "accepted", "in_progress", "resolved", "feedback_given", "closed"]
    assert kinds["case_step"]["parent"] == {"field": "case_id", "kind": "case"}
    assert len(body["checklist"]["items"]) >= 8


async def test_the_weekly_rule_is_published_as_the_server_applies_it(
        demo_client: AsyncTestClient) -> None:
    body = (await demo_client.get("/api/v1/schema")).json()
    assert body["weekly_rule"] == msgspec.to_builtins(RULE)
    assert body["weekly_rule"]["min_visit_minutes"] == 120
