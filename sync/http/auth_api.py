"""POST /api/v1/auth/login, POST /api/v1/auth/logout, GET /api/v1/me."""

from __future__ import annotations

import msgspec
from litestar import Request, Response, get, post
from litestar.di import Provide

from sync.domain.roles import Actor
from sync.domain.shanghai import wire_iso
from sync.http.body import client_address, decode_request
from sync.http.deps import Services, bearer_token, require_session
from sync.http.openapi import BEARER, documented, errors, json_body
from sync.protocol import (
    CommunityOut,
    LoginRequest,
    LoginResponse,
    MeResponse,
    PropertyCompanyOut,
    UserOut,
)
from sync.services.auth import Authenticated

_login_decoder = msgspec.json.Decoder(LoginRequest)


def user_out(actor: Actor) -> UserOut:
    return UserOut(id=actor.id, name=actor.name, role=actor.role.value, squad_id=actor.squad_id)


@post("/api/v1/auth/login", status_code=200, tags=["auth"], responses=errors(401, 413, 429),
      operation_class=json_body(LoginRequest))
async def login(request: Request, svc: Services) -> LoginResponse:
    body = await decode_request(request, _login_decoder)
    session = await svc.auth.login(
        username=body.username, password=body.password, device_id=body.device_id,
        device_name=body.device_name, source=client_address(request))
    return LoginResponse(token=session.token, expires_at=wire_iso(session.expires_ms),
                         user=user_out(session.actor))


@post("/api/v1/auth/logout", status_code=204, tags=["auth"],
      dependencies={"session": Provide(require_session)}, security=BEARER,
      responses=errors(401), operation_class=documented(answers={204: None}))
async def logout(request: Request, svc: Services, session: Authenticated) -> Response[None]:
    await svc.auth.logout(
        bearer_token(request), actor=session.actor, source=client_address(request))
    return Response(None, status_code=204)


@get("/api/v1/me", tags=["auth"], dependencies={"session": Provide(require_session)},
     security=BEARER, responses=errors(401))
async def me(request: Request, svc: Services, session: Authenticated) -> MeResponse:
    communities = await svc.auth.me(session.actor)
    return MeResponse(user=user_out(session.actor), communities=[
        CommunityOut(id=c.id, name=c.name, squad_id=c.squad_id, property_companies=[
            PropertyCompanyOut(id=pid, name=name) for pid, name in companies])
        for c, companies in communities])


handlers = [login, logout, me]
