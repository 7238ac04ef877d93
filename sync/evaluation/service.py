"""The evaluation's use cases: assess a period, score by hand, nominate, appraise.

Who sees and scores which workrooms is the access policy's (EVALUATION and NOMINATIONS
in sync/domain/access.py): squad leaders see their squad's rows of the district
ranking and score and contest within their squad; the bureau sees and decides
everything. The CLI is the operator (``actor=None``), who may do all of it.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from schema.criteria import CRITERIA_DIR, Criteria, CriteriaError, criteria_for
from sync.clock import Clock
from sync.db.engine import read_transaction, write_transaction
from sync.domain import access
from sync.domain.access import Action, Subject
from sync.domain.roles import Actor
from sync.errors import DomainError
from sync.evaluation.appraisal import LiaisonAppraisal, appraise
from sync.evaluation.facts import ManualScore, Rec, Workroom
from sync.evaluation.metrics import make_scope
from sync.evaluation.period import Period, parse_period
from sync.evaluation.scoring import (
    WorkroomScore,
    assess_workroom,
    candidates,
    compare,
    latest_manual,
    rank,
)
from sync.i18n import t
from sync.store import audit, org, people
from sync.store import evaluation as store

NOMINATION_STATES = ("nominated", "awarded", "withdrawn")


class Assessment(msgspec.Struct, frozen=True):
    period: Period
    criteria: Criteria
    as_of_ms: int
    scores: list[WorkroomScore]  # ranked, with the previous period's totals
    candidates: list[str]  # community ids the rules propose for "50 佳"
    manual_history: list[ManualScore]
    nominations: list[dict[str, object]]


def evaluation_scope(actor: Actor | None, action: Action = Action.READ) -> access.Scope:
    """The workrooms ``actor`` may see (READ) or score (WRITE); forbidden for roles that
    do not evaluate. No role's evaluation reach is a liaison's, so no assignment is read."""
    access.require(actor, Subject.EVALUATION, action)
    return access.scope(actor, Subject.EVALUATION, action)


def _shown(scope: access.Scope, room: Workroom) -> bool:
    return access.covers(scope, community_id=room.community_id, squad_id=room.squad_id)


def _by_community(records: list[Rec]) -> dict[str, list[Rec]]:
    grouped: dict[str, list[Rec]] = {}
    for record in records:
        grouped.setdefault(record.community_id, []).append(record)
    return grouped


class EvaluationService:
    def __init__(self, engine: AsyncEngine, clock: Clock, *,
                 criteria_dir: Path = CRITERIA_DIR) -> None:
        self.engine = engine
        self.clock = clock
        self.criteria_dir = criteria_dir

    def criteria(self, period: Period) -> Criteria:
        try:
            return criteria_for(period.code, self.criteria_dir)
        except CriteriaError as exc:
            raise DomainError("invalid_criteria", detail=str(exc)) from None

    # --- assessment -----------------------------------------------------------------------

    async def assess(self, period_code: str, *, actor: Actor | None,
                     as_of_ms: int | None = None) -> Assessment:
        seen = evaluation_scope(actor)
        period = parse_period(period_code)
        as_of = min(as_of_ms or self.clock.now_ms(), self.clock.now_ms())
        criteria = self.criteria(period)
        before = period.previous()
        async with read_transaction(self.engine) as conn:
            # One read serves both periods: the previous one's records start earlier, and
            # the liaisons of either are there (the weekly rule expects each only in the
            # weeks they were assigned).
            rooms = await store.workrooms(conn, during=(before.start_ms, period.end_ms))
            names = await people.names(conn, None)
            records = _by_community(await store.period_records(
                conn, community_ids=[r.community_id for r in rooms],
                from_ms=before.load_from_ms))
            manual = {p.code: latest_manual(await store.manual_scores(conn, p.code))
                      for p in (period, before)}
            history = await store.manual_scores(conn, period.code)
            nominated = await store.list_nominations(conn, period.code)

        def scores(which: Period, rules: Criteria | None) -> list[WorkroomScore]:
            if rules is None or which.start_ms >= as_of:
                return []
            return [assess_workroom(rules, make_scope(
                period=which, as_of_ms=as_of, records=records.get(room.community_id, ()),
                workrooms=(room,), names=names,
                pairs=tuple((room.community_id, who) for who in room.liaison_ids)),
                room, manual[which.code]) for room in rooms]

        current, previous = scores(period, criteria), scores(before, self.criteria_or_none(before))
        ranked = compare(rank(current), rank(previous)) if previous else rank(current)
        proposed = [s.workroom.community_id for s in candidates(ranked, criteria)]
        if not isinstance(seen, access.District):
            # Ranked in the whole district, shown to a squad leader in their squad.
            ranked = [s for s in ranked if _shown(seen, s.workroom)]
            shown = {s.workroom.community_id for s in ranked}
            history = [h for h in history if h.community_id in shown]
            nominated = [n for n in nominated if n["community_id"] in shown]
        return Assessment(period=period, criteria=criteria, as_of_ms=as_of, scores=ranked,
                          candidates=proposed, manual_history=history, nominations=nominated)

    def criteria_or_none(self, period: Period) -> Criteria | None:
        try:
            return criteria_for(period.code, self.criteria_dir)
        except CriteriaError:
            return None

    # --- reviewers' scores ---------------------------------------------------------------

    async def score_manually(self, *, period_code: str, community_id: str, criterion_id: str,
                             points: float, note: str, actor: Actor) -> ManualScore:
        period = parse_period(period_code)
        criterion = self.criteria(period).by_id(criterion_id)
        if criterion is None:
            raise DomainError("unknown_criterion", field="criterion_id", criterion=criterion_id)
        if not criterion.reviewer:
            raise DomainError("not_reviewer_scored", field="criterion_id",
                              criterion=criterion.label)
        if not 0 <= points <= criterion.weight:
            raise DomainError("points_out_of_range", field="points",
                              weight=f"{criterion.weight:g}")
        if not note.strip():
            raise DomainError("note_required", field="note")
        now = self.clock.now_ms()
        score = ManualScore(id=str(uuid.uuid4()), period=period.code,
                            community_id=community_id, criterion_id=criterion_id,
                            points=float(points), note=note.strip(), by_user=actor.id,
                            by_name=actor.name, at_ms=now)
        async with write_transaction(self.engine) as conn:
            await self._check_community(conn, actor, community_id)
            await store.add_manual_score(conn, score)
            await audit.record(conn, at_ms=now, actor=actor.username, action="manual_score",
                               target=f"{period.code}/{community_id}/{criterion_id}",
                               detail={"points": score.points, "note": score.note})
        return score

    async def manual_score(self, score_id: str) -> ManualScore | None:
        async with read_transaction(self.engine) as conn:
            return await store.get_manual_score(conn, score_id)

    async def evidence_record(self, record_id: str) -> tuple[Rec | None, dict[str, str]]:
        """The record a score's evidence points at, and its author's name; the page
        decides whether the viewer may see it."""
        async with read_transaction(self.engine) as conn:
            found = await store.get_record(conn, record_id)
            names = await people.names(conn, [found.created_by]) if found else {}
        return found, names

    async def contest(self, score_id: str, *, reason: str, actor: Actor) -> None:
        if not reason.strip():
            raise DomainError("note_required", field="reason")
        now = self.clock.now_ms()
        async with write_transaction(self.engine) as conn:
            score = await store.get_manual_score(conn, score_id)
            if score is None:
                raise DomainError("unknown_score")
            await self._check_community(conn, actor, score.community_id)
            await store.contest_manual_score(conn, score_id, by=actor.name,
                                             reason=reason.strip(), at_ms=now)
            await audit.record(conn, at_ms=now, actor=actor.username, action="contest_score",
                               target=score_id, detail={"reason": reason.strip()})

    async def _check_community(self, conn: AsyncConnection, actor: Actor,
                               community_id: str) -> None:
        scope = evaluation_scope(actor, Action.WRITE)
        if not await org.communities_of(conn, scope, ids=[community_id]):
            raise DomainError("unknown_community", community_id=community_id)

    # --- "50 佳" ---------------------------------------------------------------------------

    async def nominate(self, period_code: str, *, actor: Actor | None) -> list[str]:
        """Put the rules' candidates on the period's nomination list (the bureau)."""
        access.require(actor, Subject.NOMINATIONS, Action.MANAGE)
        assessment = await self.assess(period_code, actor=actor)
        now = self.clock.now_ms()
        by = actor.name if actor else "cli"
        added = []
        async with write_transaction(self.engine) as conn:
            for score in assessment.scores:
                if score.workroom.community_id in assessment.candidates and await store.nominate(
                        conn, period=assessment.period.code,
                        community_id=score.workroom.community_id, rank=score.rank,
                        total=score.total, by=by, at_ms=now):
                    added.append(score.workroom.community_id)
            await audit.record(conn, at_ms=now, actor=actor.username if actor else "cli",
                               action="nominate", target=assessment.period.code,
                               detail={"communities": added})
        return added

    async def decide(self, period_code: str, community_id: str, *, status: str,
                     actor: Actor | None, note: str | None = None) -> None:
        """Mark a nomination awarded (授予 "50 佳") or withdrawn (the bureau)."""
        access.require(actor, Subject.NOMINATIONS, Action.MANAGE)
        if status not in NOMINATION_STATES:
            raise DomainError("invalid_choice", field="status",
                              label=t("label.nomination_status"))
        period = parse_period(period_code)
        now = self.clock.now_ms()
        async with write_transaction(self.engine) as conn:
            if not await store.decide_nomination(
                    conn, period=period.code, community_id=community_id, status=status,
                    by=actor.name if actor else "cli", at_ms=now, note=note):
                raise DomainError("unknown_nomination")
            await audit.record(conn, at_ms=now, actor=actor.username if actor else "cli",
                               action="nomination_" + status,
                               target=f"{period.code}/{community_id}")

    # --- liaison appraisal -----------------------------------------------------------------

    async def appraise(self, period_code: str, *, actor: Actor | None,
                       as_of_ms: int | None = None) -> list[LiaisonAppraisal]:
        seen = evaluation_scope(actor)
        period = parse_period(period_code)
        as_of = min(as_of_ms or self.clock.now_ms(), self.clock.now_ms())
        criteria = self.criteria(period)
        async with read_transaction(self.engine) as conn:
            rooms = await store.workrooms(conn, scope=seen,
                                          during=(period.start_ms, period.end_ms))
            names = await people.names(conn, None)
            records = _by_community(await store.period_records(
                conn, community_ids=[r.community_id for r in rooms],
                from_ms=period.load_from_ms))
            awarded = await store.awarded_communities(conn, period.code)
        liaisons: dict[str, list[Workroom]] = {}
        for room in rooms:
            for liaison_id in room.liaison_ids:
                liaisons.setdefault(liaison_id, []).append(room)
        results = []
        for liaison_id, theirs in liaisons.items():
            scope = make_scope(period=period, as_of_ms=as_of, workrooms=tuple(theirs),
                               records=(r for room in theirs
                                        for r in records.get(room.community_id, ())),
                               pairs=tuple((room.community_id, liaison_id)
                                           for room in theirs),
                               names=names, author=liaison_id)
            results.append(appraise(criteria, scope, user_id=liaison_id,
                                    name=names.get(liaison_id, liaison_id),
                                    squad_name=theirs[0].squad_name,
                                    awarded_communities=awarded))
        return sorted(results, key=lambda a: (-a.total, a.name))
