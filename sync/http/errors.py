"""Every error leaves as ``{"error": {"code", "message", "field"?}}`` — mapped here, once."""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException
from litestar.response import Template

from sync.console.pages.common import HELPERS
from sync.db.engine import is_unavailable
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


def on_unexpected(request: Request, exc: Exception) -> Response[Any]:
    if is_unavailable(exc):
        # Not a bug: the database is restarting or failing over. Nothing was committed;
        # devices retry a 503 with back-off, and so may a person.
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path,
                    exc)
        error = DomainError("unavailable")
    else:
        # A bug. Log it with its traceback for us; the client gets no traceback.
        log.exception("unhandled error on %s %s", request.method, request.url.path,
                      exc_info=exc)
        error = DomainError("internal")
    status = 503 if error.code == "unavailable" else 500
    headers = {"Retry-After": "5"} if status == 503 else {}
    if request.url.path.startswith("/console"):
        # Supervisors read a Chinese page, never the API's JSON.
        return Template(template_name="console/error.html", status_code=status,
                        headers=headers, context={**HELPERS, "actor": None,
                                                  "code": error.code,
                                                  "message": error.message})
    return Response(error.as_body(), status_code=status, media_type=MediaType.JSON,
                    headers=headers)
