"""Who is asking and what they may see — the console's one place for scope checks.

A squad leader sees the squad's communities and people, the bureau sees everything,
an admin sees the administration pages only; liaisons and anonymous visitors get
nothing. Whatever is out of scope is answered 404, so a squad leader cannot even
learn that another squad's log or case exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from litestar import Request
from sqlalchemy.ext.asyncio import AsyncConnection

from sync.console import session as sessions
from sync.console.store import people
from sync.db.engine import read_transaction
from sync.domain.roles import Actor, Role
from sync.errors import DomainError
from sync.http.deps import Services, services
from sync.settings import Settings, load_secret_key

SUPERVISORS = (Role.SQUAD_LEADER, Role.BUREAU)


@cache
def _key(settings: Settings) -> bytes:
    return load_secret_key(settings).encode()


def session_key(svc: Services) -> bytes:
    return _key(svc.settings)


def remember_cookie(request: Request[Any, Any, Any], value: str | None) -> None:
    """Ask the session middleware (pages/router.py) to set or clear the cookie."""
    request.scope.setdefault("state", {})["console_cookie"] = value or ""


async def current_actor(request: Request[Any, Any, Any]) -> Actor:
    svc = services(request.app.state)
    now = svc.clock.now_ms()
    session = sessions.decode(request.cookies.get(sessions.COOKIE), key=session_key(svc),
                              now_ms=now)
    if session is None:
        raise DomainError("unauthorized")
    actor = (await svc.auth.authenticate(session.token)).actor
    refreshed = sessions.touched(session, now_ms=now)
    if refreshed is not None:
        remember_cookie(request, sessions.encode(refreshed, key=session_key(svc)))
    return actor


@dataclass
class Viewer:
    """A supervisor and the part of the district they may see."""

    actor: Actor
    squads: list[people.Squad]
    places: dict[str, people.Place] = field(default_factory=dict)

    @property
    def is_bureau(self) -> bool:
        return self.actor.role is Role.BUREAU

    @property
    def community_ids(self) -> list[str]:
        return list(self.places)

    def place(self, community_id: str | None) -> people.Place:
        found = self.places.get(community_id or "")
        if found is None:
            raise DomainError("not_found")
        return found

    def squad_places(self, squad_id: str | None) -> list[people.Place]:
        """Communities of one squad (or all in scope); a squad out of scope is not found."""
        if not squad_id:
            return list(self.places.values())
        if squad_id not in {s.id for s in self.squads}:
            raise DomainError("not_found")
        return [p for p in self.places.values() if p.squad_id == squad_id]

    def check_person(self, person: people.Person | None) -> people.Person:
        if person is None or person.role != Role.LIAISON.value:
            raise DomainError("not_found")
        if not self.is_bureau and person.squad_id != self.actor.squad_id:
            raise DomainError("not_found")
        return person

    def squad_name(self, squad_id: str) -> str:
        return next((s.name for s in self.squads if s.id == squad_id), squad_id)


async def viewer_for(conn: AsyncConnection, actor: Actor) -> Viewer:
    if actor.role not in SUPERVISORS:
        raise DomainError("forbidden")
    squad_filter = None if actor.role is Role.BUREAU else actor.squad_id or "-"
    squads = await people.list_squads(conn, squad_filter)
    places = await people.list_places(conn, squad_filter)
    return Viewer(actor=actor, squads=squads, places={p.id: p for p in places})


async def current_viewer(request: Request[Any, Any, Any]) -> Viewer:
    actor = await current_actor(request)
    if actor.role not in SUPERVISORS:
        raise DomainError("forbidden")
    async with read_transaction(services(request.app.state).engine) as conn:
        return await viewer_for(conn, actor)


async def current_admin(request: Request[Any, Any, Any]) -> Actor:
    actor = await current_actor(request)
    if actor.role is not Role.ADMIN:
        raise DomainError("forbidden")
    return actor
