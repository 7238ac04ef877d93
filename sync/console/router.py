"""The console's router: its pages, its static files, its error pages, its session cookie."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Router
from litestar.datastructures import MutableScopeHeaders
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.static_files import create_static_files_router
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from sync.console import session as sessions
from sync.console.access import current_admin, current_viewer
from sync.console.pages import (
    admin,
    auth,
    charts,
    compliance,
    duty_log,
    ledger,
    property,
    record_book,
    review,
)
from sync.console.pages.common import on_console_error
from sync.errors import DomainError

STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "console"


def _cookie_header(value: str, *, secure: bool) -> str:
    attributes = "Path=/console; HttpOnly; SameSite=Lax"
    if secure:
        attributes += "; Secure"
    if not value:
        return f"{sessions.COOKIE}=; Max-Age=0; {attributes}"
    return f"{sessions.COOKIE}={value}; Max-Age={sessions.IDLE_MS // 1000}; {attributes}"


def session_cookie(app: ASGIApp) -> ASGIApp:
    """Set (or clear) the session cookie that a handler asked for via access.remember_cookie."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                state: dict[str, Any] = scope.get("state") or {}
                value = state.get("console_cookie")
                if value is not None:
                    MutableScopeHeaders.from_message(message).add(
                        "set-cookie", _cookie_header(value, secure=scope["scheme"] == "https"))
            await send(message)

        await app(scope, receive, send_with_cookie)

    return middleware


def console_router() -> Router:
    return Router(
        path="/console",
        route_handlers=[*auth.handlers, *duty_log.handlers, *compliance.handlers,
                        *ledger.handlers, *record_book.handlers, *property.handlers,
                        *review.handlers, *charts.handlers, *admin.handlers,
                        create_static_files_router(path="/static", directories=[STATIC_DIR],
                                                   include_in_schema=False)],
        dependencies={"viewer": Provide(current_viewer), "admin": Provide(current_admin)},
        exception_handlers={DomainError: on_console_error, HTTPException: on_console_error},
        middleware=[session_cookie],
        include_in_schema=False,
    )


def handlers() -> list[Any]:
    return [console_router()]
