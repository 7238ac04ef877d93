"""Stored records read as their kinds' Structs (schema/stored.py), whatever an earlier
version let into the database: a value that no longer converts is left unset, never
a failed page or evaluation; everything else in the record still reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import msgspec
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.criteria import Criterion
from schema.kinds import KINDS, Case, CaseStep, RecordKind, Visit
from schema.stored import _types, read, time_ms
from sync.clock import ManualClock
from sync.db.tables import records
from sync.evaluation.facts import Rec
from sync.evaluation.metrics import FORMULAS, make_scope
from sync.evaluation.period import parse_period
from tests.console.conftest import console_login
from tests.console.scenario import DAY, synced_day

SHANGHAI = timezone(timedelta(hours=8))


def test_a_record_as_todays_gate_takes_it_reads_whole() -> None:
    visit = read("visit", {"started_at": "2026-11-28T09:00:00+08:00", "purpose": "周例行走访",
                           "gps_in": {"lat": 31.2, "lon": 121.4}})
    assert isinstance(visit, Visit)
    assert visit.started_at == datetime(2026, 11, 28, 9, tzinfo=SHANGHAI)
    assert visit.purpose == "周例行走访" and visit.gps_in and visit.gps_in.lat == 31.2
    assert visit.ended_at is msgspec.UNSET
    assert time_ms(visit.started_at) == 1_795_827_600_000
    assert time_ms(visit.ended_at) is None


def test_a_title_longer_than_a_later_limit_still_reads_in_full() -> None:
    case = read(Case, {"title": "长" * 300, "source": "qr"})
    assert case.title == "长" * 300 and case.source == "qr"


def test_a_choice_since_dropped_is_unset_and_the_rest_of_the_record_reads() -> None:
    case = read(Case, {"title": "楼道堆物", "source": "fax", "status": "in_progress",
                       "reopen_count": 1})
    assert case.source is msgspec.UNSET
    assert (case.title, case.status, case.reopen_count) == ("楼道堆物", "in_progress", 1)


def test_a_time_without_an_offset_is_unset_never_guessed() -> None:
    step = read(CaseStep, {"case_id": "c1", "action": "accept", "at": "2026-11-28T09:00:00"})
    assert step.at is msgspec.UNSET and step.action == "accept"


def test_a_field_since_removed_and_a_value_of_the_wrong_type_are_left_out() -> None:
    visit = read(Visit, {"started_at": 17, "summary": "写了小结", "weather": "晴"})
    assert visit.started_at is msgspec.UNSET and visit.summary == "写了小结"


def test_a_kind_no_longer_defined_reads_as_a_bare_record() -> None:
    record = read("noise_report", {"voided": True, "decibels": 80})
    assert type(record) is RecordKind and record.voided is True


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**7) | st.floats(allow_nan=False)
    | st.text(max_size=300) | st.sampled_from(["2026-11-28T09:00:00+08:00", "2026-11-28",
                                               "qr", "accept", "pass", "received"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["lat", "lon", "accuracy_m", "x"]), inner, max_size=3),
    max_leaves=6)


_STORED = st.one_of(*(st.tuples(st.just(kind), st.dictionaries(
    st.sampled_from([*KINDS[kind].__struct_fields__, "gone_field"]), _JSON, max_size=8))
    for kind in sorted(KINDS)))


# Generation, not the reading, is what may be slow on a loaded machine.
@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(_STORED)
def test_any_stored_value_reads_as_itself_or_not_at_all(stored: tuple[str, dict[str, Any]]) -> None:
    kind, fields = stored
    record = read(kind, fields)
    assert type(record) is KINDS[kind]
    strict, lax = _types(KINDS[kind])
    for name in KINDS[kind].__struct_fields__:
        value = getattr(record, name)
        if value is msgspec.UNSET:
            continue
        assert name in fields
        expected = None
        for wanted in (strict[name], lax[name]):
            try:
                expected = msgspec.convert(fields[name], wanted)
                break
            except msgspec.ValidationError:
                continue
        assert value == expected
        if isinstance(value, datetime):
            assert value.tzinfo is not None


def test_every_formula_judges_records_whose_values_no_longer_convert() -> None:
    """The evaluation reads records typed once (``Rec.record``); garbage in any field
    counts as the field not being there, and no formula fails on it."""
    period = parse_period("2026-Q4")
    created = int(datetime(2026, 11, 2, tzinfo=UTC).timestamp() * 1000)
    garbage: dict[str, Any] = {"title": 5, "status": "lost", "source": ["qr"],
                               "started_at": "yesterday", "ended_at": 3,
                               "at": "2026-11-28T09:00:00", "held_at": {}, "deadline": None,
                               "resident_satisfaction": "five", "type": "tea_party",
                               "result": 1, "case_id": 7, "inspection_id": None,
                               "summary": ["x"], "topic": False, "response": 0.5}
    found = [Rec(id=f"r-{kind}", kind=kind, community_id="c1", fields=garbage,
                 created_by="u1", created_ms=created, updated_ms=created) for kind in KINDS]
    assert all(type(r.record) is KINDS[r.kind] for r in found)
    scope = make_scope(period=period, as_of_ms=created + 86_400_000, records=found,
                       workrooms=(), pairs=(), names={})
    for name, formula in FORMULAS.items():
        criterion = Criterion(id=name, group="g", label=name, weight=1.0, formula=name,
                              target_per_quarter=1.0)
        assert 0.0 <= formula(scope, criterion).value <= 1.0, name


def test_the_evidence_names_a_result_and_a_status_by_their_labels() -> None:
    period = parse_period("2026-Q4")
    created = int(datetime(2026, 11, 2, tzinfo=UTC).timestamp() * 1000)
    found = [Rec(id=record_id, kind=kind, community_id="c1", fields=fields, created_by="u1",
                 created_ms=created, updated_ms=created) for record_id, kind, fields in (
        ("i1", "property_inspection", {"property_company_id": "pc1",
                                       "result": "needs_rectification"}),
        ("f1", "rectification", {"inspection_id": "i1", "action_required": "清理",
                                 "deadline": "2026-11-20T12:00:00+08:00", "status": "open"}))]
    scope = make_scope(period=period, as_of_ms=created, records=found, workrooms=(),
                       pairs=(), names={})
    measure = FORMULAS["property_supervision"](scope, Criterion(
        id="p", group="g", label="p", weight=1.0, formula="property_supervision"))
    notes = [e.note for e in measure.evidence]
    assert "需整改" in notes[0] and "整改中" in notes[1]
    assert not any("needs_rectification" in n or "open" in n for n in notes)


async def test_the_console_pages_open_on_values_an_earlier_version_let_in(
        demo_client: AsyncTestClient[Any], clock: ManualClock, engine: AsyncEngine) -> None:
    day = await synced_day(demo_client, clock)
    async with engine.begin() as conn:
        for record_id, broken in ((day.case_id, {"source": "fax", "due_at": "next week",
                                                 "title": "长" * 250, "reopen_count": -1}),
                                  (day.visit_hy02, {"ended_at": "14:00", "gps_in": "here"})):
            stored = (await conn.execute(sa.select(records.c.fields)
                                         .where(records.c.id == record_id))).scalar_one()
            await conn.execute(records.update().where(records.c.id == record_id)
                               .values(fields={**stored, **broken}))
    await console_login(demo_client, "leader01")
    for url in ("/console/ledger", f"/console/ledger/{day.case_id}", "/console/ledger/export",
                f"/console/duty-log/{day.tablet.user['id']}/{DAY}", f"/console/duty-log?day={DAY}",
                f"/console/record-book/c-hy-02?first={DAY}", "/console/charts"):
        response = await demo_client.get(url)
        assert response.status_code == 200, url
    case_page = (await demo_client.get(f"/console/ledger/{day.case_id}")).text
    assert "长" * 250 in case_page and "占道经营" in case_page
    # The evaluation's evidence page prints a record as the console does: labels, local times.
    record = await demo_client.get(f"/console/evaluation/records/{day.visit_hy01}")
    assert record.status_code == 200
    assert "周例行走访" in record.text and f"{DAY} 09:00" in record.text
    assert "+08:00" not in record.text and "31.2201" not in record.text
