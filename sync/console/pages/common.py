"""What every console page needs: the template helpers and the error pages."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.response import Redirect, Template
from litestar.types import ExceptionHandlersMap

from sync.console import flags, present
from sync.domain import shanghai
from sync.domain.roles import Actor, role_label
from sync.errors import DomainError
from sync.http.errors import from_http_exception, retry_headers, unexpected
from sync.i18n import t


def hours(ms: int | None) -> str:
    return "" if ms is None else f"{ms / 3_600_000:.1f}"


def duration(ms: int | None) -> str:
    if ms is None:
        return t("console.common.open")
    minutes = ms // 60_000
    return t("console.common.duration", h=minutes // 60, m=minutes % 60)


def as_json(value: Any) -> str:
    # Jinja's tojson escapes every Chinese character; people read this.
    return msgspec.json.encode(value).decode()


HELPERS: dict[str, Any] = {
    "t": t, "fmt_time": shanghai.fmt_time, "fmt_datetime": shanghai.fmt_datetime,
    "hours": hours, "duration": duration, "kind_label": present.kind_label,
    "option_label": present.option_label, "role_label": role_label,
    "urlencode": urlencode, "as_json": as_json, "quote": quote, "ALL_FLAGS": flags.ALL_FLAGS,
    "flag_label": flags.label,
}


def page(name: str, *, actor: Actor | None, status_code: int = 200, **context: Any) -> Template:
    return Template(template_name=f"console/{name}.html", status_code=status_code,
                    context={**HELPERS, "actor": actor, **context})


def day_param(value: str | None, *, default: date) -> date:
    return shanghai.parse_day(value, default=default)


def on_console_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Every failure on a console page is a Chinese page (or the login, for a session
    that ended), told as the API tells it (sync/http/errors.py)."""
    if isinstance(exc, DomainError):
        error, status = exc, exc.http_status
    elif isinstance(exc, HTTPException):
        error, status = from_http_exception(request, exc)
    else:
        error = unexpected(request, exc)
        status = error.http_status
    if error.code == "unauthorized":
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        return Redirect(f"/console/login?{urlencode({'next': target})}", status_code=303)
    return Template(template_name="console/error.html", status_code=status,
                    headers=retry_headers(error), context={
                        **HELPERS, "actor": None, "code": error.code,
                        "message": error.message})


# What every console router answers failures with. All three keys: a router's handler
# overrides the app's only for the same exception class.
ERROR_HANDLERS: ExceptionHandlersMap = {
    DomainError: on_console_error, HTTPException: on_console_error,
    Exception: on_console_error}
