"""Periods, weeks and the criteria files: the pure parts the scores stand on."""

from __future__ import annotations

from pathlib import Path

import pytest

from schema.criteria import CRITERIA_DIR, CriteriaError, criteria_for, load_file
from sync.domain.shanghai import to_local as local
from sync.errors import DomainError
from sync.evaluation.period import parse_period


def test_a_quarter_holds_the_iso_weeks_whose_thursday_falls_in_it() -> None:
    q4 = parse_period("2026-Q4")
    assert [w.label for w in q4.weeks][:2] == ["2026-W40", "2026-W41"]
    assert q4.weeks[-1].label == "2026-W53"  # 2026 has 53 ISO weeks
    assert len(q4.weeks) == 14 and len(parse_period("2026-Q3").weeks) == 13
    first = local(q4.weeks[0].start_ms)
    assert (first.month, first.day, first.hour) == (9, 28, 0)  # Monday, Shanghai midnight
    assert q4.months() == ["2026-10", "2026-11", "2026-12"]
    assert parse_period("2026-Q1").previous().code == "2025-Q4"
    assert parse_period("2026").previous().code == "2025"
    assert len(parse_period("2026").weeks) == 53
    # A week in progress is not yet missed.
    assert len(q4.weeks_due(q4.weeks[2].start_ms + 1)) == 2
    with pytest.raises(DomainError) as bad:
        parse_period("2026-Q5")
    assert bad.value.code == "invalid_period"


def test_the_default_criteria_add_up_to_100_and_apply_from_2026() -> None:
    criteria = criteria_for("2026-Q4")
    assert criteria.full_marks == 100
    assert {c.id for c in criteria.criterion if c.reviewer} == {"satisfaction"}
    with pytest.raises(CriteriaError):
        criteria_for("2025-Q4")


def test_a_later_version_applies_from_its_period_and_earlier_periods_keep_theirs(
        tmp_path: Path) -> None:
    text = (CRITERIA_DIR / "2026.1.toml").read_text(encoding="utf-8")
    (tmp_path / "2026.1.toml").write_text(text, encoding="utf-8")
    (tmp_path / "2027.1.toml").write_text(text.replace('version = "2026.1"', 'version = "2027.1"')
                                          .replace('effective_from = "2026-Q1"',
                                                   'effective_from = "2027-Q2"'),
                                          encoding="utf-8")
    assert criteria_for("2027-Q1", tmp_path).version == "2026.1"
    assert criteria_for("2027-Q2", tmp_path).version == "2027.1"


@pytest.mark.parametrize(("old", "new", "message"), [
    ('formula = "meetings"', 'formula = "meeting_count"', "unknown formula"),
    ("weight = 5\nreviewer = true", 'weight = 5\nreviewer = true\nformula = "meetings"',
     "either a formula or reviewer"),
    ('id = "meetings"', 'id = "publicity"', "appears twice"),
])
def test_a_broken_criteria_file_is_refused_with_its_name(tmp_path: Path, old: str, new: str,
                                                          message: str) -> None:
    text = (CRITERIA_DIR / "2026.1.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "broken.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CriteriaError, match=message) as error:
        load_file(path)
    assert "broken.toml" in str(error.value)
