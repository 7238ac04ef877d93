"""Weekly compliance: the community × ISO-week matrix, its drill-down and its export."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from html import escape
from typing import Any

from litestar import Request, Response, get
from litestar.response import Template
from markupsafe import Markup

from sync.console import compliance as C
from sync.console import weekly
from sync.console.access import Viewer
from sync.console.excel import Sheet, download
from sync.console.pages.common import day_param, page
from sync.console.shanghai import today, week_label, week_monday
from sync.http.deps import services
from sync.i18n import t


def _range(now_ms: int, first: str | None, last: str | None) -> tuple[date, date]:
    now_day = today(now_ms)
    last_day = day_param(last, default=now_day)
    first_day = day_param(first, default=week_monday(last_day) - timedelta(weeks=7))
    if first_day > last_day or (last_day - first_day).days > 400:
        first_day = week_monday(last_day) - timedelta(weeks=7)
    return first_day, last_day


async def _matrix(request: Request[Any, Any, Any], viewer: Viewer, squad: str | None,
                  first: str | None, last: str | None) -> weekly.Matrix:
    svc = services(request.app.state)
    now = svc.clock.now_ms()
    first_day, last_day = _range(now, first, last)
    return await weekly.weekly_matrix(svc.engine, viewer, squad_id=squad or None,
                                      first=first_day, last=last_day, now_ms=now)


def _cells_html(weeks: list[date]) -> Callable[[str, list[C.Cell]], Markup]:
    """A row's cells, joined here: a district quarter has 4,000 of them, and a template
    expression per cell attribute made that page several times slower."""
    isos = [w.isoformat() for w in weeks]

    def row(community_id: str, cells: list[C.Cell]) -> Markup:
        community = escape(community_id)
        parts = []
        for week, cell in zip(isos, cells, strict=True):
            # Each half kept on one line: a narrow cell breaks between them, not inside.
            text = (f'<span class="nw">{t("console.compliance.visits", n=cell.visits)}</span> '
                    f'<span class="nw">{t("console.compliance.hours", h=cell.hours)}</span>')
            if cell.visits:
                text = (f'<a href="/console/compliance/visits?community={community}'
                        f'&amp;week={week}">{text}</a>')
            parts.append(f'<td class="cell {cell.colour}" data-week="{week}" '
                         f'data-colour="{cell.colour}">{text}</td>')
        return Markup("".join(parts))

    return row


@get("/compliance")
async def matrix(request: Request[Any, Any, Any], viewer: Viewer, squad: str | None = None,
                 first: str | None = None, last: str | None = None) -> Template:
    found = await _matrix(request, viewer, squad, first, last)
    return page("compliance", actor=viewer.actor, viewer=viewer, m=found, squad=squad or "",
                cells_html=_cells_html(found.weeks),
                squad_names={s.id: s.name for s in viewer.squads},
                first=found.weeks[0].isoformat(), last=(found.weeks[-1] + timedelta(days=6))
                .isoformat(), week_label=week_label)


@get("/compliance/visits")
async def visits(request: Request[Any, Any, Any], viewer: Viewer, community: str,
                 week: str) -> Template:
    svc = services(request.app.state)
    monday = week_monday(day_param(week, default=today(svc.clock.now_ms())))
    place, found = await weekly.week_visits(svc.engine, viewer, community_id=community,
                                            monday=monday)
    return page("compliance_visits", actor=viewer.actor, place=place, visits=found,
                monday=monday, week=week_label(monday), min_ms=C.MIN_VISIT_MS)


@get("/compliance/export")
async def export(request: Request[Any, Any, Any], viewer: Viewer, squad: str | None = None,
                 first: str | None = None, last: str | None = None) -> Response[bytes]:
    found = await _matrix(request, viewer, squad, first, last)
    colour = {c: t(f"console.compliance.colour.{c}") for c in (
        C.GREEN, C.AMBER, C.RED, C.PENDING, C.FUTURE)}
    headers = [t("console.col.squad"), t("console.col.community"), t("console.col.week"),
               t("console.col.visits"), t("console.col.qualifying"), t("console.col.hours"),
               t("console.col.result")]
    rows = [[viewer.squad_name(place.squad_id), place.name, week_label(monday), cell.visits,
             cell.qualifying, cell.hours, colour[cell.colour]]
            for place, cells in found.rows for monday, cell in zip(found.weeks, cells,
                                                                     strict=True)]
    totals = [[squad.name, week_label(monday), r.communities, r.met, f"{r.percent}%", r.hours]
              for squad, rollups in found.squads for monday, r in zip(found.weeks, rollups,
                                                                       strict=True)]
    return download([
        Sheet(title=t("console.compliance.sheet"), headers=headers, rows=rows),
        Sheet(title=t("console.compliance.sheet_squads"),
              headers=[t("console.col.squad"), t("console.col.week"),
                       t("console.col.communities"), t("console.col.met"),
                       t("console.col.rate"), t("console.col.hours")], rows=totals),
    ], filename=f"{t('console.compliance.title')}.xlsx")


handlers = [matrix, visits, export]
