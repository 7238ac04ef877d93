"""The weekly compliance page's service: the visits and assignments in scope, through the
weekly rule (sync/domain/weekly.py), into the matrix and a week's drill-down."""

from __future__ import annotations

from datetime import date, timedelta

import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine

from sync.console import compliance as C
from sync.console.viewer import Viewer
from sync.db.engine import read_transaction
from sync.domain import weekly
from sync.domain.org import Community
from sync.domain.shanghai import day_start_ms, today, weeks_between
from sync.domain.weekly import RULE, CommunityWeek, Visit, WeeklyRule
from sync.store import people
from sync.store.org import liaison_assignments
from sync.store.visits import visits_between, week_buckets

DISTRICT = "district"


class Matrix(msgspec.Struct):
    weeks: list[date]
    rows: list[tuple[Community, list[CommunityWeek]]]
    squads: list[tuple[people.Squad, list[C.Rollup]]]
    district: list[C.Rollup]
    gaps: list[Community]
    today: date
    # The owing liaisons' names, for the workbook's per-liaison sheet.
    names: dict[str, str]


class WeekVisit(msgspec.Struct, frozen=True):
    visit: Visit
    liaison_name: str
    verdict: str


class WeekDetail(msgspec.Struct, frozen=True):
    """One community-week: each liaison who owed it with their week, and every visit."""

    place: Community
    monday: date
    cell: CommunityWeek
    names: dict[str, str]
    visits: list[WeekVisit]


class Compliance:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def matrix(self, viewer: Viewer, *, squad_id: str | None, first: date, last: date,
                     now_ms: int, rule: WeeklyRule = RULE) -> Matrix:
        places = viewer.squad_places(squad_id)
        weeks = weeks_between(first, last)
        start = day_start_ms(weeks[0])
        end = day_start_ms(weeks[-1] + timedelta(days=7))
        ids = [p.id for p in places]
        scope = None if viewer.is_bureau and not squad_id else ids
        async with read_transaction(self.engine) as conn:
            buckets = await week_buckets(conn, scope, start_ms=start, end_ms=end,
                                         bucketing=weekly.bucketing(rule))
            assignments = await liaison_assignments(conn, scope, during=(start, end))
            names = await people.names(conn, [a.liaison_id for a in assignments])
        now_day = today(now_ms)
        cells = weekly.matrix(weekly.tallies_from(buckets), assignments=assignments,
                              community_ids=ids, weeks=weeks, today=now_day, rule=rule)
        squads = [s for s in viewer.squads if any(p.squad_id == s.id for p in places)]
        groups = {s.id: [p.id for p in places if p.squad_id == s.id] for s in squads}
        groups[DISTRICT] = ids
        totals = C.rollup(cells, groups=groups, weeks=weeks)
        gap_ids = set(C.gaps(cells, today=now_day)) if now_day >= weeks[0] else set()
        return Matrix(
            weeks=weeks, rows=[(p, [cells[(p.id, w)] for w in weeks]) for p in places],
            squads=[(s, [totals[(s.id, w)] for w in weeks]) for s in squads],
            district=[totals[(DISTRICT, w)] for w in weeks],
            gaps=[p for p in places if p.id in gap_ids], today=now_day, names=names)

    async def week_detail(self, viewer: Viewer, *, community_id: str, monday: date,
                          now_ms: int, rule: WeeklyRule = RULE) -> WeekDetail:
        place = viewer.place(community_id)
        start = day_start_ms(monday)
        end = day_start_ms(monday + timedelta(days=7))
        async with read_transaction(self.engine) as conn:
            found = await visits_between(conn, [place.id], start_ms=start, end_ms=end)
            assignments = await liaison_assignments(conn, [place.id], during=(start, end))
            owed_by = weekly.owing(assignments, monday=monday, rule=rule).get(place.id, [])
            names = await people.names(conn, [*owed_by, *(f.liaison_id for f in found)])
        cell = weekly.community_week(weekly.tally(found, rule=rule), community_id=place.id,
                                     liaison_ids=owed_by, monday=monday, today=today(now_ms),
                                     rule=rule)
        found.sort(key=lambda f: f.start_ms)
        return WeekDetail(place=place, monday=monday, cell=cell, names=names, visits=[
            WeekVisit(visit=f, liaison_name=names.get(f.liaison_id, f.liaison_id),
                      verdict=weekly.verdict(f, owed_by=owed_by, rule=rule)) for f in found])
