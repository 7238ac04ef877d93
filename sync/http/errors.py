"""Every error leaves as ``{"error": {"code", "message", "field"?}}`` — mapped here, once.

A ``DomainError`` answers with its problem's status (sync/errors.py). The framework's
own refusals (no route, a wrong method, a body over the limit, a query parameter of the
wrong type) carry only a status: each is told by the generic problem of that status. Any
other exception is a bug (500), or the database out of reach for a moment (503).

The console and the residents' pages show the same errors as pages of their own: they
call ``from_http_exception`` and ``unexpected`` and render. This module knows no page.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException

from sync.db.engine import is_unavailable
from sync.domain.validation_messages import describe
from sync.errors import PROBLEMS, DomainError
from sync.i18n import t

log = logging.getLogger("workroom")

# The problem a bare status stands for; a 4xx not listed is ``invalid_request``.
_GENERIC = ("invalid_body", "unauthorized", "forbidden", "not_found", "method_not_allowed",
            "too_large", "unsupported_type", "rate_limited")
_FOR_STATUS = {PROBLEMS[code].status: code for code in _GENERIC}
_MISSING = re.compile(r"^Missing required \w+ parameter '([^']{1,64})'")


def from_http_exception(request: Request[Any, Any, Any],
                        exc: HTTPException) -> tuple[DomainError, int]:
    """The framework's refusal as a problem, and the status to answer: the refusal's own
    (a 409 stays a 409 though no generic problem has it); a 5xx is ``unexpected``."""
    if exc.status_code >= 500:
        error = unexpected(request, exc)
        return error, error.http_status
    code = _FOR_STATUS.get(exc.status_code, "invalid_request")
    if "detail" not in PROBLEMS[code].details:
        return DomainError(code), exc.status_code
    field, detail = _described(exc)
    return DomainError(code, field=field, detail=detail), exc.status_code


def _described(exc: HTTPException) -> tuple[str | None, str]:
    """The parameter a refusal names, and why in Chinese; never the framework's English."""
    extra = exc.extra
    if isinstance(extra, list) and extra and isinstance(extra[0], dict):
        key, message = extra[0].get("key"), str(extra[0].get("message", ""))
        told = describe(message)
        return (str(key)[:64] if key else None,
                told if told != message else t("detail.unreadable"))
    missing = _MISSING.match(str(exc.detail))
    if missing:
        return missing[1], t("validation.missing", name=missing[1])
    return None, t("detail.unreadable")


def unexpected(request: Request[Any, Any, Any], exc: Exception) -> DomainError:
    """``unavailable`` or ``internal``, logged: the client gets no traceback."""
    if is_unavailable(exc):
        # Not a bug: the database is restarting or failing over. Nothing was committed;
        # devices retry a 503 with back-off, and so may a person.
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path,
                    exc)
        return DomainError("unavailable")
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return DomainError("internal")


def retry_headers(error: DomainError) -> dict[str, str]:
    return {"Retry-After": "5"} if error.code == "unavailable" else {}


def error_response(error: DomainError, *,
                   status: int | None = None) -> Response[dict[str, dict[str, str]]]:
    return Response(error.as_body(), status_code=status or error.http_status,
                    media_type=MediaType.JSON, headers=retry_headers(error))


def on_domain_error(_: Request[Any, Any, Any],
                    exc: DomainError) -> Response[dict[str, dict[str, str]]]:
    return error_response(exc)


def on_http_exception(request: Request[Any, Any, Any],
                      exc: HTTPException) -> Response[dict[str, dict[str, str]]]:
    error, status = from_http_exception(request, exc)
    return error_response(error, status=status)


def on_unexpected(request: Request[Any, Any, Any],
                  exc: Exception) -> Response[dict[str, dict[str, str]]]:
    return error_response(unexpected(request, exc))
