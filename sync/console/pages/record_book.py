"""Record book pages: choose a community, read or print its book, export it to Excel."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from litestar import Request, Response, get
from litestar.response import Template

from sync.console.excel import Sheet, download
from sync.console.pages.common import day_param, page
from sync.console.viewer import Viewer
from sync.domain.shanghai import fmt_datetime, today
from sync.http.deps import Services
from sync.i18n import t


def _period(now_ms: int, first: str | None, last: str | None) -> tuple[date, date]:
    last_day = day_param(last, default=today(now_ms))
    first_day = day_param(first, default=last_day.replace(day=1))
    if first_day > last_day or (last_day - first_day).days > 400:
        first_day = last_day - timedelta(days=30)
    return first_day, last_day


@get("/record-book")
async def choose(viewer: Viewer) -> Template:
    return page("record_book_index", actor=viewer.actor, viewer=viewer)


@get("/record-book/{community_id:str}")
async def book(request: Request[Any, Any, Any], svc: Services, viewer: Viewer, community_id: str,
               first: str | None = None, last: str | None = None) -> Template:
    first_day, last_day = _period(svc.clock.now_ms(), first, last)
    place, entries = await svc.record_book.book(viewer, community_id=community_id,
                                                first=first_day, last=last_day)
    return page("record_book", actor=viewer.actor, viewer=viewer, place=place, entries=entries,
                first=first_day, last=last_day)


@get("/record-book/{community_id:str}/export")
async def export(request: Request[Any, Any, Any], svc: Services, viewer: Viewer, community_id: str,
                 first: str | None = None, last: str | None = None) -> Response[bytes]:
    first_day, last_day = _period(svc.clock.now_ms(), first, last)
    place, entries = await svc.record_book.book(viewer, community_id=community_id,
                                                first=first_day, last=last_day)
    rows = [[fmt_datetime(e.at_ms), e.kind_label, e.summary,
             "；".join(f"{label}：{value}" for label, value in e.lines), e.author,
             t("console.common.yes") if e.voided else ""] for e in entries]
    headers = [t("console.col." + n) for n in ("time", "kind", "summary", "detail",
                                                "recorded_by", "voided")]
    return download([Sheet(title=place.name, headers=headers, rows=rows)],
                    filename=f"{t('console.record_book.title')}-{place.name}.xlsx")


handlers = [choose, book, export]
