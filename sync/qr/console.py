"""The QR registry in the console (/console/qr): admins and squad leaders post, replace
and revoke codes and print posters; the bureau reads them and their use figures (the
access policy's QR_CODES, sync/domain/access.py).

It rides on the console's session (sync/console/access.py) and error pages, and calls
the same registry as the CLI and the JSON API.
"""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, Response, Router, get, post
from litestar.response import Redirect, Template

from schema.kinds import QR_PLACEMENTS
from sync.domain import access
from sync.domain.access import Action, Subject
from sync.domain.roles import Actor
from sync.domain.shanghai import fmt_datetime, week_name_of_code
from sync.errors import DomainError
from sync.http.deps import Services, public_base_url
from sync.i18n import t
from sync.qr import images, poster, rules
from sync.qr.api import code_state
from sync.store.blobs import BlobFolder


def _may(actor: Actor, action: Action, community_id: str, squad_id: str) -> bool:
    return access.may(actor, Subject.QR_CODES, action, community_id=community_id,
                      squad_id=squad_id)


@get("/")
async def registry_page(request: Request[Any, Any, Any], svc: Services, actor: Actor,
                        community_id: str | None = None) -> Template:
    registry = svc.qr_registry
    codes = await registry.codes(by=actor, community_id=community_id or None)
    figures = await registry.figures(by=actor, community_id=community_id or None, weeks=8)
    communities = await registry.communities()
    base = public_base_url(svc, request)
    return Template("qr/console.html", context={
        "t": t, "actor": actor, "base": base, "community_id": community_id or "",
        "rows": [{"code": c, "url": images.public_url(base, c.code),
                  "state": code_state(c), "posted": fmt_datetime(c.posted_ms)[:10],
                  "last_scan": fmt_datetime(c.last_scan_ms) if c.last_scan_ms else "",
                  "stale": c.active and rules.is_stale(
                      posted_ms=c.posted_ms, last_scan_ms=c.last_scan_ms,
                      now_ms=svc.clock.now_ms()),
                  "may_manage": c.active and _may(actor, Action.MANAGE, c.community_id,
                                                  c.squad_id)} for c in codes],
        "manageable": [c for c in communities
                       if _may(actor, Action.MANAGE, c.id, c.squad_id)],
        "visible": [c for c in communities if _may(actor, Action.READ, c.id, c.squad_id)],
        "squads": list({c.squad_id: c for c in communities
                        if _may(actor, Action.READ, c.id, c.squad_id)}.values()),
        "placements": QR_PLACEMENTS, "figures": figures,
        "stale_days": rules.STALE_DAYS, "week_name": week_name_of_code})


@post("/codes")
async def create(request: Request[Any, Any, Any], svc: Services, actor: Actor) -> Redirect:
    form = await request.form()
    placement = str(form.get("custom_placement", "")).strip() or str(form.get("placement", ""))
    found = await svc.qr_registry.create(str(form.get("community_id", "")), placement,
                                            by=actor, source="console")
    return Redirect(f"/console/qr/?community_id={found.community_id}", status_code=303)


@post("/codes/{code:str}/{action:str}")
async def change(request: Request[Any, Any, Any], svc: Services, actor: Actor, code: str,
                 action: str) -> Redirect:
    registry = svc.qr_registry
    if action == "revoke":
        found = await registry.revoke(code, by=actor, source="console")
    elif action == "replace":
        found = await registry.replace(code, by=actor, source="console")
    else:
        raise DomainError("not_found")
    return Redirect(f"/console/qr/?community_id={found.community_id}", status_code=303)


@get("/codes/{code:str}/image/{fmt:str}")
async def image(request: Request[Any, Any, Any], svc: Services, actor: Actor, code: str,
                fmt: str) -> Response[bytes]:
    found = await svc.qr_registry.find(code, by=actor)
    url = images.public_url(public_base_url(svc, request), found.code)
    if fmt == "svg":
        return Response(images.svg(url).encode(), media_type="image/svg+xml", headers={
            "Content-Disposition": f'attachment; filename="qr-{found.code}.svg"'})
    if fmt != "png":
        raise DomainError("not_found")
    return Response(images.png(url), media_type="image/png", headers={
        "Content-Disposition": f'attachment; filename="qr-{found.code}.png"'})


@get("/poster")
async def poster_page(request: Request[Any, Any, Any], svc: Services, actor: Actor,
                      community_id: str | None = None,
                      squad_id: str | None = None) -> Response[str]:
    pages = await svc.qr_registry.poster_pages(
        by=actor, community_id=community_id or None, squad_id=squad_id or None)
    folder = BlobFolder(svc.settings.blob_dir)
    html = poster.render(pages, base_url=public_base_url(svc, request), folder=folder)
    return Response(html, media_type=MediaType.HTML)


def router() -> Router:
    """Mounted under the console's router: its session, guard and error pages."""
    return Router(path="/qr", route_handlers=[registry_page, create, change, image, poster_page])
