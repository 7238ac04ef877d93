"""GET /healthz: the process is up and the database answers."""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.openapi.datastructures import ResponseSpec

from sync.http.deps import Services
from sync.http.openapi import errors
from sync.store.health import database_answers


@get("/healthz", tags=["ops"], responses={
    **errors(), 503: ResponseSpec(dict[str, str], description="The database does not answer")})
async def healthz(request: Request, svc: Services) -> Response[dict[str, str]]:
    if not await database_answers(svc.engine):
        return Response({"status": "degraded", "database": "unreachable"}, status_code=503)
    return Response({"status": "ok", "database": "ok"})


handlers = [healthz]
