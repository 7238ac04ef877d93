"""The console's one router: every page under /console — the duty log, ledger and the
rest, the evaluation (/console/evaluation) and the QR registry (/console/qr) — with its
static files, its error pages, its session cookie and its viewer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Router
from litestar.di import Provide
from litestar.static_files import create_static_files_router
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from sync.console import session as sessions
from sync.console.access import current_actor, current_admin, current_viewer
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
from sync.console.pages.common import ERROR_HANDLERS
from sync.evaluation import pages as evaluation_pages
from sync.qr import console as qr_console

STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "console"


def session_cookie(app: ASGIApp) -> ASGIApp:
    """Set (or clear) the cookies a handler asked for via access.remember_cookie.

    This wraps Litestar's CSRF middleware, so a CSRF cookie set here replaces the one
    that middleware may have added to the same response.
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                state: dict[str, Any] = scope.get("state") or {}
                wanted: dict[str, str] = state.get("console_cookies") or {}
                secure = scope["scheme"] == "https"
                prefixes = tuple(f"{name}=".encode() for name in wanted)
                headers = [(k, v) for k, v in message.get("headers", [])
                           if not (k.lower() == b"set-cookie" and v.startswith(prefixes))]
                headers += [(b"set-cookie", sessions.cookie_header(
                    name, value, secure=secure).encode()) for name, value in wanted.items()]
                message["headers"] = headers
            await send(message)

        await app(scope, receive, send_with_cookie)

    return middleware


def console_router() -> Router:
    return Router(
        path="/console",
        route_handlers=[*auth.handlers, *duty_log.handlers, *compliance.handlers,
                        *ledger.handlers, *record_book.handlers, *property.handlers,
                        *review.handlers, *charts.handlers, *admin.handlers,
                        evaluation_pages.router(), qr_console.router(),
                        create_static_files_router(path="/static", directories=[STATIC_DIR],
                                                   include_in_schema=False)],
        dependencies={"viewer": Provide(current_viewer), "admin": Provide(current_admin),
                      "actor": Provide(current_actor)},
        exception_handlers=ERROR_HANDLERS,
        middleware=[session_cookie],
        include_in_schema=False,
    )


def handlers() -> list[Any]:
    return [console_router()]
