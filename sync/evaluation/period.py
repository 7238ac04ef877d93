"""Assessment periods (quarter, year) and the ISO weeks of the weekly rule. Pure.

Weeks and days are those of Asia/Shanghai (sync/domain/shanghai.py). An ISO week
belongs to the period holding its Thursday (the ISO convention), so every week is
assessed in exactly one quarter.
"""

from __future__ import annotations

from datetime import date, timedelta

import msgspec

from schema.criteria import period_key
from sync.domain.shanghai import day_start_ms, to_local, today, weeks_between
from sync.errors import DomainError


class Week(msgspec.Struct, frozen=True):
    year: int
    number: int
    start_ms: int  # Monday 00:00 Shanghai
    end_ms: int    # next Monday 00:00 Shanghai

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def monday(self) -> date:
        return today(self.start_ms)


class Period(msgspec.Struct, frozen=True):
    code: str
    start_ms: int
    end_ms: int
    quarters: int  # 1 for a quarter, 4 for a year
    weeks: tuple[Week, ...]

    @property
    def load_from_ms(self) -> int:
        """The earliest moment a record of this period can hold (its first week's Monday)."""
        return min(self.start_ms, self.weeks[0].start_ms) if self.weeks else self.start_ms

    def contains(self, ms: int | None) -> bool:
        return ms is not None and self.start_ms <= ms < self.end_ms

    def weeks_due(self, as_of_ms: int) -> tuple[Week, ...]:
        """The weeks already over at ``as_of_ms``: a week in progress is not yet missed."""
        return tuple(w for w in self.weeks if w.end_ms <= as_of_ms)

    def previous(self) -> Period:
        year, quarter = period_key(self.code)
        if self.quarters == 4:
            return parse_period(str(year - 1))
        return parse_period(f"{year - 1}-Q4" if quarter == 1 else f"{year}-Q{quarter - 1}")

    def months(self) -> list[str]:
        first = to_local(self.start_ms).date()
        return [f"{first.year + (first.month - 1 + i) // 12}-"
                f"{(first.month - 1 + i) % 12 + 1:02d}" for i in range(3 * self.quarters)]


def parse_period(code: str) -> Period:
    try:
        year, quarter = period_key(code.strip())
    except ValueError:
        raise DomainError("invalid_period", field="period", period=code[:20]) from None
    quarters = 1 if "Q" in code else 4
    first = date(year, 3 * (quarter - 1) + 1, 1)
    last_month = 3 * (quarter - 1) + 3 * quarters
    after = date(year + last_month // 12, last_month % 12 + 1, 1)
    weeks: list[Week] = []
    for monday in weeks_between(first, after - timedelta(days=1)):
        thursday = monday + timedelta(days=3)
        if first <= thursday < after:
            iso_year, number, _ = thursday.isocalendar()
            weeks.append(Week(year=iso_year, number=number, start_ms=day_start_ms(monday),
                              end_ms=day_start_ms(monday + timedelta(days=7))))
    canonical = f"{year}-Q{quarter}" if quarters == 1 else str(year)
    return Period(code=canonical, start_ms=day_start_ms(first), end_ms=day_start_ms(after),
                  quarters=quarters, weeks=tuple(weeks))
