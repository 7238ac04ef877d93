"""GET /api/v1/conflicts, POST /api/v1/conflicts/{id}/resolve, GET /api/v1/rejected."""

from __future__ import annotations

import msgspec
from litestar import Request, get, post
from litestar.di import Provide

from sync.http.body import decode_request
from sync.http.deps import Services, require_session
from sync.http.openapi import BEARER, errors, json_body
from sync.http.sync_api import parse_limit
from sync.protocol import ConflictOut, ConflictsResponse, RejectedResponse, ResolveConflictRequest
from sync.services.auth import Authenticated

_resolve_decoder = msgspec.json.Decoder(ResolveConflictRequest)
_session = {"session": Provide(require_session)}


@get("/api/v1/conflicts", tags=["review"], dependencies=_session, security=BEARER,
     responses=errors(401, 403))
async def list_conflicts(request: Request, svc: Services,
                         session: Authenticated, before: str | None = None,
                         limit: str | None = None, unresolved: str | None = None
                         ) -> ConflictsResponse:
    return await svc.review.conflicts(
        session.actor, before=before, limit=parse_limit(limit, default=100, maximum=500),
        unresolved_only=unresolved in ("1", "true"))


@post("/api/v1/conflicts/{conflict_id:str}/resolve", status_code=200, tags=["review"],
      dependencies=_session, security=BEARER, responses=errors(401, 403, 404, 409, 413),
      operation_class=json_body(ResolveConflictRequest))
async def resolve_conflict(request: Request, svc: Services, session: Authenticated,
                           conflict_id: str) -> ConflictOut:
    choice = await decode_request(request, _resolve_decoder)
    return await svc.review.resolve(session.actor, conflict_id, choice)


@get("/api/v1/rejected", tags=["review"], dependencies=_session, security=BEARER,
     responses=errors(401, 403))
async def list_rejected(request: Request, svc: Services,
                        session: Authenticated, before: str | None = None,
                        limit: str | None = None) -> RejectedResponse:
    return await svc.review.rejected(
        session.actor, before=before, limit=parse_limit(limit, default=100, maximum=500))


handlers = [list_conflicts, resolve_conflict, list_rejected]
