"""The organisation as the console reads it: squads, people, assignments, companies.

Its communities are the organisation's one read (``sync.store.org.communities_of``)."""

from __future__ import annotations

from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from sync.db.tables import (
    assignments,
    community_property_companies,
    property_companies,
    squads,
    users,
)
from sync.domain.access import DISTRICT, Scope
from sync.store.scope import squad_in


class Squad(msgspec.Struct, frozen=True):
    id: str
    name: str


class Person(msgspec.Struct, frozen=True):
    id: str
    username: str
    name: str
    role: str
    squad_id: str | None
    phone: str | None
    disabled: bool


async def list_squads(conn: AsyncConnection, scope: Scope = DISTRICT) -> list[Squad]:
    """The squads whose people ``scope`` covers, in the district's order."""
    query = (sa.select(squads.c.id, squads.c.name).where(squad_in(scope, squads.c.id))
             .order_by(squads.c.sort_order, squads.c.id))
    return [Squad(id=r.id, name=r.name) for r in await conn.execute(query)]


def _person(row: Any) -> Person:
    return Person(id=row.id, username=row.username, name=row.name, role=row.role,
                  squad_id=row.squad_id, phone=row.phone, disabled=bool(row.disabled))


_PERSON = (users.c.id, users.c.username, users.c.name, users.c.role, users.c.squad_id,
           users.c.phone, users.c.disabled)


async def list_people(conn: AsyncConnection, *, role: str | None = None,
                      squad_id: str | None = None) -> list[Person]:
    query = sa.select(*_PERSON).order_by(users.c.username)
    if role is not None:
        query = query.where(users.c.role == role)
    if squad_id is not None:
        query = query.where(users.c.squad_id == squad_id)
    return [_person(r) for r in await conn.execute(query)]


async def get_person(conn: AsyncConnection, user_id: str) -> Person | None:
    row = (await conn.execute(sa.select(*_PERSON).where(users.c.id == user_id))).first()
    return _person(row) if row else None


async def names(conn: AsyncConnection, user_ids: list[str] | None) -> dict[str, str]:
    """User id -> name, of these users (None: everyone)."""
    query = sa.select(users.c.id, users.c.name)
    if user_ids is not None:
        if not user_ids:
            return {}
        query = query.where(users.c.id.in_(sorted(set(user_ids))))
    return {r.id: r.name for r in await conn.execute(query)}


async def assignments_of(conn: AsyncConnection,
                         user_ids: list[str] | None = None) -> dict[str, list[str]]:
    """user id -> assigned community ids."""
    query = sa.select(assignments.c.user_id, assignments.c.community_id).order_by(
        assignments.c.community_id)
    if user_ids is not None:
        query = query.where(assignments.c.user_id.in_(user_ids))
    found: dict[str, list[str]] = {}
    for row in await conn.execute(query):
        found.setdefault(row.user_id, []).append(row.community_id)
    return found


async def list_property_companies(conn: AsyncConnection,
                                  community_ids: list[str] | None) -> list[Any]:
    """(id, name, phone, community ids) of companies serving these communities (None: all)."""
    link = community_property_companies
    query = sa.select(property_companies.c.id, property_companies.c.name,
                      property_companies.c.phone, link.c.community_id).join(
        link, link.c.property_company_id == property_companies.c.id, isouter=True).order_by(
        property_companies.c.id)
    if community_ids is not None:
        query = query.where(link.c.community_id.in_(community_ids))
    merged: dict[str, dict[str, Any]] = {}
    for row in await conn.execute(query):
        entry = merged.setdefault(row.id, {"id": row.id, "name": row.name, "phone": row.phone,
                                           "communities": []})
        if row.community_id:
            entry["communities"].append(row.community_id)
    return list(merged.values())
