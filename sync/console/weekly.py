"""The weekly compliance page's service: load visits in scope, compute the matrix."""

from __future__ import annotations

from datetime import date, timedelta

import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine

from sync.console import compliance as C
from sync.console.access import Viewer
from sync.console.shanghai import day_start_ms, today, weeks_between
from sync.db.engine import read_transaction
from sync.domain.org import Community
from sync.store import people
from sync.store.visits import visits_between, week_tallies

DISTRICT = "district"


class Matrix(msgspec.Struct):
    weeks: list[date]
    rows: list[tuple[Community, list[C.Cell]]]
    squads: list[tuple[people.Squad, list[C.Rollup]]]
    district: list[C.Rollup]
    gaps: list[Community]
    today: date


async def weekly_matrix(engine: AsyncEngine, viewer: Viewer, *, squad_id: str | None,
                        first: date, last: date, now_ms: int) -> Matrix:
    places = viewer.squad_places(squad_id)
    weeks = weeks_between(first, last)
    start = day_start_ms(weeks[0])
    end = day_start_ms(weeks[-1] + timedelta(days=7))
    ids = [p.id for p in places]
    async with read_transaction(engine) as conn:
        tallies = await week_tallies(conn, None if viewer.is_bureau and not squad_id else ids,
                                     start_ms=start, end_ms=end)
    now_day = today(now_ms)
    cells = C.matrix(tallies, community_ids=ids, weeks=weeks, today=now_day)
    squads = [s for s in viewer.squads if any(p.squad_id == s.id for p in places)]
    groups = {s.id: [p.id for p in places if p.squad_id == s.id] for s in squads}
    groups[DISTRICT] = ids
    totals = C.rollup(cells, groups=groups, weeks=weeks)
    gap_ids = set(C.gaps(cells, today=now_day)) if now_day >= weeks[0] else set()
    return Matrix(
        weeks=weeks, rows=[(p, [cells[(p.id, w)] for w in weeks]) for p in places],
        squads=[(s, [totals[(s.id, w)] for w in weeks]) for s in squads],
        district=[totals[(DISTRICT, w)] for w in weeks],
        gaps=[p for p in places if p.id in gap_ids], today=now_day)


async def week_visits(engine: AsyncEngine, viewer: Viewer, *, community_id: str,
                      monday: date) -> tuple[Community, list[tuple[C.VisitFact, str]]]:
    place = viewer.place(community_id)
    start = day_start_ms(monday)
    async with read_transaction(engine) as conn:
        facts = await visits_between(conn, [place.id], start_ms=start,
                                     end_ms=start + 7 * 24 * 3600 * 1000)
        names = await people.names(conn, [f.liaison_id for f in facts])
    facts.sort(key=lambda f: f.start_ms)
    return place, [(f, names.get(f.liaison_id, f.liaison_id)) for f in facts]
