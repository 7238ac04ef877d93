"""POST /api/v1/sync/push and GET /api/v1/sync/pull."""

from __future__ import annotations

import msgspec
from litestar import Request, get, post
from litestar.di import Provide

from sync.domain import text
from sync.errors import DomainError
from sync.http.body import decode_clamped
from sync.http.deps import Services, require_session
from sync.http.openapi import BEARER, errors, push_operation
from sync.i18n import t
from sync.protocol import PullResponse, PushRequest, PushResponse
from sync.services.auth import Authenticated
from sync.services.sync import MAX_PULL_LIMIT

_push_decoder = msgspec.json.Decoder(PushRequest)
# A field's value sits in the body's object, its mutations list, a mutation and its fields.
_FIELDS_DEPTH = 4 + text.MAX_VALUE_DEPTH


@post("/api/v1/sync/push", status_code=200, tags=["sync"],
      dependencies={"session": Provide(require_session)}, security=BEARER,
      responses=errors(401, 403, 413), operation_class=push_operation())
async def push(request: Request, svc: Services, session: Authenticated) -> PushResponse:
    body, raw = decode_clamped(await request.body(), _push_decoder, limit=_FIELDS_DEPTH)
    return await svc.sync.push(
        session.actor, session.device_id, body,
        may_hold_forbidden=text.may_hold_forbidden(raw))


@get("/api/v1/sync/pull", tags=["sync"], dependencies={"session": Provide(require_session)},
     security=BEARER, responses=errors(401, 403))
async def pull(request: Request, svc: Services, session: Authenticated, cursor: str | None = None,
               limit: str | None = None) -> PullResponse:
    return await svc.sync.pull(
        session.actor, cursor=cursor or None, limit=parse_limit(limit, default=1000,
                                                                maximum=MAX_PULL_LIMIT))


def parse_limit(text: str | None, *, default: int, maximum: int) -> int:
    """Query parameters are parsed here so a bad one gets our error body, with its name."""
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= maximum:
        raise DomainError("invalid_request", field="limit", detail=t("detail.limit", max=maximum))
    return value


handlers = [push, pull]
