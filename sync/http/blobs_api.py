"""PUT/GET /api/v1/blobs/{sha256}, POST /api/v1/blobs/missing."""

from __future__ import annotations

import msgspec
from litestar import Request, Response, get, post, put
from litestar.di import Provide
from litestar.openapi.datastructures import ResponseSpec

from sync.http.body import decode_request
from sync.http.deps import Services, require_session
from sync.http.openapi import BEARER, BINARY, IMAGE_TYPES, documented, errors, json_body
from sync.protocol import MissingBlobsRequest, MissingBlobsResponse
from sync.services.auth import Authenticated

# The route's own body limit sits just above the blob limit, so a blob over it gets our
# 413 from the service and a body far over it is cut off by the server early.
BLOB_ROUTE_LIMIT = 10 * 1024 * 1024 + 1
_missing_decoder = msgspec.json.Decoder(MissingBlobsRequest)
_session = {"session": Provide(require_session)}


@put("/api/v1/blobs/{sha256:str}", tags=["blobs"], dependencies=_session, security=BEARER,
     request_max_body_size=BLOB_ROUTE_LIMIT, responses={
         **errors(401, 403, 413, 415), 201: ResponseSpec(None, description="Stored")},
     operation_class=documented(body={media_type: BINARY for media_type in IMAGE_TYPES},
                                answers={200: None, 201: None}))
async def put_blob(request: Request, svc: Services,
                   session: Authenticated, sha256: str) -> Response[None]:
    created = await svc.blobs.put(session.actor, sha256, await request.body())
    return Response(None, status_code=201 if created else 200)


@post("/api/v1/blobs/missing", status_code=200, tags=["blobs"], dependencies=_session,
      security=BEARER, responses=errors(401, 413),
      operation_class=json_body(MissingBlobsRequest))
async def missing_blobs(request: Request, svc: Services,
                        session: Authenticated) -> MissingBlobsResponse:
    body = await decode_request(request, _missing_decoder)
    return MissingBlobsResponse(missing=await svc.blobs.missing(session.actor, body.hashes))


@get("/api/v1/blobs/{sha256:str}", tags=["blobs"], dependencies=_session, security=BEARER,
     responses=errors(401, 404),
     operation_class=documented(answers={200: dict.fromkeys(IMAGE_TYPES, BINARY)}))
async def get_blob(request: Request, svc: Services,
                   session: Authenticated, sha256: str) -> Response[bytes]:
    data, media_type = await svc.blobs.get(session.actor, sha256)
    return Response(data, media_type=media_type,
                    headers={"Cache-Control": "private, max-age=31536000, immutable"})


handlers = [put_blob, missing_blobs, get_blob]
