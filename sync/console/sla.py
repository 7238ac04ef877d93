"""A case against its service levels (schema/slas.toml). Pure.

First response is the first step that is more than a note; resolution is a ``resolve``
step (after the latest reopen, if any); feedback is a ``feedback`` step to the
complainant. A case closed without feedback is shown: R4.2 wants progress fed back.
"""

from __future__ import annotations

import msgspec

from schema.kinds import CASE_STAGES
from schema.lists import sla_for

HOUR_MS = 3600 * 1000
DAY_MS = 24 * HOUR_MS
RESPONSE_ACTIONS = frozenset({"accept", "contact", "site_visit", "transfer", "resolve",
                              "feedback", "close"})


class Step(msgspec.Struct, frozen=True):
    action: str
    at_ms: int


class CaseFacts(msgspec.Struct, frozen=True):
    received_ms: int
    category: str | None
    source: str | None
    stage: str
    steps: list[Step]
    due_ms: int | None = None


class SlaView(msgspec.Struct, frozen=True):
    response_due_ms: int
    resolve_due_ms: int
    first_response_ms: int | None
    resolved_ms: int | None
    feedback_ms: int | None
    response_late: bool
    resolve_late: bool
    overdue: bool
    closed_without_feedback: bool

    @property
    def response_hours(self) -> float | None:
        return None if self.first_response_ms is None else round(
            self.first_response_ms / HOUR_MS, 1)

    @property
    def resolve_days(self) -> float | None:
        return None if self.resolved_ms is None else round(self.resolved_ms / DAY_MS, 1)


def stage_rank(stage: str) -> int:
    return CASE_STAGES.index(stage) if stage in CASE_STAGES else 0


def evaluate(case: CaseFacts, *, now_ms: int) -> SlaView:
    sla = sla_for(category=case.category, source=case.source)
    steps = sorted(case.steps, key=lambda s: s.at_ms)
    response_due = case.received_ms + int(sla.first_response_hours * HOUR_MS)
    resolve_due = case.due_ms or case.received_ms + int(sla.resolve_days * DAY_MS)
    first_response = next((s.at_ms for s in steps if s.action in RESPONSE_ACTIONS), None)
    last_reopen = max((s.at_ms for s in steps if s.action == "reopen"), default=0)
    resolved = next((s.at_ms for s in steps if s.action == "resolve" and s.at_ms >= last_reopen),
                    None)
    feedback = next((s.at_ms for s in steps if s.action == "feedback"), None)
    done = stage_rank(case.stage) >= stage_rank("resolved")
    responded = first_response is not None or stage_rank(case.stage) >= stage_rank("accepted")
    response_late = (first_response or now_ms) > response_due if not (
        first_response is None and responded) else False
    resolve_late = (resolved or now_ms) > resolve_due if not (resolved is None and done) \
        else False
    overdue = (not responded and now_ms > response_due) or (not done and now_ms > resolve_due)
    return SlaView(
        response_due_ms=response_due, resolve_due_ms=resolve_due,
        first_response_ms=None if first_response is None else first_response - case.received_ms,
        resolved_ms=None if resolved is None else resolved - case.received_ms,
        feedback_ms=None if feedback is None else feedback - case.received_ms,
        response_late=response_late, resolve_late=resolve_late, overdue=overdue,
        closed_without_feedback=case.stage == "closed" and feedback is None)
