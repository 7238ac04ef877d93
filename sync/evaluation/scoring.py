"""A period's assessment: criteria × workrooms → traceable scores, ranking, nominations.

Pure: the service hands in the records and reviewers' scores it loaded.
"""

from __future__ import annotations

import msgspec

from schema.criteria import Criteria, Criterion
from sync.evaluation.facts import Evidence, ManualScore, Workroom
from sync.evaluation.metrics import FORMULAS, Scope
from sync.i18n import t


class ItemScore(msgspec.Struct, frozen=True):
    criterion_id: str
    group: str
    label: str
    weight: float
    basis: str  # formula | reviewer
    points: float
    value: float | None  # the formula's 0..1; None for a reviewer's score
    detail: str
    evidence: tuple[Evidence, ...] = ()
    manual: ManualScore | None = None


class WorkroomScore(msgspec.Struct, frozen=True):
    workroom: Workroom
    items: tuple[ItemScore, ...]
    total: float
    rank: int = 0
    previous_total: float | None = None
    previous_rank: int | None = None

    @property
    def change(self) -> float | None:
        if self.previous_total is None:
            return None
        return round(self.total - self.previous_total, 2)

    def item(self, criterion_id: str) -> ItemScore | None:
        return next((i for i in self.items if i.criterion_id == criterion_id), None)


def latest_manual(scores: list[ManualScore]) -> dict[tuple[str, str], ManualScore]:
    """The score in force per (community, criterion): the newest one (history is kept)."""
    latest: dict[tuple[str, str], ManualScore] = {}
    for score in sorted(scores, key=lambda s: (s.at_ms, s.id)):
        latest[(score.community_id, score.criterion_id)] = score
    return latest


def score_item(criterion: Criterion, scope: Scope, manual: ManualScore | None) -> ItemScore:
    def item(*, basis: str, points: float, value: float | None, detail: str,
             evidence: tuple[Evidence, ...] = (), manual: ManualScore | None = None
             ) -> ItemScore:
        return ItemScore(criterion_id=criterion.id, group=criterion.group,
                         label=criterion.label, weight=criterion.weight, basis=basis,
                         points=points, value=value, detail=detail, evidence=evidence,
                         manual=manual)

    if criterion.reviewer:
        if manual is None:
            return item(basis="reviewer", points=0.0, value=None,
                        detail=t("evaluation.detail.pending"))
        return item(basis="reviewer", points=round(manual.points, 2), value=None,
                    detail=manual.note, manual=manual)
    assert criterion.formula is not None  # the loader checked
    measure = FORMULAS[criterion.formula](scope, criterion)
    return item(basis="formula", points=round(criterion.weight * measure.value, 2),
                value=measure.value, detail=measure.detail, evidence=measure.evidence)


def assess_workroom(criteria: Criteria, scope: Scope, workroom: Workroom,
                    manual: dict[tuple[str, str], ManualScore]) -> WorkroomScore:
    items = tuple(score_item(c, scope, manual.get((workroom.community_id, c.id)))
                  for c in criteria.criterion)
    return WorkroomScore(workroom=workroom, items=items,
                         total=round(sum(i.points for i in items), 2))


def rank(scores: list[WorkroomScore]) -> list[WorkroomScore]:
    """Highest total first; equal totals share a rank (1, 2, 2, 4)."""
    ordered = sorted(scores, key=lambda s: (-s.total, s.workroom.squad_id,
                                            s.workroom.community_id))
    ranked: list[WorkroomScore] = []
    for position, score in enumerate(ordered, start=1):
        same = ranked and ranked[-1].total == score.total
        ranked.append(msgspec.structs.replace(
            score, rank=ranked[-1].rank if same else position))
    return ranked


def compare(current: list[WorkroomScore],
            previous: list[WorkroomScore]) -> list[WorkroomScore]:
    """Attach each workroom's previous-period total and rank."""
    before = {s.workroom.community_id: s for s in previous}
    return [msgspec.structs.replace(
        s, previous_total=before[s.workroom.community_id].total,
        previous_rank=before[s.workroom.community_id].rank)
        if s.workroom.community_id in before else s for s in current]


class SquadSummary(msgspec.Struct, frozen=True):
    squad_id: str
    squad_name: str
    workrooms: int
    average: float
    best: str


def squad_summary(ranked: list[WorkroomScore]) -> list[SquadSummary]:
    """Each squad's workrooms at a glance (R8): their average total, best first."""
    squads: dict[str, list[WorkroomScore]] = {}
    for score in ranked:
        squads.setdefault(score.workroom.squad_id, []).append(score)
    found = [SquadSummary(squad_id=sid, squad_name=rows[0].workroom.squad_name,
                          workrooms=len(rows),
                          average=round(sum(r.total for r in rows) / len(rows), 2),
                          best=rows[0].workroom.name) for sid, rows in squads.items()]
    return sorted(found, key=lambda s: (-s.average, s.squad_id))


def candidates(ranked: list[WorkroomScore], criteria: Criteria) -> list[WorkroomScore]:
    """The workrooms the rules propose for "50 佳": the top places above the minimum."""
    rule = criteria.nomination
    return [s for s in ranked if s.total >= rule.min_total][:rule.places]
