"""Liaison appraisal (绩效考核, R9): the evaluation's figures per liaison. Pure.

Visits, publicity, suggestions and inspections count what the liaison recorded; case
timeliness is that of the liaison's communities (cases are the workroom's shared work).
Liaisons of a workroom awarded "50 佳" in the period get the bonus from the criteria.
"""

from __future__ import annotations

import msgspec

from schema.criteria import Criteria, Criterion
from sync.evaluation.metrics import (
    HOUR_MS,
    Scope,
    cases_on_time,
    property_supervision,
    publicity_events,
    suggestions_answered,
    visit_duration_ms,
    weekly_visits,
)
from sync.i18n import t


class AppraisalPart(msgspec.Struct, frozen=True):
    key: str
    label: str
    weight: float
    value: float
    points: float
    detail: str


class LiaisonAppraisal(msgspec.Struct, frozen=True):
    user_id: str
    name: str
    squad_name: str
    communities: tuple[str, ...]
    parts: tuple[AppraisalPart, ...]
    bonus: float
    bonus_reason: str
    total: float
    visit_hours: float


def _counting(key: str, target: float) -> Criterion:
    return Criterion(id=key, group="appraisal", label=key, weight=1, formula=key,
                     target_per_quarter=target)


def appraise(criteria: Criteria, scope: Scope, *, user_id: str, name: str, squad_name: str,
             awarded_communities: set[str]) -> LiaisonAppraisal:
    """``scope`` holds the liaison's communities, ``author`` set to the liaison."""
    rules = criteria.appraisal
    plan = [
        ("visit_compliance", rules.visit_compliance,
         weekly_visits(scope, _counting("weekly_visits", 1))),
        ("cases_on_time", rules.cases_on_time,
         cases_on_time(scope, _counting("cases_on_time", 1))),
        ("publicity", rules.publicity, publicity_events(
            scope, _counting("publicity_events", rules.publicity_target_per_quarter))),
        ("suggestions", rules.suggestions, suggestions_answered(
            scope, _counting("suggestions_answered", rules.suggestions_target_per_quarter))),
        ("inspections", rules.inspections, property_supervision(
            scope, _counting("property_supervision", rules.inspections_target_per_quarter))),
    ]
    parts = tuple(AppraisalPart(key=key, label=t(f"evaluation.appraisal.{key}"), weight=weight,
                                value=measure.value, points=round(weight * measure.value, 2),
                                detail=measure.detail)
                  for key, weight, measure in plan)
    mine = {c for c, _ in scope.pairs}
    awarded = sorted(w.name for w in scope.workrooms
                     if w.community_id in awarded_communities and w.community_id in mine)
    bonus = rules.fifty_best_bonus if awarded else 0.0
    return LiaisonAppraisal(
        user_id=user_id, name=name, squad_name=squad_name,
        communities=tuple(w.name for w in scope.workrooms), parts=parts, bonus=bonus,
        bonus_reason=t("evaluation.appraisal.bonus_reason", communities="、".join(awarded))
        if awarded else "",
        total=round(sum(p.points for p in parts) + bonus, 2),
        visit_hours=round(_visit_hours(scope), 1))


def _visit_hours(scope: Scope) -> float:
    total = 0
    for visit in scope.authored("visit"):
        if scope.period.contains(visit.time_ms("started_at")):
            total += visit_duration_ms(visit) or 0
    return total / HOUR_MS
