"""Property supervision pages: every company in scope, and one company's detail."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from sync.console.pages.common import page
from sync.console.viewer import Viewer
from sync.http.deps import Services


@get("/property")
async def companies(request: Request[Any, Any, Any], svc: Services, viewer: Viewer) -> Template:
    found = await svc.property_supervision.reports(viewer, now_ms=svc.clock.now_ms())
    return page("property", actor=viewer.actor, viewer=viewer, reports=found)


@get("/property/{company_id:str}")
async def company(request: Request[Any, Any, Any], svc: Services,
                  viewer: Viewer, company_id: str) -> Template:
    found = await svc.property_supervision.reports(viewer, now_ms=svc.clock.now_ms(),
                                                   company_id=company_id)
    return page("property_company", actor=viewer.actor, viewer=viewer, report=found[0])


handlers = [companies, company]
