"""The weekly rule (R2): each community, each ISO week, at least one visit of at least 2 h.

Pure: each community's weekly tally of visits in (counted by the database, or by
``tally`` from visits), a community × week matrix of cells out, coloured green (met), amber
(visited, but never for 2 h), red (not met) — and, for the week in progress, grey until
Thursday, when a community still without a qualifying visit becomes a gap to chase.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import msgspec

from sync.console.flags import MIN_VISIT_MS
from sync.console.shanghai import DAY_MS, to_local, week_monday

GREEN, AMBER, RED, PENDING, FUTURE = "green", "amber", "red", "pending", "future"
# Thursday: from then on, a community with no qualifying visit this week is chased.
CHASE_FROM_WEEKDAY = 3


class VisitFact(msgspec.Struct, frozen=True):
    id: str
    community_id: str
    liaison_id: str
    start_ms: int
    end_ms: int | None

    @property
    def duration_ms(self) -> int:
        return 0 if self.end_ms is None else max(0, self.end_ms - self.start_ms)

    @property
    def week(self) -> date:
        return week_monday(to_local(self.start_ms).date())


WEEK_MS = 7 * DAY_MS
# Unix time 0 was a Thursday, 08:00 in Shanghai: shifting by 8 h and 3 days makes
# ``(ms + WEEK_OFFSET_MS) // WEEK_MS`` count Monday-to-Sunday weeks of Shanghai time.
WEEK_OFFSET_MS = 8 * 3600 * 1000 + 3 * DAY_MS


def monday_of_week_number(number: int) -> date:
    return date(1970, 1, 1) + timedelta(days=7 * number - 3)


class Tally(msgspec.Struct, frozen=True):
    """One community's visits in one week."""

    community_id: str
    monday: date
    visits: int
    qualifying: int
    visit_ms: int


def tally(visits: Iterable[VisitFact]) -> list[Tally]:
    counts: dict[tuple[str, date], list[int]] = {}
    for visit in visits:
        found = counts.setdefault((visit.community_id, visit.week), [0, 0, 0])
        found[0] += 1
        found[1] += visit.duration_ms >= MIN_VISIT_MS
        found[2] += visit.duration_ms
    return [Tally(community_id=c, monday=w, visits=n, qualifying=q, visit_ms=ms)
            for (c, w), (n, q, ms) in counts.items()]


class Cell(msgspec.Struct):
    visits: int = 0
    qualifying: int = 0
    visit_ms: int = 0
    colour: str = RED

    @property
    def hours(self) -> float:
        return round(self.visit_ms / 3_600_000, 1)


def colour(cell: Cell, *, monday: date, today: date) -> str:
    if monday > today:
        return FUTURE
    if cell.qualifying:
        return GREEN
    this_week = monday == week_monday(today)
    if this_week and today.weekday() < CHASE_FROM_WEEKDAY:
        return AMBER if cell.visits else PENDING
    return AMBER if cell.visits else RED


def matrix(tallies: Iterable[Tally], *, community_ids: list[str], weeks: list[date],
           today: date) -> dict[tuple[str, date], Cell]:
    cells = {(c, w): Cell() for c in community_ids for w in weeks}
    for found in tallies:
        cell = cells.get((found.community_id, found.monday))
        if cell is None:
            continue
        cell.visits += found.visits
        cell.visit_ms += found.visit_ms
        cell.qualifying += found.qualifying
    for (_, monday), cell in cells.items():
        cell.colour = colour(cell, monday=monday, today=today)
    return cells


class Rollup(msgspec.Struct):
    communities: int = 0
    met: int = 0
    visit_ms: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.met / self.communities) if self.communities else 0

    @property
    def hours(self) -> float:
        return round(self.visit_ms / 3_600_000, 1)


def rollup(cells: dict[tuple[str, date], Cell], *, groups: dict[str, list[str]],
           weeks: list[date]) -> dict[tuple[str, date], Rollup]:
    """Per group (squad, or the district) and week: communities, how many met, hours."""
    out = {}
    for group, community_ids in groups.items():
        for monday in weeks:
            total = Rollup(communities=len(community_ids))
            for community_id in community_ids:
                cell = cells[(community_id, monday)]
                total.met += cell.colour == GREEN
                total.visit_ms += cell.visit_ms
            out[(group, monday)] = total
    return out


def gaps(cells: dict[tuple[str, date], Cell], *, today: date) -> list[str]:
    """Communities with no qualifying visit in the week in progress."""
    monday = week_monday(today)
    return [c for (c, w), cell in cells.items() if w == monday and not cell.qualifying]
