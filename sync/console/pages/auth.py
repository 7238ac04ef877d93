"""Login and logout: the console's session cookie on top of AuthService's password check."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template

from sync.console import session as sessions
from sync.console.access import current_actor, remember_cookie, session_key
from sync.console.pages.common import page
from sync.domain.roles import Actor, Role
from sync.errors import DomainError
from sync.http.deps import services


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
async def login(request: Request[Any, Any, Any]) -> Template | Redirect:
    form = await request.form()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    next_url = _safe_next(str(form.get("next", "")))
    svc = services(request.app.state)
    try:
        session = await svc.auth.login(
            username=username, password=password, device_id=sessions.DEVICE_ID,
            device_name="console", source=request.client.host if request.client else None)
    except DomainError as exc:
        if exc.code not in ("invalid_credentials", "locked"):
            raise
        return page("login", actor=None, status_code=exc.http_status, next=next_url or "",
                    error=exc.message, username=username)
    if session.actor.role is Role.LIAISON:
        await svc.auth.logout(session.token, actor=session.actor, source="console")
        return page("login", actor=None, status_code=403, next="", username=username,
                    error=DomainError("console_liaison").message)
    now = svc.clock.now_ms()
    remember_cookie(request, sessions.encode(sessions.ConsoleSession(
        token=session.token, began_ms=now, seen_ms=now), key=session_key(svc)))
    return Redirect(next_url or _home(session.actor), status_code=303)


@post("/logout")
async def logout(request: Request[Any, Any, Any]) -> Redirect:
    svc = services(request.app.state)
    found = sessions.decode(request.cookies.get(sessions.COOKIE), key=session_key(svc),
                            now_ms=svc.clock.now_ms())
    if found is not None:
        try:
            actor = await current_actor(request)
            await svc.auth.logout(found.token, actor=actor, source="console")
        except DomainError:
            pass
    remember_cookie(request, None)
    return Redirect("/console/login", status_code=303)


@get("/")
async def home(request: Request[Any, Any, Any]) -> Redirect:
    return Redirect(_home(await current_actor(request)), status_code=303)


handlers = [login_form, login, logout, home]
