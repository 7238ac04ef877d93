"""The QR registry in the console (/console/qr): admins and squad leaders post, replace
and revoke codes and print posters; the bureau reads; everyone sees the use figures.

It rides on the console's session (sync/console/access.py) and error pages, and calls
the same registry as the CLI and the JSON API.
"""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, Response, Router, get, post
from litestar.di import Provide
from litestar.response import Redirect, Template

from sync.console.access import current_actor
from sync.console.pages.common import ERROR_HANDLERS
from sync.console.router import session_cookie
from sync.db.engine import read_transaction
from sync.domain.roles import Actor, Role
from sync.errors import DomainError
from sync.http.deps import services
from sync.i18n import t
from sync.qr import images, poster, rules
from sync.qr.api import code_state
from sync.qr.registry import QrRegistry, may_manage
from sync.store import org
from sync.store.blobs import BlobFolder


def _registry(request: Request[Any, Any, Any]) -> QrRegistry:
    s = services(request.app.state)
    return QrRegistry(s.engine, s.clock)


def _base(request: Request[Any, Any, Any]) -> str:
    # The configured public address wins: behind a proxy the request's own is internal.
    return (services(request.app.state).settings.public_url
            or str(request.base_url).rstrip("/"))


def _staff(actor: Actor) -> Actor:
    # Liaisons use the PWA; the registry is for the office and supervisors.
    if actor.role is Role.LIAISON:
        raise DomainError("forbidden")
    return actor


@get("/")
async def registry_page(request: Request[Any, Any, Any], actor: Actor,
                        community_id: str | None = None) -> Template:
    registry = _registry(request)
    codes = await registry.codes(by=_staff(actor), community_id=community_id or None)
    figures = await registry.figures(by=actor, community_id=community_id or None, weeks=8)
    async with read_transaction(services(request.app.state).engine) as conn:
        communities = await org.list_communities(conn)
    return Template("qr/console.html", context={
        "t": t, "actor": actor, "base": _base(request), "community_id": community_id or "",
        "rows": [{"code": c, "url": images.public_url(_base(request), c.code),
                  "state": code_state(c), "posted": rules.local_time(c.posted_ms)[:10],
                  "last_scan": rules.local_time(c.last_scan_ms) if c.last_scan_ms else "",
                  "stale": c.active and rules.is_stale(
                      posted_ms=c.posted_ms, last_scan_ms=c.last_scan_ms,
                      now_ms=services(request.app.state).clock.now_ms()),
                  "may_manage": c.active and may_manage(actor, c.squad_id)} for c in codes],
        "manageable": [c for c in communities if may_manage(actor, c.squad_id)],
        "squads": sorted({c.squad_id for c in communities if may_manage(actor, c.squad_id)
                          or actor.role is Role.BUREAU}),
        "placements": rules.STANDARD_PLACEMENTS, "figures": figures,
        "stale_days": rules.STALE_DAYS})


@post("/codes")
async def create(request: Request[Any, Any, Any], actor: Actor) -> Redirect:
    form = await request.form()
    placement = str(form.get("custom_placement", "")).strip() or str(form.get("placement", ""))
    found = await _registry(request).create(str(form.get("community_id", "")), placement,
                                            by=_staff(actor), source="console")
    return Redirect(f"/console/qr/?community_id={found.community_id}", status_code=303)


@post("/codes/{code:str}/{action:str}")
async def change(request: Request[Any, Any, Any], actor: Actor, code: str,
                 action: str) -> Redirect:
    registry = _registry(request)
    if action == "revoke":
        found = await registry.revoke(code, by=_staff(actor), source="console")
    elif action == "replace":
        found = await registry.replace(code, by=_staff(actor), source="console")
    else:
        raise DomainError("not_found")
    return Redirect(f"/console/qr/?community_id={found.community_id}", status_code=303)


@get("/codes/{code:str}/image/{fmt:str}")
async def image(request: Request[Any, Any, Any], actor: Actor, code: str,
                fmt: str) -> Response[bytes]:
    found = await _registry(request).find(code, by=_staff(actor))
    url = images.public_url(_base(request), found.code)
    if fmt == "svg":
        return Response(images.svg(url).encode(), media_type="image/svg+xml", headers={
            "Content-Disposition": f'attachment; filename="qr-{found.code}.svg"'})
    if fmt != "png":
        raise DomainError("not_found")
    return Response(images.png(url), media_type="image/png", headers={
        "Content-Disposition": f'attachment; filename="qr-{found.code}.png"'})


@get("/poster")
async def poster_page(request: Request[Any, Any, Any], actor: Actor,
                      community_id: str | None = None,
                      squad_id: str | None = None) -> Response[str]:
    pages = await _registry(request).poster_pages(
        by=_staff(actor), community_id=community_id or None, squad_id=squad_id or None)
    folder = BlobFolder(services(request.app.state).settings.blob_dir)
    html = poster.render(pages, base_url=_base(request), folder=folder,
                         title=community_id or squad_id or "")
    return Response(html, media_type=MediaType.HTML)


def router() -> Router:
    return Router(
        path="/console/qr", route_handlers=[registry_page, create, change, image, poster_page],
        dependencies={"actor": Provide(current_actor)},
        exception_handlers=ERROR_HANDLERS,
        middleware=[session_cookie], include_in_schema=False)
