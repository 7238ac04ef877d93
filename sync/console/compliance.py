"""The compliance matrix's console side. Pure.

The rule and each cell's colour are sync/domain/weekly.py's; here are what a supervisor
reads around them: squad and district roll-ups, the communities still to chase this
week, and the weeks in Chinese.
"""

from __future__ import annotations

from datetime import date

import msgspec

from sync.domain import shanghai
from sync.domain.weekly import RULE, CommunityWeek, WeeklyRule
from sync.i18n import t


def hours(ms: int) -> float:
    return round(ms / shanghai.HOUR_MS, 1)


class Rollup(msgspec.Struct):
    # Community-weeks some liaison owed (a community without a liaison is not counted).
    communities: int = 0
    met: int = 0
    visit_ms: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.met / self.communities) if self.communities else 0

    @property
    def hours(self) -> float:
        return hours(self.visit_ms)


def rollup(cells: dict[tuple[str, date], CommunityWeek], *, groups: dict[str, list[str]],
           weeks: list[date]) -> dict[tuple[str, date], Rollup]:
    """Per group (squad, or the district) and week: communities owed, how many met, hours."""
    out = {}
    for group, community_ids in groups.items():
        for monday in weeks:
            total = Rollup()
            for community_id in community_ids:
                cell = cells[(community_id, monday)]
                if cell.liaisons:
                    total.communities += 1
                    total.met += cell.met
                    total.visit_ms += cell.visit_ms
            out[(group, monday)] = total
    return out


def gaps(cells: dict[tuple[str, date], CommunityWeek], *, today: date) -> list[str]:
    """Communities whose liaisons have not all met the rule in the week in progress."""
    monday = shanghai.week_monday(today)
    return [c for (c, w), cell in cells.items()
            if w == monday and cell.liaisons and not cell.met]


# --- the rule in words -------------------------------------------------------------------

def min_hours(rule: WeeklyRule = RULE) -> str:
    return f"{rule.min_visit_minutes / 60:g}"


def colour_label(colour: str, *, rule: WeeklyRule = RULE) -> str:
    return t(f"console.compliance.colour.{colour}", hours=min_hours(rule))


def verdict_label(verdict: str, *, rule: WeeklyRule = RULE) -> str:
    return t(f"console.compliance.verdict.{verdict}", hours=min_hours(rule))


def rule_text(rule: WeeklyRule = RULE) -> str:
    return t("console.compliance.rule", visits=rule.visits_per_week, hours=min_hours(rule),
             assigned=t(f"console.weekday.{rule.assigned_weekday}"),
             hour=rule.assigned_hour, chase=t(f"console.weekday.{rule.chase_weekday}"))


def chase_text(rule: WeeklyRule = RULE) -> str:
    return t("console.compliance.chase", chase=t(f"console.weekday.{rule.chase_weekday}"))
