"""The office's QR actions over the JSON API (bearer token), for the console and scripts.

Admins and squad leaders (their squad) create, revoke and replace codes; the bureau
reads the registry and the use figures too. Posters come back as printable HTML.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import MediaType, Request, Response, get, post
from litestar.di import Provide

from sync.domain.shanghai import wire_iso
from sync.errors import DomainError
from sync.http.body import client_address, decode_request
from sync.http.deps import Services, public_base_url, require_session
from sync.http.openapi import BEARER, BINARY, documented, errors, json_body
from sync.qr import images, poster
from sync.qr.registry import WeekFigures
from sync.services.auth import Authenticated
from sync.store.blobs import BlobFolder
from sync.store.qr import QrCode

_session = {"session": Provide(require_session)}


class CreateCode(msgspec.Struct, forbid_unknown_fields=True):
    community_id: str
    placement: str


class CodeOut(msgspec.Struct):
    code: str
    url: str
    community_id: str
    community_name: str
    placement: str
    state: str  # active | revoked | replaced
    posted_at: str
    last_scan_at: str | None
    replaced_by: str | None


class CodesResponse(msgspec.Struct):
    codes: list[CodeOut]


class FiguresResponse(msgspec.Struct):
    figures: list[WeekFigures]


_create_decoder = msgspec.json.Decoder(CreateCode)


def code_state(found: QrCode) -> str:
    if found.active:
        return "active"
    return "replaced" if found.replaced_by else "revoked"


def code_out(found: QrCode, base_url: str) -> CodeOut:
    return CodeOut(code=found.code, url=images.public_url(base_url, found.code),
                   community_id=found.community_id, community_name=found.community_name,
                   placement=found.placement, state=code_state(found),
                   posted_at=wire_iso(found.posted_ms),
                   last_scan_at=wire_iso(found.last_scan_ms) if found.last_scan_ms else None,
                   replaced_by=found.replaced_by)


@get("/api/v1/qr/codes", tags=["qr"], dependencies=_session, security=BEARER,
     responses=errors(401, 403))
async def list_codes(request: Request[Any, Any, Any], svc: Services, session: Authenticated,
                     community_id: str | None = None,
                     squad_id: str | None = None) -> CodesResponse:
    found = await svc.qr_registry.codes(by=session.actor, community_id=community_id,
                                           squad_id=squad_id)
    return CodesResponse(codes=[code_out(c, public_base_url(svc, request)) for c in found])


@post("/api/v1/qr/codes", status_code=201, tags=["qr"], dependencies=_session, security=BEARER,
      responses=errors(401, 403, 404, 413), operation_class=json_body(CreateCode))
async def create_code(request: Request[Any, Any, Any], svc: Services,
                      session: Authenticated) -> CodeOut:
    body = await decode_request(request, _create_decoder)
    found = await svc.qr_registry.create(body.community_id, body.placement,
                                            by=session.actor,
                                            source=client_address(request) or "api")
    return code_out(found, public_base_url(svc, request))


@post("/api/v1/qr/codes/{code:str}/revoke", status_code=200, tags=["qr"],
      dependencies=_session, security=BEARER, responses=errors(401, 403, 404))
async def revoke_code(request: Request[Any, Any, Any], svc: Services, session: Authenticated,
                      code: str) -> CodeOut:
    found = await svc.qr_registry.revoke(code, by=session.actor,
                                            source=client_address(request) or "api")
    return code_out(found, public_base_url(svc, request))


@post("/api/v1/qr/codes/{code:str}/replace", status_code=201, tags=["qr"],
      dependencies=_session, security=BEARER, responses=errors(401, 403, 404))
async def replace_code(request: Request[Any, Any, Any], svc: Services, session: Authenticated,
                       code: str) -> CodeOut:
    found = await svc.qr_registry.replace(code, by=session.actor,
                                             source=client_address(request) or "api")
    return code_out(found, public_base_url(svc, request))


@get("/api/v1/qr/codes/{code:str}/image/{fmt:str}", tags=["qr"], dependencies=_session,
     security=BEARER, responses=errors(401, 403, 404), operation_class=documented(
         answers={200: {"image/svg+xml": BINARY, "image/png": BINARY}}))
async def code_image(request: Request[Any, Any, Any], svc: Services,
                     session: Authenticated, code: str,
                     fmt: str) -> Response[bytes]:
    found = await svc.qr_registry.find(code, by=session.actor)
    url = images.public_url(public_base_url(svc, request), found.code)
    if fmt == "svg":
        return Response(images.svg(url).encode(), media_type="image/svg+xml")
    if fmt == "png":
        return Response(images.png(url), media_type="image/png")
    raise DomainError("not_found")


@get("/api/v1/qr/posters", tags=["qr"], dependencies=_session, security=BEARER,
     media_type=MediaType.HTML, responses=errors(401, 403, 404))
async def posters(request: Request[Any, Any, Any], svc: Services, session: Authenticated,
                  community_id: str | None = None,
                  squad_id: str | None = None) -> Response[str]:
    pages = await svc.qr_registry.poster_pages(by=session.actor, community_id=community_id,
                                                  squad_id=squad_id)
    html = poster.render(pages, base_url=public_base_url(svc, request),
                         folder=BlobFolder(svc.settings.blob_dir))
    return Response(html, media_type=MediaType.HTML)


@get("/api/v1/qr/figures", tags=["qr"], dependencies=_session, security=BEARER,
     responses=errors(401, 403))
async def figures(request: Request[Any, Any, Any], svc: Services, session: Authenticated,
                  community_id: str | None = None, weeks: int = 8) -> FiguresResponse:
    return FiguresResponse(figures=await svc.qr_registry.figures(
        by=session.actor, community_id=community_id, weeks=max(1, min(weeks, 104))))


handlers = [list_codes, create_code, revoke_code, replace_code, code_image, posters, figures]
