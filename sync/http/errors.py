"""Every error leaves as ``{"error": {"code", "message", "field"?}}`` — mapped here, once."""

from __future__ import annotations

import logging

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException

from sync.errors import DomainError

log = logging.getLogger("workroom")

_STATUS_CODES = {
    400: "invalid_body",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_type",
    429: "rate_limited",
}


def error_response(error: DomainError) -> Response[dict[str, dict[str, str]]]:
    return Response(error.as_body(), status_code=error.http_status, media_type=MediaType.JSON)


def on_domain_error(_: Request, exc: DomainError) -> Response[dict[str, dict[str, str]]]:
    return error_response(exc)


def on_http_exception(_: Request, exc: HTTPException) -> Response[dict[str, dict[str, str]]]:
    code = _STATUS_CODES.get(exc.status_code, "invalid_request")
    if code == "invalid_body" or code == "invalid_request":
        error = DomainError(code, detail=str(exc.detail))
    else:
        error = DomainError(code)
    response = error_response(error)
    if exc.status_code < 500:
        response.status_code = exc.status_code
    return response


def on_unexpected(request: Request, exc: Exception) -> Response[dict[str, dict[str, str]]]:
    # A bug. Log it with its traceback for us; the client gets no traceback.
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return Response({"error": {"code": "internal", "message": DomainError("internal").message}},
                    status_code=500, media_type=MediaType.JSON)
