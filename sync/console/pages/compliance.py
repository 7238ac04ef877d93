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
from sync.console.excel import Sheet, download
from sync.console.pages.common import day_param, page
from sync.console.viewer import Viewer
from sync.domain.shanghai import today, week_code, week_monday, week_title
from sync.domain.weekly import COLOURS, FUTURE, UNASSIGNED, VERDICTS, CommunityWeek, chasing
from sync.http.deps import Services
from sync.i18n import t


def _range(now_ms: int, first: str | None, last: str | None) -> tuple[date, date]:
    now_day = today(now_ms)
    last_day = day_param(last, default=now_day)
    first_day = day_param(first, default=week_monday(last_day) - timedelta(weeks=7))
    if first_day > last_day or (last_day - first_day).days > 400:
        first_day = week_monday(last_day) - timedelta(weeks=7)
    return first_day, last_day


async def _matrix(svc: Services, viewer: Viewer, squad: str | None,
                  first: str | None, last: str | None) -> weekly.Matrix:
    now = svc.clock.now_ms()
    first_day, last_day = _range(now, first, last)
    return await svc.compliance.matrix(viewer, squad_id=squad or None, first=first_day,
                                       last=last_day, now_ms=now)


def _cells_html(weeks: list[date]) -> Callable[[str, list[CommunityWeek]], Markup]:
    """A row's cells, joined here: a district quarter has 4,000 of them, and a template
    expression per cell attribute made that page several times slower."""
    isos = [w.isoformat() for w in weeks]
    nobody = f'<span class="nw">{escape(C.colour_label(UNASSIGNED))}</span>'

    def row(community_id: str, cells: list[CommunityWeek]) -> Markup:
        community = escape(community_id)
        parts = []
        for week, cell in zip(isos, cells, strict=True):
            # Each half kept on one line: a narrow cell breaks between them, not inside.
            text = nobody if cell.colour == UNASSIGNED else (
                f'<span class="nw">{t("console.compliance.visits", n=cell.visits)}</span> '
                f'<span class="nw">{t("console.compliance.hours", h=C.hours(cell.visit_ms))}'
                '</span>')
            if cell.colour != FUTURE:
                text = (f'<a href="/console/compliance/visits?community={community}'
                        f'&amp;week={week}">{text}</a>')
            parts.append(f'<td class="cell {cell.colour}" data-week="{week}" '
                         f'data-colour="{cell.colour}" data-liaisons="{len(cell.liaisons)}">'
                         f'{text}</td>')
        return Markup("".join(parts))

    return row


@get("/compliance")
async def matrix(request: Request[Any, Any, Any], svc: Services,
                 viewer: Viewer, squad: str | None = None,
                 first: str | None = None, last: str | None = None) -> Template:
    found = await _matrix(svc, viewer, squad, first, last)
    return page("compliance", actor=viewer.actor, viewer=viewer, m=found, squad=squad or "",
                cells_html=_cells_html(found.weeks),
                squad_names={s.id: s.name for s in viewer.squads},
                first=found.weeks[0].isoformat(), last=(found.weeks[-1] + timedelta(days=6))
                .isoformat(), week_title=week_title, week_code=week_code,
                rule_text=C.rule_text(), chasing=chasing(found.today),
                chase_text=C.chase_text(),
                legend=[(c, C.colour_label(c)) for c in COLOURS if c != FUTURE])


@get("/compliance/visits")
async def visits(request: Request[Any, Any, Any], svc: Services, viewer: Viewer, community: str,
                 week: str) -> Template:
    now = svc.clock.now_ms()
    monday = week_monday(day_param(week, default=today(now)))
    detail = await svc.compliance.week_detail(viewer, community_id=community, monday=monday,
                                              now_ms=now)
    return page("compliance_visits", actor=viewer.actor, d=detail,
                week=week_title(monday), week_code=week_code(monday),
                rule_text=C.rule_text(), hours_of=C.hours,
                colour={c: C.colour_label(c) for c in COLOURS},
                verdict={v: C.verdict_label(v) for v in VERDICTS})


@get("/compliance/export")
async def export(request: Request[Any, Any, Any], svc: Services,
                 viewer: Viewer, squad: str | None = None,
                 first: str | None = None, last: str | None = None) -> Response[bytes]:
    found = await _matrix(svc, viewer, squad, first, last)
    colour = {c: C.colour_label(c) for c in COLOURS}
    hours = C.min_hours()
    headers = [t("console.col.squad"), t("console.col.community"), t("console.col.week"),
               t("console.col.visits"), t("console.col.qualifying", hours=hours),
               t("console.col.hours"), t("console.col.result")]
    rows = [[viewer.squad_name(place.squad_id), place.name, week_title(monday), cell.visits,
             cell.qualifying, C.hours(cell.visit_ms), colour[cell.colour]]
            for place, cells in found.rows for monday, cell in zip(found.weeks, cells,
                                                                     strict=True)]
    per_liaison = [[viewer.squad_name(place.squad_id), place.name, week_title(monday),
                    found.names.get(lw.liaison_id, lw.liaison_id), lw.visits, lw.qualifying,
                    C.hours(lw.longest_ms), colour[lw.colour]]
                   for place, cells in found.rows
                   for monday, cell in zip(found.weeks, cells, strict=True)
                   for lw in cell.liaisons]
    totals = [[squad.name, week_title(monday), r.communities, r.met, f"{r.percent}%", r.hours]
              for squad, rollups in found.squads for monday, r in zip(found.weeks, rollups,
                                                                       strict=True)]
    return download([
        Sheet(title=t("console.compliance.sheet"), headers=headers, rows=rows),
        Sheet(title=t("console.compliance.sheet_liaisons"),
              headers=[t("console.col.squad"), t("console.col.community"),
                       t("console.col.week"), t("console.col.liaison"),
                       t("console.col.visits"), t("console.col.qualifying", hours=hours),
                       t("console.col.longest"), t("console.col.result")], rows=per_liaison),
        Sheet(title=t("console.compliance.sheet_squads"),
              headers=[t("console.col.squad"), t("console.col.week"),
                       t("console.col.communities"), t("console.col.met"),
                       t("console.col.rate"), t("console.col.hours")], rows=totals),
    ], filename=f"{t('console.compliance.title')}.xlsx")


handlers = [matrix, visits, export]
