"""Who is asking the console: the session cookie, the CSRF token bound to it, and the
providers of the pages' ``actor``, ``viewer`` and ``admin`` (sync/console/router.py).

What a viewer may see is the access policy's (sync/console/viewer.py over
sync/domain/access.py).
"""

from __future__ import annotations

import hmac
from functools import cache
from typing import Any

from litestar import Request
from litestar.utils.scope.state import ScopeState

from sync.console import session as sessions
from sync.console.viewer import Viewer, viewer_for
from sync.db.engine import read_transaction
from sync.domain import access
from sync.domain.roles import Actor
from sync.errors import DomainError
from sync.http.deps import Services
from sync.settings import Settings, load_secret_key

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@cache
def _key(settings: Settings) -> str:
    return load_secret_key(settings)


def remember_cookie(request: Request[Any, Any, Any], name: str, value: str | None) -> None:
    """Ask the cookie middleware (console/router.py) to set (or, for None, clear) a cookie."""
    request.scope.setdefault("state", {}).setdefault("console_cookies", {})[name] = value or ""


def start_session(request: Request[Any, Any, Any], svc: Services, session_id: str) -> None:
    """The cookies of a new session: its id, and the CSRF token bound to it."""
    remember_cookie(request, sessions.COOKIE, session_id)
    remember_cookie(request, sessions.CSRF_COOKIE, sessions.csrf_token(
        session_id, key=_key(svc.settings)))


def session_id_of(request: Request[Any, Any, Any]) -> str | None:
    return request.cookies.get(sessions.COOKIE) or None


async def current_actor(request: Request[Any, Any, Any], svc: Services) -> Actor:
    """The ``actor`` dependency; the login pages call it directly for the CSRF check."""
    session_id = session_id_of(request)
    if session_id is None:
        raise DomainError("unauthorized")
    actor = await svc.auth.console_actor(session_id)
    bound = sessions.csrf_token(session_id, key=_key(svc.settings))
    state = ScopeState.from_scope(request.scope)
    if request.method not in _SAFE_METHODS:
        # Litestar's middleware has checked that form and cookie agree (and put the
        # token here); only this session's own token may be the one they agree on.
        if not hmac.compare_digest(str(state.csrf_token or ""), bound):
            raise DomainError("forbidden")
    elif state.csrf_token != bound:
        # A CSRF cookie from before this session (or none): the page's forms carry the
        # session's token, and the browser gets it as its cookie.
        state.csrf_token = bound
        remember_cookie(request, sessions.CSRF_COOKIE, bound)
    return actor


async def current_viewer(svc: Services, actor: Actor) -> Viewer:
    access.require(actor, access.Subject.CONSOLE, access.Action.READ)
    async with read_transaction(svc.engine) as conn:
        return await viewer_for(conn, actor)


async def current_admin(actor: Actor) -> Actor:
    access.require(actor, access.Subject.ORGANISATION, access.Action.MANAGE)
    return actor
