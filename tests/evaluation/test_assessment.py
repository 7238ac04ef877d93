"""A seeded quarter assessed end to end, on both databases, against hand-computed scores."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.criteria import CRITERIA_DIR
from sync.clock import ManualClock
from sync.db.engine import read_transaction, write_transaction
from sync.domain.roles import Role
from sync.errors import DomainError
from sync.evaluation.excel import appraisal_workbook, assessment_workbook, to_bytes
from sync.evaluation.metrics import DAY_MS
from sync.evaluation.period import parse_period
from sync.evaluation.service import EvaluationService
from sync.services.auth import AuthService
from sync.store import org
from tests.evaluation.quarter import (
    EXPECTED_A,
    EXPECTED_B,
    TOTAL_A,
    TOTAL_B,
    A,
    B,
    hand_computed_quarter,
    post_qr_codes,
)


async def _actor(engine: AsyncEngine, username: str):  # type: ignore[no-untyped-def]
    async with read_transaction(engine) as conn:
        return (await org.get_user(conn, username)).as_actor()


@pytest.fixture
async def quarter(engine: AsyncEngine, clock: ManualClock) -> dict[str, object]:
    q, ids = hand_computed_quarter()
    await q.apply(engine)
    await post_qr_codes(engine)
    service = EvaluationService(engine, clock)
    bureau = await _actor(engine, "bureau01")
    await service.score_manually(period_code="2026-Q3", community_id=A,
                                 criterion_id="satisfaction", points=3, note="抽样不足",
                                 actor=bureau)
    clock.advance(minutes=5)
    # A later score replaces the earlier one; both stay in the history.
    await service.score_manually(period_code="2026-Q3", community_id=A,
                                 criterion_id="satisfaction", points=4,
                                 note="居民满意度测评 80 分，入户问卷 40 份", actor=bureau)
    return ids


async def test_a_workroom_that_misses_the_weekly_rule_twice_scores_as_computed_by_hand(
        engine: AsyncEngine, clock: ManualClock, quarter: dict[str, object]) -> None:
    result = await EvaluationService(engine, clock).assess("2026-Q3", actor=None)
    scores = {s.workroom.community_id: s for s in result.scores}
    a, b = scores[A], scores[B]
    assert {i.criterion_id: i.points for i in a.items} == EXPECTED_A
    assert {i.criterion_id: i.points for i in b.items} == EXPECTED_B
    assert (a.total, b.total) == (TOTAL_A, TOTAL_B)
    assert a.rank == 1 and b.rank == 2
    assert result.candidates == []  # nobody reaches the 80 points the rules ask for

    weekly = a.item("weekly_visits")
    assert weekly is not None
    missed = [e for e in weekly.evidence if not e.counted]
    assert [e.note.split(" ")[0] for e in missed] == ["2026年第30周", "2026年第33周"]
    visits = quarter["a_visits"]
    assert isinstance(visits, dict)
    assert missed[0].record_id is None  # W30: no visit to point at
    assert missed[1].record_id == visits["2026-W33"]  # the 1.5 h visit
    assert {e.record_id for e in weekly.evidence if e.counted} == {
        v for k, v in visits.items() if k != "2026-W33"}
    on_time = a.item("cases_on_time")
    assert on_time is not None
    assert [(e.record_id, e.counted) for e in on_time.evidence] == [
        (quarter["case_on_time"], True), (quarter["case_late"], False)]
    manual = a.item("satisfaction")
    assert manual is not None and manual.manual is not None
    assert manual.manual.by_name == "区局督察员" and "问卷" in manual.manual.note
    assert len(result.manual_history) == 2
    qr = a.item("qr_placements")
    assert qr is not None
    assert qr.evidence[0].note == "西镇居民区：已张贴 居委会、物业；未张贴 小区出入口"


async def test_editing_a_criterion_weight_in_toml_changes_the_ranking(
        engine: AsyncEngine, clock: ManualClock, quarter: dict[str, object],
        tmp_path: Path) -> None:
    edited = tmp_path / "criteria"
    edited.mkdir()
    for source in CRITERIA_DIR.glob("*.toml"):
        text = source.read_text(encoding="utf-8")
        weekly = re.compile(r'(id = "weekly_visits"\n(?:.*\n)*?weight = )25\n')
        assert weekly.search(text)
        (edited / source.name).write_text(weekly.sub(r"\g<1>200\n", text, count=1),
                                          encoding="utf-8")
    default = await EvaluationService(engine, clock).assess("2026-Q3", actor=None)
    heavier = await EvaluationService(engine, clock, criteria_dir=edited).assess(
        "2026-Q3", actor=None)
    order = [s.workroom.community_id for s in default.scores]
    assert order.index(A) < order.index(B)
    ranks = {s.workroom.community_id: (s.rank, s.total) for s in heavier.scores}
    # weekly_visits 200: A 222.89 (200 × 11/13 + the rest), B 245.83.
    assert ranks[B] == (1, 245.83) and ranks[A] == (2, 222.89)


async def test_the_ranking_workbook_opens_and_holds_every_workroom_and_its_evidence(
        engine: AsyncEngine, clock: ManualClock, quarter: dict[str, object]) -> None:
    result = await EvaluationService(engine, clock).assess("2026-Q3", actor=None)
    book = load_workbook(io.BytesIO(to_bytes(assessment_workbook(result))))
    assert book.sheetnames == ["排名", "中队汇总", "得分明细", "评分依据", "人工评分",
                               "50佳推荐"]
    squads = list(book["中队汇总"].iter_rows(min_row=2, values_only=True))
    # 华阳路: A, B and 华三 (no records: 3.33 + 15 + 10 + 2.5 + 5 = 35.83).
    assert squads[0] == ("华阳路街道中队", 3, round((TOTAL_A + TOTAL_B + 35.83) / 3, 2),
                         "西镇居民区")
    ranking = list(book["排名"].iter_rows(values_only=True))
    assert ranking[0][:4] == ("名次", "中队", "社区工作室", "总分")
    assert len(ranking) == 1 + 33
    assert ranking[1][:4] == (1, "华阳路街道中队", "西镇居民区", TOTAL_A)
    assert ranking[2][:4] == (2, "华阳路街道中队", "大西别墅居民区", TOTAL_B)
    details = list(book["得分明细"].iter_rows(values_only=True))
    assert len(details) == 1 + 33 * 12
    evidence = {row[3] for row in book["评分依据"].iter_rows(min_row=2, values_only=True)}
    assert quarter["case_late"] in evidence
    manual = list(book["人工评分"].iter_rows(min_row=2, values_only=True))
    assert [row[2] for row in manual] == [3, 4]


async def test_a_squad_leader_sees_the_squad_and_a_liaison_is_refused(
        engine: AsyncEngine, clock: ManualClock, quarter: dict[str, object]) -> None:
    service = EvaluationService(engine, clock)
    leader = await _actor(engine, "leader01")  # 华阳路
    mine = await service.assess("2026-Q3", actor=leader)
    assert {s.workroom.squad_id for s in mine.scores} == {"sq-hy"}
    assert {s.workroom.community_id: s.rank for s in mine.scores}[A] == 1  # district rank
    with pytest.raises(DomainError) as refused:
        await service.assess("2026-Q3", actor=await _actor(engine, "liaison04"))
    assert refused.value.code == "forbidden"
    other = await _actor(engine, "leader02")  # 江苏路
    with pytest.raises(DomainError):
        await service.score_manually(period_code="2026-Q3", community_id=A,
                                     criterion_id="satisfaction", points=1, note="x",
                                     actor=other)


async def test_manual_scores_are_checked_audited_and_contestable(
        engine: AsyncEngine, clock: ManualClock, quarter: dict[str, object]) -> None:
    service = EvaluationService(engine, clock)
    bureau = await _actor(engine, "bureau01")
    for criterion, points, note, code in (
            ("weekly_visits", 5, "x", "not_reviewer_scored"),
            ("satisfaction", 6, "x", "points_out_of_range"),
            ("satisfaction", 5, "  ", "note_required"),
            ("nonsense", 5, "x", "unknown_criterion")):
        with pytest.raises(DomainError) as error:
            await service.score_manually(period_code="2026-Q3", community_id=A,
                                         criterion_id=criterion, points=points, note=note,
                                         actor=bureau)
        assert error.value.code == code
    result = await service.assess("2026-Q3", actor=None)
    score = result.manual_history[-1]
    leader = await _actor(engine, "leader01")
    await service.contest(score.id, reason="测评样本仅 5 户", actor=leader)
    again = await service.assess("2026-Q3", actor=None)
    contested = next(h for h in again.manual_history if h.id == score.id)
    assert contested.contested_by == leader.name and contested.contest_reason == "测评样本仅 5 户"


async def test_fifty_best_nomination_and_the_liaison_bonus(
        engine: AsyncEngine, clock: ManualClock, quarter: dict[str, object],
        tmp_path: Path) -> None:
    relaxed = tmp_path / "criteria"
    shutil.copytree(CRITERIA_DIR, relaxed)
    for path in relaxed.glob("*.toml"):
        path.write_text(path.read_text(encoding="utf-8").replace(
            "min_total = 80.0", "min_total = 72.0"), encoding="utf-8")
    service = EvaluationService(engine, clock, criteria_dir=relaxed)
    before = {a.user_id: a for a in await service.appraise("2026-Q3", actor=None)}
    liu = next(a for a in before.values() if a.name == "刘洋")
    # 40 × 11/13 + 20 × 1/2 + 15 × 1/2 + 10 × 1/2 + 15 × (1/2 × 1/2 + 1/2 × 1)
    assert [p.points for p in liu.parts] == [33.85, 10.0, 7.5, 5.0, 11.25]
    assert (liu.total, liu.bonus, liu.visit_hours) == (67.6, 0.0, 29.0)

    assert await service.nominate("2026-Q3", actor=None) == [A]
    assert await service.nominate("2026-Q3", actor=None) == []  # already on the list
    await service.decide("2026-Q3", A, status="awarded", actor=None, note="市局公布")
    after = {a.user_id: a for a in await service.appraise("2026-Q3", actor=None)}
    assert after[liu.user_id].total == 72.6 and "西镇居民区" in after[liu.user_id].bonus_reason
    zhang = next(a for a in after.values() if a.name == "张伟")
    assert zhang.bonus == 0.0
    book = load_workbook(io.BytesIO(to_bytes(appraisal_workbook(list(after.values())))))
    rows = {r[0]: r for r in book["联络员考核"].iter_rows(min_row=2, values_only=True)}
    assert rows["刘洋"][-1] == 72.6
    assessment = await service.assess("2026-Q3", actor=None)
    assert assessment.nominations[0]["status"] == "awarded"


async def test_the_next_quarter_compares_with_the_hand_computed_one(
        engine: AsyncEngine, clock: ManualClock, quarter: dict[str, object]) -> None:
    result = await EvaluationService(engine, clock).assess("2026-Q4", actor=None)
    a = next(s for s in result.scores if s.workroom.community_id == A)
    assert (a.previous_total, a.previous_rank) == (TOTAL_A, 1)
    assert a.change == round(a.total - TOTAL_A, 2)
    # Q4 is under way on 2026-11-28: only its 8 finished weeks (W40–W47) are due.
    weekly = a.item("weekly_visits")
    assert weekly is not None and weekly.detail == "达标 0 / 应达标 8（联络员 × 周）"


async def test_a_squad_leader_appraises_only_the_squad_liaisons(
        engine: AsyncEngine, clock: ManualClock, quarter: dict[str, object]) -> None:
    service = EvaluationService(engine, clock)
    mine = await service.appraise("2026-Q3", actor=await _actor(engine, "leader01"))
    assert {a.name for a in mine} == {"张伟", "李娜", "刘洋"}  # 华阳路's liaisons
    with pytest.raises(DomainError):
        await service.appraise("2026-Q3", actor=await _actor(engine, "liaison01"))


async def test_the_nomination_sheet_lists_the_recorded_nominations_with_their_state(
        engine: AsyncEngine, clock: ManualClock, quarter: dict[str, object],
        tmp_path: Path) -> None:
    relaxed = tmp_path / "criteria"
    shutil.copytree(CRITERIA_DIR, relaxed)
    for path in relaxed.glob("*.toml"):
        path.write_text(path.read_text(encoding="utf-8").replace(
            "min_total = 80.0", "min_total = 70.0"), encoding="utf-8")
    service = EvaluationService(engine, clock, criteria_dir=relaxed)
    before = await service.assess("2026-Q3", actor=None)
    assert before.candidates == [A, B]
    sheet = load_workbook(io.BytesIO(to_bytes(assessment_workbook(before))))["50佳推荐"]
    assert [r[2:] for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        ("西镇居民区", TOTAL_A, "建议推荐"), ("大西别墅居民区", TOTAL_B, "建议推荐")]
    assert await service.nominate("2026-Q3", actor=None) == [A, B]
    await service.decide("2026-Q3", B, status="withdrawn", actor=None)
    after = await service.assess("2026-Q3", actor=None)
    sheet = load_workbook(io.BytesIO(to_bytes(assessment_workbook(after))))["50佳推荐"]
    assert [r[2:] for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        ("西镇居民区", TOTAL_A, "已推荐"), ("大西别墅居民区", TOTAL_B, "已撤回")]


async def test_a_past_quarter_is_appraised_by_who_covered_the_communities_then(
        engine: AsyncEngine, clock: ManualClock, quarter: dict[str, object]) -> None:
    service = EvaluationService(engine, clock)
    before = {a.name: a for a in await service.appraise("2026-Q3", actor=None)}
    liu, zhang = before["刘洋"], before["张伟"]
    async with read_transaction(engine) as conn:
        liu_user = await org.get_user_by_id(conn, liu.user_id)
        zhang_user = await org.get_user_by_id(conn, zhang.user_id)
        ids = {c.name: c.id for c in await org.communities_of(conn)}
    assert liu_user is not None and zhang_user is not None
    # After the quarter 刘洋 hands his communities over to 张伟.
    auth = AuthService(engine, clock, token_ttl_days=30)
    for name in liu.communities:
        await auth.assign(liu_user.username, ids[name], assigned=False, by="admin", source="test")
        await auth.assign(zhang_user.username, ids[name], assigned=True, by="admin",
                          source="test")
    after = {a.name: a for a in await service.appraise("2026-Q3", actor=None)}
    assert (after["刘洋"].communities, after["刘洋"].total) == (liu.communities, liu.total)
    assert after["张伟"].communities == zhang.communities
    # The quarter under way: 刘洋 covered them until today, 张伟 from today.
    now = {a.name: a for a in await service.appraise("2026-Q4", actor=None)}
    assert now["刘洋"].communities == liu.communities
    assert set(liu.communities) <= set(now["张伟"].communities)


async def test_a_liaison_assigned_mid_quarter_is_expected_only_from_then(
        engine: AsyncEngine, clock: ManualClock, quarter: dict[str, object]) -> None:
    service = EvaluationService(engine, clock)
    before = await service.assess("2026-Q3", actor=None)
    weeks = parse_period("2026-Q3").weeks  # W27 … W39
    joined = next(w for w in weeks if w.number == 33)
    async with write_transaction(engine) as conn:
        newcomer = await org.add_user(conn, username="liaison97", name="新来的", role=Role.LIAISON,
                                      squad_id="sq-hy", phone=None, password_hash="x",
                                      now_ms=clock.now_ms())
        # Took over part of B's work on a Tuesday; the Thursday after is in W33.
        await org.assign(conn, newcomer, B, now_ms=clock.now_ms(),
                         since_ms=joined.start_ms + DAY_MS)
    mine = next(a for a in await service.appraise("2026-Q3", actor=None)
                if a.user_id == newcomer.id)
    weekly = next(p for p in mine.parts if p.key == "visit_compliance")
    assert weekly.detail == "达标 0 / 应达标 7（联络员 × 周）"  # W33 … W39
    after = await service.assess("2026-Q3", actor=None)
    item = next(s for s in after.scores if s.workroom.community_id == B).item("weekly_visits")
    was = next(s for s in before.scores if s.workroom.community_id == B).item("weekly_visits")
    assert item is not None and was is not None
    good, due = (int(n) for n in re.findall(r"\d+", was.detail)[:2])
    assert item.detail == f"达标 {good} / 应达标 {due + 7}（联络员 × 周）"
