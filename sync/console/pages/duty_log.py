"""Daily duty log pages: a squad's day, one liaison's day, and the review form."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template

from schema.kinds import REVIEW_STATES
from sync.console.pages.common import day_param, page
from sync.console.viewer import Viewer
from sync.domain.shanghai import today
from sync.http.deps import Services


@get("/duty-log")
async def squad_day(request: Request[Any, Any, Any], svc: Services,
                    viewer: Viewer, day: str | None = None,
                    squad: str | None = None) -> Template:
    now = svc.clock.now_ms()
    chosen = day_param(day, default=today(now))
    logs = await svc.duty_logs.squad_day(viewer, squad_id=squad or None, day=chosen,
                                         now_ms=now)
    return page("duty_log_squad", actor=viewer.actor, viewer=viewer, logs=logs, day=chosen,
                squad=squad or "", previous=chosen - timedelta(days=1),
                following=chosen + timedelta(days=1))


@get("/duty-log/{liaison_id:str}/{day:str}")
async def liaison_day(request: Request[Any, Any, Any], svc: Services,
                      viewer: Viewer, liaison_id: str,
                      day: str) -> Template:
    now = svc.clock.now_ms()
    log = await svc.duty_logs.liaison_day(viewer, liaison_id=liaison_id,
                                          day=day_param(day, default=today(now)), now_ms=now)
    return page("duty_log", actor=viewer.actor, viewer=viewer, log=log,
                states=REVIEW_STATES)


@post("/duty-log/{liaison_id:str}/{day:str}/review")
async def review(request: Request[Any, Any, Any], svc: Services, viewer: Viewer, liaison_id: str,
                 day: str) -> Redirect:
    form = await request.form()
    now = svc.clock.now_ms()
    chosen = day_param(day, default=today(now))
    await svc.duty_logs.set_review(viewer, liaison_id=liaison_id, day=chosen,
                                   state=str(form.get("state", "")),
                                   comment=str(form.get("comment", "")), now_ms=now)
    return Redirect(f"/console/duty-log/{liaison_id}/{chosen.isoformat()}", status_code=303)


handlers = [squad_day, liaison_day, review]
