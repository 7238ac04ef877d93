"""The PWA's wire types are generated from the server's Structs and kept current; the
schema export is typed in the OpenAPI document; the phone and the server refuse the same
records for the same missing field."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema_rs
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from schema.export import SchemaExport, export
from schema.kinds import KINDS
from sync.domain.merge import RecordState
from sync.domain.roles import Actor
from sync.domain.validate import check_stored
from sync.protocol import Mutation

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "client-pwa" / "test" / "fixtures" / "required-fields.json"
LIAISON = msgspec.convert({"id": "u-liaison", "username": "liaison01", "name": "联络员",
                           "role": "liaison", "squad_id": "sq-1"}, Actor)


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_wire_types",
                                                  ROOT / "ops" / "gen_wire_types.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_wire_types", module)
    spec.loader.exec_module(module)
    return module


def test_the_committed_wire_types_are_what_the_structs_generate() -> None:
    gen = _generator()
    assert gen.OUT.read_text(encoding="utf-8") == gen.render(), (
        "client-pwa/src/wire.gen.ts is stale: run .venv/bin/python ops/gen_wire_types.py")


def test_the_check_flag_fails_on_a_stale_file_and_passes_on_a_fresh_one(
        tmp_path: Path) -> None:
    gen = _generator()
    out = tmp_path / "wire.gen.ts"
    out.write_text(gen.render().replace("required_when", "conditions"), encoding="utf-8")
    assert gen.main(["--check", "--out", str(out)]) == 1
    assert gen.main(["--out", str(out)]) == 0
    assert gen.main(["--check", "--out", str(out)]) == 0


def test_the_wire_types_mark_optional_only_what_a_message_may_leave_out() -> None:
    text = _generator().render()
    # Sent by the server with every field: a reader may rely on them.
    assert "  required_when: RequiredWhen[];" in text
    assert '  options_from: "property_companies" | null;' in text
    assert "  property_companies: PropertyCompanyOut[];" in text
    # UNSET (not sent) and omit_defaults (None left out) are optional, never null.
    assert "  hint?: string;" in text
    assert "  field?: string;" in text
    assert "  error?: ErrorOut;" in text
    # Sent by the client: a field with a default may be left out.
    assert "  base_version?: number;" in text


async def test_the_openapi_document_types_every_part_of_the_schema_export(
        demo_client: AsyncTestClient) -> None:
    document = (await demo_client.get("/api/schema/openapi.json")).json()
    answer = document["paths"]["/api/v1/schema"]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SchemaExport"}
    schemas = document["components"]["schemas"]
    assert set(schemas["SchemaExport"]["properties"]) == set(SchemaExport.__struct_fields__)
    assert set(schemas["KindSpec"]["properties"]) >= {"fields", "required_when", "parent"}
    assert set(schemas["FieldSpec"]["properties"]) >= {"options", "options_from", "type"}
    body = (await demo_client.get("/api/v1/schema")).json()
    validator = jsonschema_rs.validator_for(
        {"$ref": "#/components/schemas/SchemaExport", "components": {"schemas": schemas}})
    assert validator.is_valid(body)
    # The typed handler sends what the dict-building export sent: same keys, same values.
    assert body == export()
    assert msgspec.json.decode(json.dumps(body), type=SchemaExport) is not None


def test_the_export_lists_required_fields_in_the_order_the_server_checks_them() -> None:
    """The phone names the first missing field in the export's field order; the server
    in ``REQUIRED``'s: they must agree for both to name the same field."""
    kinds = {k["kind"]: k for k in export()["kinds"]}
    for name, kind in KINDS.items():
        listed = [f["name"] for f in kinds[name]["fields"] if f["required"]]
        assert listed == list(kind.REQUIRED), name


def _scenarios() -> dict[str, Any]:
    return dict(json.loads(SCENARIOS.read_text(encoding="utf-8")))


def test_the_scenarios_kinds_are_the_servers() -> None:
    kinds = {k["kind"]: k for k in export()["kinds"]}
    for kind in _scenarios()["kinds"]:
        assert kind == kinds[kind["kind"]], (
            f"update {SCENARIOS.name}'s {kind['kind']} from GET /api/v1/schema")


def _server_missing(kind: str, fields: dict[str, Any], *, creating: bool) -> list[str]:
    """Every field the server names missing_field, one push after another, each time
    filling in the one it named."""
    stored = None if creating else RecordState(
        id="r-1", kind=kind, community_id="c-1", version=1, fields={}, meta={},
        created_by=LIAISON.id, created_ms=0, updated_ms=0)
    named: list[str] = []
    fields = dict(fields)
    while True:
        mutation = Mutation(id=f"m-{len(named)}", seq=1, hlc="0-0-d", kind=kind,
                            record_id="r-1", community_id="c-1", fields=fields)
        refused = check_stored(mutation, stored, actor=LIAISON, alone=None, places={})
        if refused is None:
            return named
        assert refused.code == "missing_field", refused
        assert refused.field is not None
        named.append(refused.field)
        fields[refused.field] = "filled"


@pytest.mark.parametrize("scenario", _scenarios()["scenarios"],
                         ids=lambda s: str(s["scenario"]))
def test_the_server_refuses_each_scenario_for_what_the_phone_names(
        scenario: dict[str, Any]) -> None:
    assert _server_missing(scenario["kind"], scenario["fields"],
                           creating=scenario["creating"]) == scenario["missing"]
