"""The case ledger pages: the filtered list, one case's trail, reopen, the Excel export."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template

from schema.kinds import CASE_STAGES
from schema.lists import categories
from sync.console.excel import Sheet, download
from sync.console.ledger import REOPEN_STAGES, LedgerQuery, source_groups
from sync.console.pages.common import page
from sync.console.viewer import Viewer
from sync.domain.access import may_reopen
from sync.domain.shanghai import fmt_datetime, parse_day
from sync.http.deps import Services
from sync.i18n import t


def _query(squad: str | None, community: str | None, source: str | None, category: str | None,
           status: str | None, first: str | None, last: str | None, overdue: str | None,
           page_no: str | None) -> LedgerQuery:
    no_day = date(1, 1, 1)
    first_day, last_day = parse_day(first, default=no_day), parse_day(last, default=no_day)
    return LedgerQuery(
        squad=squad or None, community=community or None,
        source=source if source in dict(source_groups()) else None,
        category=category or None, status=status if status in CASE_STAGES else None,
        first=None if first_day == no_day else first_day,
        last=None if last_day == no_day else last_day, overdue=bool(overdue),
        page=int(page_no) if page_no and page_no.isdigit() else 1)


@get("/ledger")
async def ledger(request: Request[Any, Any, Any], svc: Services,
                 viewer: Viewer, squad: str | None = None,
                 community: str | None = None, source: str | None = None,
                 category: str | None = None, status: str | None = None,
                 first: str | None = None, last: str | None = None,
                 overdue: str | None = None, page_no: str | None = None) -> Template:
    query = _query(squad, community, source, category, status, first, last, overdue, page_no)
    found = await svc.ledger.page(viewer, query, now_ms=svc.clock.now_ms())
    return page("ledger", actor=viewer.actor, viewer=viewer, q=query, result=found,
                stages=CASE_STAGES, categories=[c.value for c in categories()],
                source_groups=source_groups())


@get("/ledger/export")
async def export(request: Request[Any, Any, Any], svc: Services,
                 viewer: Viewer, squad: str | None = None,
                 community: str | None = None, source: str | None = None,
                 category: str | None = None, status: str | None = None,
                 first: str | None = None, last: str | None = None,
                 overdue: str | None = None) -> Response[bytes]:
    query = _query(squad, community, source, category, status, first, last, overdue, None)
    rows = await svc.ledger.all_rows(viewer, query, now_ms=svc.clock.now_ms())
    yes, no = t("console.common.yes"), t("console.common.no")
    cases = [[r.id, fmt_datetime(r.received_ms), r.squad_name, r.community_name, r.title,
              r.category, r.source_label, r.stage_label, r.reopen_count,
              r.sla.response_hours if r.sla.response_hours is not None else "",
              r.sla.resolve_days if r.sla.resolve_days is not None else "",
              yes if r.sla.overdue else no, yes if r.sla.closed_without_feedback else no,
              r.author] for r in rows]
    steps = [[r.id, r.title, fmt_datetime(s.at_ms), s.action_label, s.author,
              "；".join(f"{label}：{value}" for label, value in s.lines)]
             for r in rows for s in r.steps]
    col = "console.col."
    return download([
        Sheet(title=t("console.ledger.title"), headers=[t(col + n) for n in (
            "case_id", "received", "squad", "community", "title", "category", "source",
            "status", "reopen_count", "response_hours", "resolve_days", "overdue",
            "no_feedback", "recorded_by")], rows=cases),
        Sheet(title=t("console.ledger.steps_sheet"), headers=[t(col + n) for n in (
            "case_id", "title", "time", "action", "recorded_by", "detail")], rows=steps),
    ], filename=f"{t('console.ledger.title')}.xlsx")


@get("/ledger/{case_id:str}")
async def case(request: Request[Any, Any, Any], svc: Services,
               viewer: Viewer, case_id: str) -> Template:
    row = await svc.ledger.case_detail(viewer, case_id, now_ms=svc.clock.now_ms())
    return page("case", actor=viewer.actor, viewer=viewer, case=row,
                may_reopen=may_reopen(viewer.actor), reopen_stages=REOPEN_STAGES)


@post("/ledger/{case_id:str}/reopen")
async def reopen(request: Request[Any, Any, Any], svc: Services,
                 viewer: Viewer, case_id: str) -> Redirect:
    form = await request.form()
    await svc.ledger.reopen(viewer, case_id, stage=str(form.get("stage", "")),
                            note=str(form.get("note", "")), now_ms=svc.clock.now_ms(),
                            step_id=str(uuid.uuid4()))
    return Redirect(f"/console/ledger/{case_id}", status_code=303)


handlers = [ledger, export, case, reopen]
