"""The criteria's formulas over the recorded data. Pure.

Each formula reads a ``Scope`` — the records of one workroom (or one liaison) around a
period — and returns a ``Measure``: a value in 0..1 and the evidence, record by record,
behind it. A formula with nothing to judge (no case fell due) gives full marks and says
so; one whose work is missing (no visits) gives none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar, cast, overload

import msgspec
from msgspec import UnsetType

from schema import stored
from schema.criteria import Criterion
from schema.kinds import (
    QR_PLACEMENTS,
    RESOLVED_STAGES,
    Case,
    CaseStep,
    Participation,
    PropertyInspection,
    PublicityEvent,
    RecordKind,
    Rectification,
    Suggestion,
    Visit,
)
from schema.lists import Sla, sla_for
from sync.console.present import option_label
from sync.domain import refs, weekly
from sync.domain.shanghai import DAY_MS, HOUR_MS, today, week_name
from sync.evaluation.facts import Evidence, Measure, Rec, Workroom
from sync.evaluation.period import Period
from sync.i18n import t

K = TypeVar("K", bound=RecordKind)


class Scope(msgspec.Struct, frozen=True):
    period: Period
    as_of_ms: int
    # The records that are not voided, by kind (see make_scope).
    by_kind: dict[str, tuple[Rec, ...]]
    workrooms: tuple[Workroom, ...]
    # (community, liaison) pairs the weekly rule applies to.
    pairs: tuple[tuple[str, str], ...]
    names: dict[str, str]
    # Set for a liaison's appraisal: count only what this user recorded.
    author: str | None = None
    # When each (community, liaison) pair was assigned: (from ms, to ms or None) spans.
    spans: dict[tuple[str, str], tuple[tuple[int, int | None], ...]] = {}

    def of_kind(self, kind: str) -> tuple[Rec, ...]:
        return self.by_kind.get(kind, ())

    def of(self, kind: type[K]) -> tuple[Rec[K], ...]:
        """The records of ``kind``, each ``record`` read as it."""
        return cast(tuple[Rec[K], ...], self.of_kind(kind.KIND))

    @overload
    def authored(self, kind: str) -> list[Rec]: ...

    @overload
    def authored(self, kind: type[K]) -> list[Rec[K]]: ...

    def authored(self, kind: str | type[RecordKind]) -> list[Rec]:
        found = self.of_kind(kind) if isinstance(kind, str) else self.of(kind)
        return [r for r in found if self.author is None or r.created_by == self.author]


def make_scope(*, period: Period, as_of_ms: int, records: Iterable[Rec],
               workrooms: tuple[Workroom, ...], pairs: tuple[tuple[str, str], ...],
               names: dict[str, str], author: str | None = None) -> Scope:
    """A scope with its records indexed once: every formula asks for them by kind."""
    by_kind: dict[str, list[Rec]] = {}
    for record in records:
        if not record.voided:
            by_kind.setdefault(record.kind, []).append(record)
    spans: dict[tuple[str, str], tuple[tuple[int, int | None], ...]] = {}
    for room in workrooms:
        for liaison_id, from_ms, to_ms in room.liaison_spans:
            key = (room.community_id, liaison_id)
            spans[key] = (*spans.get(key, ()), (from_ms, to_ms))
    return Scope(period=period, as_of_ms=as_of_ms, workrooms=workrooms, pairs=pairs,
                 names=names, author=author, spans=spans,
                 by_kind={kind: tuple(found) for kind, found in by_kind.items()})


def _share(good: int, total: int, *, empty: float) -> float:
    return good / total if total else empty


def _target(criterion_target: float | None, period: Period) -> float:
    return max(1.0, (criterion_target or 1.0) * period.quarters)


def _hours(ms: int) -> str:
    return f"{ms / HOUR_MS:.1f}"


# --- 规范化创建标准 ------------------------------------------------------------------------

def liaison_card(scope: Scope, criterion: Criterion) -> Measure:
    shares, evidence = [], []
    for room in scope.workrooms:
        posted = [bool(room.card.liaison_name), bool(room.card.phone),
                  bool(room.card.wechat_sha256)]
        shares.append(sum(posted) / 3)
        evidence.append(Evidence(note=t("evaluation.evidence.card", community=room.name,
                                        name="✓" if posted[0] else "✗",
                                        phone="✓" if posted[1] else "✗",
                                        wechat="✓" if posted[2] else "✗"),
                                 counted=all(posted)))
    value = sum(shares) / len(shares) if shares else 0.0
    return Measure(value=value, detail=t("evaluation.detail.card", percent=round(value * 100)),
                   evidence=tuple(evidence))


def qr_placements(scope: Scope, criterion: Criterion) -> Measure:
    """QR codes posted at the residents' committee, the property office and the entrance."""
    shares, evidence = [], []
    for room in scope.workrooms:
        posted = [p for p in QR_PLACEMENTS if p in room.qr_placements]
        shares.append(len(posted) / len(QR_PLACEMENTS))
        evidence.append(Evidence(note=t("evaluation.evidence.qr", community=room.name,
                                        posted="、".join(posted) or "无",
                                        missing="、".join(p for p in QR_PLACEMENTS
                                                         if p not in posted) or "无"),
                                 counted=len(posted) == len(QR_PLACEMENTS)))
    value = sum(shares) / len(shares) if shares else 0.0
    return Measure(value=value, detail=t("evaluation.detail.qr", percent=round(value * 100)),
                   evidence=tuple(evidence))


def visit_duration_ms(visit: Rec) -> int | None:
    start, end = visit.time_ms("started_at"), visit.time_ms("ended_at")
    return end - start if start is not None and end is not None and end >= start else None


def _visits(scope: Scope) -> list[weekly.Visit]:
    return [weekly.Visit(id=v.id, community_id=v.community_id, liaison_id=v.created_by,
                         start_ms=start, end_ms=v.time_ms("ended_at"), voided=v.voided)
            for v in scope.of_kind("visit") if (start := v.time_ms("started_at")) is not None]


def weekly_visits(scope: Scope, criterion: Criterion) -> Measure:
    """The weekly rule (sync/domain/weekly.py) over the period's weeks already over: each
    liaison, each community, each week they owed it."""
    if not scope.pairs:
        return Measure(value=0.0, detail=t("evaluation.detail.no_liaison"))
    tallies = weekly.tally(_visits(scope))
    as_of = today(scope.as_of_ms)
    good, total, evidence = 0, 0, []
    rooms = {w.community_id: w.name for w in scope.workrooms}
    for community_id, liaison_id in scope.pairs:
        # No spans known: the pair owes every week.
        spans = scope.spans.get((community_id, liaison_id))
        for week in scope.period.weeks_due(scope.as_of_ms):
            if spans is not None and not weekly.owes(spans, monday=week.monday):
                continue  # not this liaison's community that week
            found = weekly.liaison_week(tallies.get((community_id, liaison_id, week.monday)),
                                        liaison_id=liaison_id, monday=week.monday, today=as_of)
            total += 1
            good += found.met
            evidence.append(Evidence(
                note=t("evaluation.evidence.week_ok" if found.met
                       else "evaluation.evidence.week_missed",
                       week=week_name(week.year, week.number),
                       liaison=scope.names.get(liaison_id, liaison_id),
                       community=rooms.get(community_id, community_id), visits=found.visits,
                       hours=_hours(found.longest_ms)),
                counted=found.met, record_id=found.longest_id, kind="visit"))
    return Measure(value=_share(good, total, empty=1.0),
                   detail=t("evaluation.detail.weekly", good=good, total=total),
                   evidence=tuple(evidence))


def _text(value: str | None | UnsetType) -> str:
    return value.strip() if isinstance(value, str) else ""


def _day(value: datetime | None | UnsetType) -> str:
    """The day of a recorded time as the device wrote it (its own offset)."""
    return value.date().isoformat() if isinstance(value, datetime) else ""


def record_book(scope: Scope, criterion: Criterion) -> Measure:
    """Every visit of the period written up: ended, with a summary of the work done."""
    visits = [v for v in scope.authored(Visit)
              if scope.period.contains(stored.time_ms(v.record.started_at))]
    evidence = [Evidence(note=t("evaluation.evidence.visit_written" if _written(v.record)
                                else "evaluation.evidence.visit_unwritten",
                                day=_day(v.record.started_at)),
                         counted=_written(v.record), record_id=v.id, kind=Visit.KIND)
                for v in visits]
    good = sum(e.counted for e in evidence)
    return Measure(value=_share(good, len(visits), empty=0.0),
                   detail=t("evaluation.detail.record_book", good=good, total=len(visits)),
                   evidence=tuple(evidence))


def _written(visit: Visit) -> bool:
    return isinstance(visit.ended_at, datetime) and bool(_text(visit.summary))


# --- cases -------------------------------------------------------------------------------

def _steps(scope: Scope) -> dict[tuple[str, Any], list[Rec[CaseStep]]]:
    """The case steps by their case's ``refs.key``."""
    steps: dict[tuple[str, Any], list[Rec[CaseStep]]] = {}
    for step in scope.of(CaseStep):
        steps.setdefault(refs.parent_key(step, "case_id"), []).append(step)
    return steps


def _when(record: Rec[Any]) -> int:
    """When a record says it happened (its kind's ``TIME``), else when the server got it."""
    field = record.record.TIME
    at = stored.time_ms(getattr(record.record, field)) if field else None
    return at or record.created_ms


def _first(steps: list[Rec[CaseStep]], action: str) -> int | None:
    times = [_when(s) for s in steps if s.record.action == action]
    return min(times) if times else None


def resolved_ms(case: Rec[Case], steps: list[Rec[CaseStep]]) -> int | None:
    """When the case was resolved: its resolve step, else its close, else its last change."""
    found = _first(steps, "resolve") or _first(steps, "close")
    if found is None and case.record.status in RESOLVED_STAGES:
        found = case.updated_ms
    return found


def _period_cases(scope: Scope) -> list[Rec[Case]]:
    return [c for c in scope.of(Case) if scope.period.contains(c.created_ms)]


def _sla(case: Case) -> Sla:
    return sla_for(category=case.category or None, source=case.source or None)


def cases_on_time(scope: Scope, criterion: Criterion) -> Measure:
    steps, good, evidence = _steps(scope), 0, []
    for case in _period_cases(scope):
        sla = _sla(case.record)
        deadline = case.created_ms + int(sla.resolve_days * DAY_MS)
        done = resolved_ms(case, steps.get(refs.key(case), []))
        if done is None and deadline > scope.as_of_ms:
            continue  # still open, not yet late
        ok = done is not None and done <= deadline
        good += ok
        evidence.append(Evidence(
            note=t("evaluation.evidence.case_on_time" if ok else "evaluation.evidence.case_late",
                   title=_text(case.record.title), days=f"{sla.resolve_days:g}"),
            counted=ok, record_id=case.id, kind=Case.KIND))
    return Measure(value=_share(good, len(evidence), empty=1.0),
                   detail=t("evaluation.detail.cases_on_time", good=good, total=len(evidence)),
                   evidence=tuple(evidence))


def cases_feedback(scope: Scope, criterion: Criterion) -> Measure:
    steps, good, evidence = _steps(scope), 0, []
    for case in _period_cases(scope):
        trail = steps.get(refs.key(case), [])
        done = resolved_ms(case, trail)
        if done is None:
            continue
        sla = _sla(case.record)
        due = done + int(sla.feedback_days * DAY_MS)
        fed = _first(trail, "feedback")
        if fed is None and due > scope.as_of_ms:
            continue  # resolved recently; feedback not yet due
        ok = fed is not None and fed <= due
        good += ok
        evidence.append(Evidence(
            note=t("evaluation.evidence.case_fed_back" if ok
                   else "evaluation.evidence.case_no_feedback", title=_text(case.record.title)),
            counted=ok, record_id=case.id, kind=Case.KIND))
    return Measure(value=_share(good, len(evidence), empty=1.0),
                   detail=t("evaluation.detail.cases_feedback", good=good, total=len(evidence)),
                   evidence=tuple(evidence))


def resident_ratings(scope: Scope, criterion: Criterion) -> Measure:
    """Residents' own ratings (1–5) of their QR cases on the tracking page (R7)."""
    rated = [(c, s) for c in _period_cases(scope)
             if isinstance(s := c.record.resident_satisfaction, int)]
    stars = [s for _, s in rated]
    evidence = tuple(Evidence(note=t("evaluation.evidence.rating", title=_text(c.record.title),
                                     stars=s), counted=s >= 4, record_id=c.id, kind=Case.KIND)
                     for c, s in rated)
    mean = sum(stars) / len(stars) if stars else None
    return Measure(value=1.0 if mean is None else mean / 5,
                   detail=t("evaluation.detail.ratings", count=len(stars),
                            mean="—" if mean is None else f"{mean:.1f}"),
                   evidence=evidence)


# --- publicity, suggestions, inspections, meetings --------------------------------------

def _held_in_period(scope: Scope, record: Rec[Any]) -> bool:
    return scope.period.contains(_when(record))


def _count(records: list[Rec[K]], target: float, detail_key: str,
           note: Callable[[K], str]) -> Measure:
    evidence = tuple(Evidence(note=note(r.record), counted=True, record_id=r.id, kind=r.kind)
                     for r in records)
    return Measure(value=min(1.0, len(records) / target),
                   detail=t(detail_key, count=len(records), target=f"{target:g}"),
                   evidence=evidence)


def publicity_events(scope: Scope, criterion: Criterion) -> Measure:
    events = [e for e in scope.authored(PublicityEvent) if _held_in_period(scope, e)]
    return _count(events, _target(criterion.target_per_quarter, scope.period),
                  "evaluation.detail.publicity", lambda e: _text(e.topic))


def suggestions_answered(scope: Scope, criterion: Criterion) -> Measure:
    collected = [s for s in scope.authored(Suggestion)
                 if scope.period.contains(s.created_ms)]
    answered = [s for s in collected if _text(s.record.response)]
    target = _target(criterion.target_per_quarter, scope.period)
    evidence = tuple(Evidence(note=t("evaluation.evidence.suggestion_answered"
                                     if _text(s.record.response) else
                                     "evaluation.evidence.suggestion_open",
                                     content=_text(s.record.content)[:40]),
                              counted=bool(_text(s.record.response)), record_id=s.id,
                              kind=Suggestion.KIND) for s in collected)
    return Measure(value=min(1.0, len(answered) / target),
                   detail=t("evaluation.detail.suggestions", collected=len(collected),
                            answered=len(answered), target=f"{target:g}"),
                   evidence=evidence)


def property_supervision(scope: Scope, criterion: Criterion) -> Measure:
    """Half for inspecting (against the target), half for following rectifications."""
    inspections = [i for i in scope.authored(PropertyInspection)
                   if scope.period.contains(i.created_ms)]
    ids = {refs.key(i) for i in inspections}
    evidence = [Evidence(note=t("evaluation.evidence.inspection", result=option_label(
                                PropertyInspection.KIND, "result", i.record.result)),
                         counted=True, record_id=i.id, kind=i.kind) for i in inspections]
    followed = total = 0
    for fix in scope.of(Rectification):
        if refs.parent_key(fix, "inspection_id") not in ids:
            continue
        deadline = stored.time_ms(fix.record.deadline)
        status = fix.record.status or "open"
        # A recorded recheck counts as followed up whatever the status says.
        ok = status in ("done", "escalated") or bool(_text(fix.record.recheck_result)) or (
            status == "open" and deadline is not None and deadline > scope.as_of_ms)
        total += 1
        followed += ok
        evidence.append(Evidence(note=t("evaluation.evidence.rectification",
                                        status=option_label(Rectification.KIND, "status", status),
                                        deadline=_day(fix.record.deadline)),
                                 counted=ok, record_id=fix.id, kind=fix.kind))
    target = _target(criterion.target_per_quarter, scope.period)
    value = 0.5 * min(1.0, len(inspections) / target) + 0.5 * _share(followed, total,
                                                                      empty=1.0)
    return Measure(value=value, detail=t("evaluation.detail.property", count=len(inspections),
                                         target=f"{target:g}", followed=followed, total=total),
                   evidence=tuple(evidence))


def meetings(scope: Scope, criterion: Criterion) -> Measure:
    held = [p for p in scope.authored(Participation)
            if p.record.type == "meeting" and _held_in_period(scope, p)]
    return _count(held, _target(criterion.target_per_quarter, scope.period),
                  "evaluation.detail.meetings", lambda p: _day(p.held_at))


FORMULAS: dict[str, Callable[[Scope, Criterion], Measure]] = {
    "liaison_card": liaison_card, "qr_placements": qr_placements,
    "weekly_visits": weekly_visits, "record_book": record_book,
    "cases_on_time": cases_on_time, "cases_feedback": cases_feedback,
    "resident_ratings": resident_ratings,
    "publicity_events": publicity_events, "suggestions_answered": suggestions_answered,
    "property_supervision": property_supervision, "meetings": meetings,
}
