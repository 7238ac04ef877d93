"""Console pages of the evaluation, under /console/evaluation/: the assessment and its
evidence, reviewers' scores, "50 佳", appraisal, 12345 imports and the diversion.

Thin handlers: they decode, let the console's guard say who is asking, call the
evaluation's services and render. Squad leaders see their squad; the bureau decides.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Response, Router, get, post
from litestar.response import Redirect, Template

from sync.console import present
from sync.console.charts import Chart, Series, render
from sync.console.pages.common import HELPERS
from sync.console.viewer import Viewer
from sync.domain.access import Action, Subject
from sync.domain.shanghai import to_local
from sync.errors import DomainError
from sync.evaluation.excel import (
    appraisal_workbook,
    assessment_workbook,
    diversion_workbook,
    to_bytes,
)
from sync.evaluation.period import parse_period
from sync.evaluation.scoring import squad_summary
from sync.http.deps import Services
from sync.i18n import t
from sync.xlsx import XLSX


def _period(svc: Services, period: str | None) -> str:
    """The asked period, else the current quarter."""
    if period:
        return parse_period(period).code
    now = to_local(svc.clock.now_ms())
    return f"{now.year}-Q{(now.month - 1) // 3 + 1}"


def _xlsx(data: bytes, name: str) -> Response[bytes]:
    return Response(content=data, media_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


def _evaluation_page(name: str, viewer: Viewer, **context: Any) -> Template:
    """A page in the console's frame (templates/evaluation/ extend console/base.html)."""
    return Template(template_name=f"evaluation/{name}.html", context={
        **HELPERS, "actor": viewer.actor, "viewer": viewer, **context})


# --- assessment -------------------------------------------------------------------------

@get("/assessment")
async def assessment(request: Request[Any, Any, Any], svc: Services, viewer: Viewer,
                     period: str | None = None) -> Template:
    result = await svc.evaluation.assess(_period(svc, period), actor=viewer.actor)
    chart = Chart(id="ranking", title=t("evaluation.excel.chart_ranking"),
                  labels=[s.workroom.name for s in result.scores[:20]],
                  series=[Series(name=t("evaluation.excel.total"),
                                 values=[s.total for s in result.scores[:20]])])
    return _evaluation_page("assessment", viewer, result=result, chart=chart,
                            svg=render(chart), squads=squad_summary(result.scores), nominated={
                                n["community_id"]: n for n in result.nominations})


@get("/assessment/export")
async def assessment_export(request: Request[Any, Any, Any], svc: Services, viewer: Viewer,
                            period: str | None = None) -> Response[bytes]:
    result = await svc.evaluation.assess(_period(svc, period), actor=viewer.actor)
    return _xlsx(to_bytes(assessment_workbook(result)), f"考评排名-{result.period.code}.xlsx")


@get("/assessment/{community_id:str}")
async def workroom(request: Request[Any, Any, Any], svc: Services,
                   viewer: Viewer, community_id: str,
                   period: str | None = None) -> Template:
    viewer.place(community_id)
    result = await svc.evaluation.assess(_period(svc, period), actor=viewer.actor)
    score = next((s for s in result.scores if s.workroom.community_id == community_id), None)
    if score is None:
        raise DomainError("not_found")
    history = [h for h in result.manual_history if h.community_id == community_id]
    return _evaluation_page("workroom", viewer, result=result, score=score, history=history)


@post("/scores")
async def add_score(request: Request[Any, Any, Any], svc: Services, viewer: Viewer) -> Redirect:
    form = await request.form()
    period, community_id = str(form.get("period", "")), str(form.get("community_id", ""))
    viewer.place(community_id)
    try:
        points = float(str(form.get("points", "")))
    except ValueError:
        raise DomainError("invalid_field", field="points", detail=t("detail.points")) from None
    await svc.evaluation.score_manually(
        period_code=period, community_id=community_id,
        criterion_id=str(form.get("criterion_id", "")), points=points,
        note=str(form.get("note", "")), actor=viewer.actor)
    return Redirect(f"/console/evaluation/assessment/{community_id}?period={period}",
                    status_code=303)


@post("/scores/{score_id:str}/contest")
async def contest(request: Request[Any, Any, Any], svc: Services,
                  viewer: Viewer, score_id: str) -> Redirect:
    form = await request.form()
    score = await svc.evaluation.manual_score(score_id)
    # Another squad's score is not found, like one that does not exist: the service's own
    # refusal would answer 400 naming the score's community.
    viewer.place(score.community_id if score else None)
    await svc.evaluation.contest(score_id, reason=str(form.get("reason", "")),
                                       actor=viewer.actor)
    back = str(form.get("back", ""))
    # Only back to our own pages: a form field must not make us an open redirect.
    if not back.startswith("/console/evaluation/") or "//" in back or "\\" in back:
        back = "/console/evaluation/assessment"
    return Redirect(back, status_code=303)


@post("/nominations")
async def nominate(request: Request[Any, Any, Any], svc: Services, viewer: Viewer) -> Redirect:
    form = await request.form()
    period = parse_period(str(form.get("period", ""))).code
    community_id = str(form.get("community_id", ""))
    evaluation = svc.evaluation
    if community_id:
        await evaluation.decide(period, community_id, status=str(form.get("status", "")),
                                actor=viewer.actor, note=str(form.get("note", "")) or None)
    else:
        await evaluation.nominate(period, actor=viewer.actor)
    return Redirect(f"/console/evaluation/assessment?period={period}", status_code=303)


@get("/records/{record_id:str}")
async def record(request: Request[Any, Any, Any], svc: Services,
                 viewer: Viewer, record_id: str) -> Template:
    """What a score's evidence points at; out of the viewer's scope is not found."""
    found, names = await svc.evaluation.evidence_record(record_id)
    if found is None:
        raise DomainError("not_found")
    place = viewer.place(found.community_id)
    # When it happened, for the link to that day's duty log.
    at = present.own_time(found.record) or found.created_ms
    return _evaluation_page("record", viewer, record=found, place=place,
                            lines=present.lines(found.record),
                            kind_label=present.kind_label(found.kind),
                            author=names.get(found.created_by, found.created_by),
                            day=to_local(at).date().isoformat())


# --- appraisal ----------------------------------------------------------------------------

@get("/appraisal")
async def appraisal(request: Request[Any, Any, Any], svc: Services, viewer: Viewer,
                    period: str | None = None) -> Template:
    code = _period(svc, period)
    rows = await svc.evaluation.appraise(code, actor=viewer.actor)
    return _evaluation_page("appraisal", viewer, period=code, rows=rows)


@get("/appraisal/export")
async def appraisal_export(request: Request[Any, Any, Any], svc: Services, viewer: Viewer,
                           period: str | None = None) -> Response[bytes]:
    code = _period(svc, period)
    rows = await svc.evaluation.appraise(code, actor=viewer.actor)
    return _xlsx(to_bytes(appraisal_workbook(rows)), f"联络员考核-{code}.xlsx")


# --- 12345 and the diversion ---------------------------------------------------------------

@get("/diversion")
async def diversion(request: Request[Any, Any, Any], svc: Services, viewer: Viewer,
                    period: str | None = None) -> Template:
    report = await svc.diversion.report(_period(svc, period), actor=viewer.actor)
    trend = Chart(id="trend", title=t("evaluation.excel.chart_trend"), line=True,
                  labels=[r.month for r in report.trend], series=[
                      Series(name=t("evaluation.excel.qr_cases"),
                             values=[r.qr_cases for r in report.trend]),
                      Series(name=t("evaluation.excel.workroom_cases"),
                             values=[r.workroom_cases for r in report.trend]),
                      Series(name=t("evaluation.excel.hotline_orders"),
                             values=[r.hotline_orders for r in report.trend])])
    placements = sorted({a.placement for a in report.adoption})
    adoption = Chart(id="adoption", title=t("evaluation.excel.chart_adoption"),
                     labels=placements, series=[
                         Series(name=t(f"evaluation.excel.{key}"), values=[
                             sum(getattr(a, key) for a in report.adoption if a.placement == p)
                             for p in placements]) for key in ("scans", "reports")])
    rooms = {w.community_id: w for w in report.workrooms}
    return _evaluation_page("diversion", viewer, report=report, rooms=rooms,
                            charts=[(trend, render(trend)), (adoption, render(adoption))])


@get("/diversion/export")
async def diversion_export(request: Request[Any, Any, Any], svc: Services, viewer: Viewer,
                           period: str | None = None) -> Response[bytes]:
    report = await svc.diversion.report(_period(svc, period), actor=viewer.actor)
    return _xlsx(to_bytes(diversion_workbook(report)), f"12345分流-{report.period}.xlsx")


@get("/work-orders")
async def work_orders(request: Request[Any, Any, Any], svc: Services, viewer: Viewer,
                      import_id: str | None = None) -> Template:
    orders, actor = svc.work_orders, viewer.actor
    recent = await orders.imports(actor=actor)
    shown = import_id or (recent[0]["id"] if recent else None)
    return _evaluation_page(
        "work_orders", viewer, imports=recent, shown=shown,
        errors=await orders.import_errors(shown, actor=actor) if shown else [],
        unmapped=await orders.unmapped(actor=actor), places=viewer.squad_places(None),
        may_import=viewer.may(Subject.WORK_ORDERS, Action.MANAGE))


@post("/work-orders/import")
async def upload(request: Request[Any, Any, Any], svc: Services, viewer: Viewer) -> Redirect:
    form = await request.form()
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise DomainError("import_empty")
    result = await svc.work_orders.import_file(
        await upload.read(), file_name=upload.filename or "12345", actor=viewer.actor)
    return Redirect(f"/console/evaluation/work-orders?import_id={result.import_id}",
                    status_code=303)


@post("/work-orders/{order_no:str}/map")
async def map_order(request: Request[Any, Any, Any], svc: Services,
                    viewer: Viewer, order_no: str) -> Redirect:
    form = await request.form()
    community_id = str(form.get("community_id", ""))
    viewer.place(community_id)
    await svc.work_orders.map_order(order_no, community_id, actor=viewer.actor)
    return Redirect("/console/evaluation/work-orders", status_code=303)


def router() -> Router:
    """The evaluation's pages, mounted under the console's router (its session, guard and
    error pages)."""
    return Router(
        path="/evaluation",
        route_handlers=[assessment, assessment_export, workroom, add_score, contest, nominate,
                        record, appraisal, appraisal_export, diversion, diversion_export,
                        work_orders, upload, map_order])
