"""References between records, the pure parts (sync/domain/refs.py): the push's check
and the join every reader makes."""

from __future__ import annotations

import uuid
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from schema.criteria import Criterion
from schema.kinds import KINDS, REFS
from sync.domain.refs import Place, batch_places, check_refs, referenced_ids
from sync.evaluation.facts import Rec
from sync.evaluation.metrics import cases_on_time, make_scope, property_supervision
from sync.evaluation.period import parse_period
from sync.protocol import Mutation

COMMUNITIES = ("c-hy-01", "c-hy-02", "c-js-01")
IDS = ("r1", "r2", "r3")
REFERRING = sorted(kind for kind, refs in REFS.items() if refs)


def _mutation(kind: str, community_id: str, fields: dict[str, Any]) -> Mutation:
    return Mutation(id=str(uuid.uuid4()), seq=1, hlc="1764316800000:00000:tab-07", kind=kind,
                    record_id="child", community_id=community_id, fields=fields)


@given(kind=st.sampled_from(REFERRING), community=st.sampled_from(COMMUNITIES),
       target=st.sampled_from(IDS), named_kind=st.sampled_from(sorted(KINDS)),
       places=st.dictionaries(st.sampled_from(IDS), st.builds(
           Place, st.sampled_from(sorted(KINDS)), st.sampled_from(COMMUNITIES))))
def test_a_reference_is_refused_exactly_when_it_names_a_known_record_of_another_place(
        kind: str, community: str, target: str, named_kind: str,
        places: dict[str, Place]) -> None:
    ref = REFS[kind][0]
    fields = {ref.field: target} | ({ref.kind_field: named_kind} if ref.kind_field else {})
    refused = check_refs(_mutation(kind, community, fields), None, places=places)
    found = places.get(target)
    wanted = ref.kind or named_kind
    assert (refused is not None) == (
        found is not None and (found.community_id != community or found.kind != wanted))
    if refused is not None:
        assert (refused.code, refused.field) == ("forbidden", ref.field)


def test_a_cleared_reference_and_an_unchanged_one_are_not_checked() -> None:
    foreign = {"r1": Place("case", "c-js-01")}
    assert check_refs(_mutation("patrol_finding", "c-hy-01", {"case_id": None}), None,
                      places=foreign) is None
    assert check_refs(_mutation("case_step", "c-hy-01", {"note": "补充"}), None,
                      places=foreign) is None


def test_the_batch_names_what_it_references_and_places_what_it_writes() -> None:
    step = _mutation("case_step", "c-hy-01", {"case_id": "r1", "action": "note"})
    case = Mutation(id="m2", seq=2, hlc=step.hlc, kind="case", record_id="r1",
                    community_id="c-js-01", fields={})
    assert referenced_ids([step, case], {}) == {"r1"}
    placed = batch_places([step, case], {"r9": Place("visit", "c-hy-01")}, named={"r1"})
    assert placed == {"r1": Place("case", "c-js-01")}
    assert check_refs(step, None, places=placed) is not None
    # A stored record keeps the place it has, whatever a mutation claims.
    assert batch_places([case], {"r1": Place("case", "c-hy-01")}, named={"r1"}) == {
        "r1": Place("case", "c-hy-01")}


def _rec(kind: str, record_id: str, community_id: str, **fields: Any) -> Rec:
    return Rec(id=record_id, kind=kind, community_id=community_id, fields=fields,
               created_by="u1", created_ms=Q4.start_ms + 1000, updated_ms=Q4.start_ms + 1000)


Q4 = parse_period("2026-Q4")
ON_TIME = Criterion(id="c", group="g", label="l", weight=1, formula="cases_on_time")
PROPERTY = Criterion(id="p", group="g", label="l", weight=1, formula="property_supervision",
                     target_per_quarter=1)


def test_the_evaluation_counts_no_other_communitys_step_or_rectification() -> None:
    # A district-wide scope holds both communities: a step naming hy's case from js
    # neither resolves it nor follows up its inspection.
    case = _rec("case", "k1", "c-hy-01", title="楼道堆物", category="乱堆物", source="patrol")
    resolve = _rec("case_step", "s1", "c-js-01", case_id="k1", action="resolve",
                   at="2026-10-01T10:00:00+08:00")
    inspection = _rec("property_inspection", "i1", "c-hy-01", property_company_id="pc")
    fix = _rec("rectification", "f1", "c-js-01", inspection_id="i1", status="done",
               deadline="2026-10-05T10:00:00+08:00")

    def scope(*found: Rec) -> Any:
        return make_scope(period=Q4, as_of_ms=Q4.end_ms, records=found, workrooms=(),
                          pairs=(), names={})

    assert cases_on_time(scope(case, resolve), ON_TIME).value == 0.0
    own = _rec("case_step", "s2", "c-hy-01", case_id="k1", action="resolve",
               at="2026-10-01T10:00:00+08:00")
    assert cases_on_time(scope(case, resolve, own), ON_TIME).value == 1.0
    measured = property_supervision(scope(inspection, fix), PROPERTY)
    assert [e.record_id for e in measured.evidence] == ["i1"]
