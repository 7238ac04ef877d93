"""Evaluation criteria (考评标准) as data: ``criteria/*.toml``, one file per version.

An assessment of a period uses the newest file whose ``effective_from`` is not after
the period, so changing the rules never rewrites an earlier period's scores.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import msgspec

CRITERIA_DIR = Path(__file__).parent / "criteria"
_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-Q(?P<quarter>[1-4]))?$")

# The formulas the evaluation engine knows (sync/evaluation/metrics.py).
FORMULAS = frozenset({
    "liaison_card", "qr_placements", "weekly_visits", "record_book", "cases_on_time",
    "cases_feedback", "publicity_events", "suggestions_answered", "property_supervision",
    "meetings", "resident_ratings"})


class CriteriaError(ValueError):
    """The bureau's TOML is wrong: said early, at load time, with the file's name."""


class Criterion(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: str
    group: str
    label: str
    weight: float
    formula: str | None = None
    reviewer: bool = False
    target_per_quarter: float | None = None


class Nomination(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    places: int = 3
    min_total: float = 80.0


class Appraisal(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    visit_compliance: float = 40
    cases_on_time: float = 20
    publicity: float = 15
    suggestions: float = 10
    inspections: float = 15
    fifty_best_bonus: float = 5
    publicity_target_per_quarter: float = 2
    suggestions_target_per_quarter: float = 2
    inspections_target_per_quarter: float = 2


class Criteria(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    version: str
    effective_from: str
    title: str
    criterion: list[Criterion]
    nomination: Nomination = Nomination()
    appraisal: Appraisal = Appraisal()

    @property
    def full_marks(self) -> float:
        return sum(c.weight for c in self.criterion)

    def by_id(self, criterion_id: str) -> Criterion | None:
        return next((c for c in self.criterion if c.id == criterion_id), None)


def period_key(code: str) -> tuple[int, int]:
    """(year, first quarter) of a period code: "2026-Q4" or "2026"."""
    match = _PERIOD.match(code)
    if match is None:
        raise CriteriaError(f"not a period: {code!r} (expected e.g. 2026-Q4 or 2026)")
    return int(match["year"]), int(match["quarter"] or 1)


def load_file(path: Path) -> Criteria:
    try:
        with path.open("rb") as fh:
            criteria = msgspec.convert(tomllib.load(fh), Criteria)
    except (tomllib.TOMLDecodeError, msgspec.ValidationError) as exc:
        raise CriteriaError(f"{path.name}: {exc}") from exc
    _check(criteria, path.name)
    return criteria


def _check(criteria: Criteria, name: str) -> None:
    period_key(criteria.effective_from)
    seen: set[str] = set()
    for item in criteria.criterion:
        if item.id in seen:
            raise CriteriaError(f"{name}: criterion {item.id!r} appears twice")
        seen.add(item.id)
        if item.weight < 0:
            raise CriteriaError(f"{name}: criterion {item.id!r} has a negative weight")
        if item.reviewer == (item.formula is not None):
            raise CriteriaError(
                f"{name}: criterion {item.id!r} needs either a formula or reviewer = true")
        if item.formula is not None and item.formula not in FORMULAS:
            raise CriteriaError(f"{name}: criterion {item.id!r}: unknown formula "
                                f"{item.formula!r}; known: {', '.join(sorted(FORMULAS))}")


def all_versions(directory: Path = CRITERIA_DIR) -> list[Criteria]:
    found = [load_file(p) for p in sorted(directory.glob("*.toml"))]
    return sorted(found, key=lambda c: period_key(c.effective_from))


def criteria_for(period: str, directory: Path = CRITERIA_DIR) -> Criteria:
    """The criteria in force for ``period``."""
    key = period_key(period)
    applicable = [c for c in all_versions(directory) if period_key(c.effective_from) <= key]
    if not applicable:
        raise CriteriaError(f"no criteria in {directory} apply to {period}")
    return applicable[-1]
