"""What every console page needs: the template helpers and the error pages."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.response import Redirect, Template

from sync.console import flags, present, shanghai
from sync.domain.roles import Actor
from sync.errors import DomainError
from sync.i18n import t

_STATUS_CODE = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}


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
    "urlencode": urlencode, "as_json": as_json, "quote": quote, "ALL_FLAGS": flags.ALL_FLAGS,
}


def page(name: str, *, actor: Actor | None, status_code: int = 200, **context: Any) -> Template:
    return Template(template_name=f"console/{name}.html", status_code=status_code,
                    context={**HELPERS, "actor": actor, **context})


def day_param(value: str | None, *, default: date) -> date:
    return shanghai.parse_day(value, default=default)


def on_console_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if isinstance(exc, DomainError):
        code, status = exc.code, exc.http_status
    elif isinstance(exc, HTTPException):
        status = exc.status_code if exc.status_code < 500 else 500
        code = _STATUS_CODE.get(status, "invalid_request")
    else:
        raise exc
    if code == "unauthorized":
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        return Redirect(f"/console/login?{urlencode({'next': target})}", status_code=303)
    message = exc.message if isinstance(exc, DomainError) else t(f"error.{code}")
    return page("error", actor=None, status_code=status, code=code, message=message)
