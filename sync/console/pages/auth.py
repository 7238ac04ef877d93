"""Login and logout: the console's session cookies on top of AuthService's console sessions."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template

from sync.console import session as sessions
from sync.console.access import current_actor, remember_cookie, session_id_of, start_session
from sync.console.pages.common import page
from sync.domain.roles import Actor, Role
from sync.errors import DomainError
from sync.http.body import client_address
from sync.http.deps import Services


def _home(actor: Actor) -> str:
    return "/console/admin/users" if actor.role is Role.ADMIN else "/console/duty-log"


def _safe_next(value: str | None) -> str | None:
    # Only back into the console: never an open redirect to another site.
    if value and value.startswith("/console/") and not value.startswith("//"):
        return value
    return None


@get("/login")
async def login_form(next: str | None = None) -> Template:
    return page("login", actor=None, next=_safe_next(next) or "", error=None, username="")


@post("/login")
async def login(request: Request[Any, Any, Any], svc: Services) -> Template | Redirect:
    form = await request.form()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    next_url = _safe_next(str(form.get("next", "")))
    try:
        session = await svc.auth.console_login(
            username=username, password=password, source=client_address(request))
    except DomainError as exc:
        if exc.code == "console_liaison":
            return page("login", actor=None, status_code=403, next="", username=username,
                        error=exc.message)
        if exc.code not in ("invalid_credentials", "locked", "rate_limited"):
            raise
        return page("login", actor=None, status_code=exc.http_status, next=next_url or "",
                    error=exc.message, username=username)
    start_session(request, svc, session.session_id)
    return Redirect(next_url or _home(session.actor), status_code=303)


@post("/logout")
async def logout(request: Request[Any, Any, Any], svc: Services) -> Redirect:
    session_id = session_id_of(request)
    if session_id is not None:
        try:
            await current_actor(request, svc)  # the CSRF check: no logging out from elsewhere
            await svc.auth.console_logout(
                session_id, source=client_address(request))
        except DomainError:
            pass
    remember_cookie(request, sessions.COOKIE, None)
    return Redirect("/console/login", status_code=303)


@get("/")
async def home(request: Request[Any, Any, Any], svc: Services) -> Redirect:
    return Redirect(_home(await current_actor(request, svc)), status_code=303)


handlers = [login_form, login, logout, home]
