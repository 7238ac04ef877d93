"""The charts page: SVG drawn on the server, each with its table one click away."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from sync.console.charts import render
from sync.console.pages.common import page
from sync.console.viewer import Viewer
from sync.http.deps import Services


@get("/charts")
async def charts(request: Request[Any, Any, Any], svc: Services, viewer: Viewer) -> Template:
    found = await svc.charts.dashboard(viewer, now_ms=svc.clock.now_ms())
    return page("charts", actor=viewer.actor, viewer=viewer,
                charts=[(c, render(c)) for c in found])


handlers = [charts]
