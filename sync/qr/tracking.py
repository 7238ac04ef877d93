"""What the tracking page shows a resident, built from the case and its steps. Pure.

Residents see the status in plain Chinese, the liaison's replies, and the public liaison
card — never staff names beyond the card, never internal notes, and their own phone
only masked.
"""

from __future__ import annotations

from typing import Any

import msgspec

from schema.kinds import RESOLVED_STAGES, Case, CaseStep
from schema.stored import read, time_ms
from sync.domain.org import Card
from sync.domain.shanghai import fmt_datetime
from sync.i18n import t
from sync.qr import rules
from sync.store.qr import Report

# Step actions a resident sees; "note" is internal and never shown.
SHOWN_ACTIONS = ("accept", "contact", "site_visit", "transfer", "resolve", "feedback",
                 "close", "reopen")


class TrailEntry(msgspec.Struct, frozen=True):
    at: str
    label: str
    content: str | None = None


class Answer(msgspec.Struct, frozen=True):
    outcome: str
    satisfaction: int | None
    comment: str | None


class TrackingView(msgspec.Struct, frozen=True):
    tracking_number: str
    community_name: str
    liaison_name: str | None
    liaison_phone: str | None
    category: str
    description: str
    location: str | None
    phone_masked: str
    reported_at: str
    status: str
    status_label: str
    voided: bool
    trail: list[TrailEntry]
    may_give_feedback: bool
    answer: Answer | None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def tracking_view(report: Report, fields: dict[str, Any],
                  steps: list[tuple[dict[str, Any], int]], card: Card | None) -> TrackingView:
    case = read(Case, fields)
    status = case.status or "received"
    voided = bool(case.voided)
    outcome = case.resident_outcome or None
    answer = None if outcome is None else Answer(
        outcome=t(f"qr.outcome.{outcome}"), satisfaction=case.resident_satisfaction or None,
        comment=_text(case.resident_comment))
    return TrackingView(
        tracking_number=report.tracking_number,
        community_name=card.community.name if card else "",
        liaison_name=card.liaison_name if card else None,
        liaison_phone=card.phone if card else None,
        category=_text(case.category) or "",
        description=_text(case.description) or "",
        location=_text(case.location),
        phone_masked=rules.mask_phone(_text(case.reporter_phone)),
        reported_at=fmt_datetime(report.created_ms),
        status=status,
        status_label=t("qr.track.voided") if voided else t(f"qr.stage.{status}"),
        voided=voided,
        trail=trail(report, steps),
        # Once it is dealt with, the resident is asked whether it was solved.
        may_give_feedback=status in RESOLVED_STAGES and not voided and outcome is None,
        answer=answer)


def trail(report: Report, steps: list[tuple[dict[str, Any], int]]) -> list[TrailEntry]:
    """The resident's report, then each shown step, oldest first."""
    timed: list[tuple[int, TrailEntry]] = [(report.created_ms, TrailEntry(
        at=fmt_datetime(report.created_ms), label=t("qr.step.received")))]
    for fields, created_ms in steps:
        step = read(CaseStep, fields)
        if step.action not in SHOWN_ACTIONS or step.voided:
            continue
        at_ms = time_ms(step.at) or created_ms
        content = _text(step.content) if step.action == "feedback" else None
        timed.append((at_ms, TrailEntry(at=fmt_datetime(at_ms),
                                        label=t(f"qr.step.{step.action}"), content=content)))
    timed.sort(key=lambda pair: pair[0])
    return [entry for _, entry in timed]
