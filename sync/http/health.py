"""GET /healthz: the process is up and the database answers."""

from __future__ import annotations

import sqlalchemy as sa
from litestar import Request, Response, get
from litestar.openapi.datastructures import ResponseSpec
from sqlalchemy.exc import SQLAlchemyError

from sync.http.deps import services
from sync.http.openapi import errors


@get("/healthz", tags=["ops"], responses={
    **errors(), 503: ResponseSpec(dict[str, str], description="The database does not answer")})
async def healthz(request: Request) -> Response[dict[str, str]]:
    try:
        async with services(request.app.state).engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
    except (SQLAlchemyError, OSError):
        return Response({"status": "degraded", "database": "unreachable"}, status_code=503)
    return Response({"status": "ok", "database": "ok"})


handlers = [healthz]
