"""Who is asking the console, and the part of the district the access policy
(sync/domain/access.py) lets them see.

A squad leader sees the squad's communities and people, the bureau sees everything,
an admin sees the administration pages only; liaisons and anonymous visitors get
nothing. Whatever is out of scope is answered 404, so a squad leader cannot even
learn that another squad's log or case exists.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from litestar import Request
from litestar.utils.scope.state import ScopeState
from sqlalchemy.ext.asyncio import AsyncConnection

from sync.console import session as sessions
from sync.db.engine import read_transaction
from sync.domain import access
from sync.domain.org import Community
from sync.domain.roles import Actor, Role
from sync.errors import DomainError
from sync.http.deps import services
from sync.settings import Settings, load_secret_key
from sync.store import org, people

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@cache
def _key(settings: Settings) -> str:
    return load_secret_key(settings)


def remember_cookie(request: Request[Any, Any, Any], name: str, value: str | None) -> None:
    """Ask the cookie middleware (console/router.py) to set (or, for None, clear) a cookie."""
    request.scope.setdefault("state", {}).setdefault("console_cookies", {})[name] = value or ""


def start_session(request: Request[Any, Any, Any], session_id: str) -> None:
    """The cookies of a new session: its id, and the CSRF token bound to it."""
    remember_cookie(request, sessions.COOKIE, session_id)
    remember_cookie(request, sessions.CSRF_COOKIE, sessions.csrf_token(
        session_id, key=_key(services(request.app.state).settings)))


def session_id_of(request: Request[Any, Any, Any]) -> str | None:
    return request.cookies.get(sessions.COOKIE) or None


async def current_actor(request: Request[Any, Any, Any]) -> Actor:
    svc = services(request.app.state)
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


@dataclass
class Viewer:
    """A supervisor and the part of the district they may see (``scope``)."""

    actor: Actor
    scope: access.Scope
    squads: list[people.Squad]
    places: dict[str, Community] = field(default_factory=dict)

    @property
    def is_bureau(self) -> bool:
        """Whether the whole district is in view (the squad filters are offered)."""
        return isinstance(self.scope, access.District)

    def may(self, subject: access.Subject, action: access.Action) -> bool:
        """Whether the viewer may do ``action`` on ``subject`` at all (what a page offers)."""
        return access.allows(self.actor, subject, action)

    @property
    def community_ids(self) -> list[str]:
        return list(self.places)

    def place(self, community_id: str | None) -> Community:
        found = self.places.get(community_id or "")
        if found is None:
            raise DomainError("not_found")
        return found

    def squad_places(self, squad_id: str | None) -> list[Community]:
        """Communities of one squad (or all in scope); a squad out of scope is not found."""
        if not squad_id:
            return list(self.places.values())
        if squad_id not in {s.id for s in self.squads}:
            raise DomainError("not_found")
        return [p for p in self.places.values() if p.squad_id == squad_id]

    def check_person(self, person: people.Person | None) -> people.Person:
        if person is None or person.role != Role.LIAISON.value:
            raise DomainError("not_found")
        if not access.covers_squad(self.scope, person.squad_id):
            raise DomainError("not_found")
        return person

    def squad_name(self, squad_id: str) -> str:
        return next((s.name for s in self.squads if s.id == squad_id), squad_id)


async def viewer_for(conn: AsyncConnection, actor: Actor) -> Viewer:
    access.require(actor, access.Subject.CONSOLE, access.Action.READ)
    scope = await org.scope_of(conn, actor, access.Subject.CONSOLE, access.Action.READ)
    squads = await people.list_squads(conn, scope)
    places = await org.communities_of(conn, scope)
    return Viewer(actor=actor, scope=scope, squads=squads, places={p.id: p for p in places})


async def current_viewer(request: Request[Any, Any, Any]) -> Viewer:
    actor = await current_actor(request)
    access.require(actor, access.Subject.CONSOLE, access.Action.READ)
    async with read_transaction(services(request.app.state).engine) as conn:
        return await viewer_for(conn, actor)


async def current_admin(request: Request[Any, Any, Any]) -> Actor:
    actor = await current_actor(request)
    access.require(actor, access.Subject.ORGANISATION, access.Action.MANAGE)
    return actor
