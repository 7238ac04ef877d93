"""The part of the district the access policy (sync/domain/access.py) lets a console
user see.

A squad leader sees the squad's communities and people, the bureau sees everything,
an admin sees the administration pages only; liaisons and anonymous visitors get
nothing. Whatever is out of scope is answered 404, so a squad leader cannot even
learn that another squad's log or case exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncConnection

from sync.domain import access
from sync.domain.org import Community
from sync.domain.roles import Actor, Role
from sync.errors import DomainError
from sync.store import org, people


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
