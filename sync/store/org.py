"""The organisation: squads, communities, property companies, users, assignments, scope.

A user's *scope* is the part of the district whose records they may read and write
(the access policy, sync/domain/access.py): a liaison's assigned communities, a squad
leader's squad, everything for the bureau. Every change that moves a community in or
out of someone's scope is stamped as a scope event with a version, so pulls can
backfill and purge (see store/pulls.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Collection, Iterable
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from sync.db.tables import (
    assignment_periods,
    assignments,
    communities,
    community_property_companies,
    property_companies,
    scope_events,
    squads,
    users,
)
from sync.domain import access
from sync.domain.access import DISTRICT, Action, Communities, Scope, Subject
from sync.domain.org import Card, Community
from sync.domain.roles import Actor, Role
from sync.domain.weekly import Assignment
from sync.errors import DomainError
from sync.store import versions
from sync.store.jsonq import chunks
from sync.store.scope import community_in


class UserRecord(msgspec.Struct, frozen=True):
    id: str
    username: str
    name: str
    role: Role
    squad_id: str | None
    phone: str | None
    password_hash: str
    disabled: bool

    def as_actor(self) -> Actor:
        return Actor(id=self.id, username=self.username, name=self.name, role=self.role,
                     squad_id=self.squad_id)


def _user(row: Any) -> UserRecord:
    return UserRecord(id=row.id, username=row.username, name=row.name, role=Role(row.role),
                      squad_id=row.squad_id, phone=row.phone, password_hash=row.password_hash,
                      disabled=bool(row.disabled))


# --- squads, property companies, communities -------------------------------------------

async def upsert_squad(conn: AsyncConnection, *, id: str, name: str, area_type: str,
                       sort_order: int) -> bool:
    """Create or update; True when anything changed."""
    row = (await conn.execute(sa.select(squads).where(squads.c.id == id))).first()
    values = {"name": name, "area_type": area_type, "sort_order": sort_order}
    if row is None:
        await conn.execute(squads.insert().values(id=id, **values))
        return True
    if any(getattr(row, k) != v for k, v in values.items()):
        await conn.execute(squads.update().where(squads.c.id == id).values(**values))
        return True
    return False


async def upsert_property_company(conn: AsyncConnection, *, id: str, name: str,
                                  phone: str | None) -> bool:
    row = (await conn.execute(
        sa.select(property_companies).where(property_companies.c.id == id))).first()
    if row is None:
        await conn.execute(property_companies.insert().values(id=id, name=name, phone=phone))
        return True
    if (row.name, row.phone) != (name, phone):
        await conn.execute(property_companies.update().where(property_companies.c.id == id)
                           .values(name=name, phone=phone))
        return True
    return False


async def upsert_community(conn: AsyncConnection, *, id: str, squad_id: str, name: str,
                           address_keywords: str, now_ms: int) -> bool:
    row = (await conn.execute(sa.select(communities).where(communities.c.id == id))).first()
    if row is None:
        await conn.execute(communities.insert().values(
            id=id, squad_id=squad_id, name=name, address_keywords=address_keywords,
            created_ms=now_ms))
        return True
    if (row.squad_id, row.name, row.address_keywords) == (squad_id, name, address_keywords):
        return False
    leaders = await _squad_leader_ids(conn, {row.squad_id, squad_id})

    async def change() -> None:
        await conn.execute(communities.update().where(communities.c.id == id).values(
            squad_id=squad_id, name=name, address_keywords=address_keywords))

    await _with_scope_events(conn, leaders, change)
    return True


async def set_liaison_card(conn: AsyncConnection, community_id: str, *, liaison_name: str,
                           phone: str, wechat_sha256: str | None = None) -> bool:
    """Set the public liaison card (R1); True when it changed."""
    row = (await conn.execute(sa.select(
        communities.c.card_liaison_name, communities.c.card_phone,
        communities.c.card_wechat_sha256).where(communities.c.id == community_id))).first()
    if row is None:
        raise DomainError("unknown_community", community_id=community_id)
    if tuple(row) == (liaison_name, phone, wechat_sha256):
        return False
    await conn.execute(communities.update().where(communities.c.id == community_id).values(
        card_liaison_name=liaison_name, card_phone=phone, card_wechat_sha256=wechat_sha256))
    return True


async def link_property_company(conn: AsyncConnection, community_id: str,
                                property_company_id: str) -> bool:
    exists = (await conn.execute(sa.select(community_property_companies).where(
        community_property_companies.c.community_id == community_id,
        community_property_companies.c.property_company_id == property_company_id))).first()
    if exists:
        return False
    await conn.execute(community_property_companies.insert().values(
        community_id=community_id, property_company_id=property_company_id))
    return True


async def unlink_property_company(conn: AsyncConnection, community_id: str,
                                  property_company_id: str) -> bool:
    """The company no longer serves the community; False when it did not."""
    link = community_property_companies
    done = await conn.execute(link.delete().where(
        link.c.community_id == community_id, link.c.property_company_id == property_company_id))
    return bool(done.rowcount)


async def squad_orders(conn: AsyncConnection) -> dict[str, int]:
    """Squad id -> its place in lists."""
    return {r.id: int(r.sort_order) for r in await conn.execute(
        sa.select(squads.c.id, squads.c.sort_order))}


async def property_companies_by_name(conn: AsyncConnection) -> dict[str, tuple[str, str | None]]:
    """Company name -> (id, phone)."""
    return {r.name: (r.id, r.phone) for r in await conn.execute(
        sa.select(property_companies.c.id, property_companies.c.name,
                  property_companies.c.phone).order_by(property_companies.c.id))}


async def community_keywords(conn: AsyncConnection) -> dict[str, str]:
    """Community id -> its address keywords (how 12345 orders find it)."""
    return {r.id: r.address_keywords or "" for r in await conn.execute(
        sa.select(communities.c.id, communities.c.address_keywords))}


async def get_community(conn: AsyncConnection, community_id: str) -> Community:
    found = await communities_of(conn, ids=[community_id])
    if not found:
        raise DomainError("unknown_community", community_id=community_id)
    return found[0]


async def property_companies_of(conn: AsyncConnection,
                                community_ids: list[str]) -> dict[str, list[tuple[str, str]]]:
    """(id, name) of the property companies serving each community."""
    link = community_property_companies
    rows = await conn.execute(
        sa.select(link.c.community_id, property_companies.c.id, property_companies.c.name)
        .join(property_companies, property_companies.c.id == link.c.property_company_id)
        .where(link.c.community_id.in_(community_ids)).order_by(property_companies.c.id))
    found: dict[str, list[tuple[str, str]]] = {c: [] for c in community_ids}
    for row in rows:
        found[row.community_id].append((row.id, row.name))
    return found


async def cards(conn: AsyncConnection, scope: Scope = DISTRICT, *,
                ids: Collection[str] | None = None) -> list[Card]:
    """The communities ``scope`` covers (of ``ids``, when given), each with its public
    liaison card, in the district's order: squad by squad, then by id.

    The one read of the organisation's communities: ``communities_of`` and the
    evaluation's workrooms are views of it."""
    query = (sa.select(communities.c.id, communities.c.name, communities.c.squad_id,
                       squads.c.name.label("squad_name"), communities.c.card_liaison_name,
                       communities.c.card_phone, communities.c.card_wechat_sha256)
             .join(squads, squads.c.id == communities.c.squad_id)
             .where(community_in(scope, communities.c.id, squad_id=communities.c.squad_id))
             .order_by(squads.c.sort_order, communities.c.id))
    if ids is not None:
        query = query.where(communities.c.id.in_(sorted(set(ids))))
    return [Card(community=Community(id=r.id, name=r.name, squad_id=r.squad_id,
                                     squad_name=r.squad_name),
                 liaison_name=r.card_liaison_name, phone=r.card_phone,
                 wechat_sha256=r.card_wechat_sha256) for r in await conn.execute(query)]


async def card(conn: AsyncConnection, community_id: str) -> Card | None:
    found = await cards(conn, ids=[community_id])
    return found[0] if found else None


async def communities_of(conn: AsyncConnection, scope: Scope = DISTRICT, *,
                         ids: Collection[str] | None = None) -> list[Community]:
    """The communities ``scope`` covers (of ``ids``, when given), as ``cards`` orders."""
    return [card.community for card in await cards(conn, scope, ids=ids)]


# --- users ------------------------------------------------------------------------------

async def find_user(conn: AsyncConnection, username: str) -> UserRecord | None:
    row = (await conn.execute(sa.select(users).where(users.c.username == username))).first()
    return _user(row) if row else None


async def get_user(conn: AsyncConnection, username: str) -> UserRecord:
    user = await find_user(conn, username)
    if user is None:
        raise DomainError("unknown_user", username=username)
    return user


async def get_user_by_id(conn: AsyncConnection, user_id: str) -> UserRecord | None:
    row = (await conn.execute(sa.select(users).where(users.c.id == user_id))).first()
    return _user(row) if row else None


async def add_user(conn: AsyncConnection, *, username: str, name: str, role: Role,
                   squad_id: str | None, phone: str | None, password_hash: str,
                   now_ms: int) -> UserRecord:
    if await find_user(conn, username) is not None:
        raise DomainError("already_exists", field="username", what=username)
    user_id = str(uuid.uuid4())
    await conn.execute(users.insert().values(
        id=user_id, username=username, name=name, role=role.value, squad_id=squad_id,
        phone=phone, password_hash=password_hash, disabled=False, created_ms=now_ms,
        updated_ms=now_ms))
    if role is Role.SQUAD_LEADER and squad_id:
        # A new leader sees the squad's existing records: a backfill on first pull.
        await _with_scope_events(conn, [user_id], _noop, before_empty=True)
    return await get_user(conn, username)


async def _noop() -> None:
    return None


async def update_user(conn: AsyncConnection, user: UserRecord, *, now_ms: int,
                      **changes: Any) -> None:
    async def change() -> None:
        await conn.execute(users.update().where(users.c.id == user.id)
                           .values(updated_ms=now_ms, **changes))

    if {"role", "squad_id"} & changes.keys():
        await _with_scope_events(conn, [user.id], change)
    else:
        await change()


# --- assignments and scope ----------------------------------------------------------------

async def assign(conn: AsyncConnection, user: UserRecord, community_id: str, *,
                 now_ms: int, since_ms: int | None = None) -> bool:
    """Assign from now (``since_ms``: a span that began earlier, for data that predates
    the assignment's record); False when already assigned."""
    await get_community(conn, community_id)
    exists = (await conn.execute(sa.select(assignments).where(
        assignments.c.user_id == user.id, assignments.c.community_id == community_id))).first()
    if exists:
        return False

    async def change() -> None:
        await conn.execute(assignments.insert().values(
            user_id=user.id, community_id=community_id, assigned_ms=now_ms))
        await conn.execute(assignment_periods.insert().values(
            user_id=user.id, community_id=community_id,
            from_ms=now_ms if since_ms is None else since_ms))

    await _with_scope_events(conn, [user.id], change)
    return True


async def unassign(conn: AsyncConnection, user: UserRecord, community_id: str, *,
                   now_ms: int) -> bool:
    async def change() -> None:
        await conn.execute(assignments.delete().where(
            assignments.c.user_id == user.id, assignments.c.community_id == community_id))
        await conn.execute(assignment_periods.update().where(
            assignment_periods.c.user_id == user.id,
            assignment_periods.c.community_id == community_id,
            assignment_periods.c.to_ms.is_(None)).values(to_ms=now_ms))

    exists = (await conn.execute(sa.select(assignments).where(
        assignments.c.user_id == user.id, assignments.c.community_id == community_id))).first()
    if not exists:
        return False
    await _with_scope_events(conn, [user.id], change)
    return True


async def liaison_assignments(conn: AsyncConnection, community_ids: list[str] | None = None,
                              *, during: tuple[int, int] | None) -> list[Assignment]:
    """The liaisons' assignment spans in these communities (None: all), by community,
    username and start: those current now (``during`` None), or overlapping ``during``
    (start, end in ms). The liaisons the weekly rule and the evaluation count are the
    enabled users of the liaison role; this is the one place that says so."""
    span = assignment_periods
    covering = span.c.to_ms.is_(None) if during is None else sa.and_(
        span.c.from_ms < during[1], sa.or_(span.c.to_ms.is_(None), span.c.to_ms > during[0]))
    query = (sa.select(span.c.community_id, span.c.user_id, span.c.from_ms, span.c.to_ms)
             .join(users, users.c.id == span.c.user_id)
             .where(covering, users.c.role == Role.LIAISON.value, users.c.disabled == sa.false())
             .order_by(span.c.community_id, users.c.username, span.c.from_ms))
    batches = [query] if community_ids is None else [
        query.where(span.c.community_id.in_(chunk)) for chunk in chunks(community_ids)]
    found = []
    for batch in batches:
        for row in await conn.execute(batch):
            found.append(Assignment(community_id=row.community_id, liaison_id=row.user_id,
                                    from_ms=int(row.from_ms),
                                    to_ms=None if row.to_ms is None else int(row.to_ms)))
    return found


async def assigned_community_ids(conn: AsyncConnection, user_id: str) -> list[str]:
    rows = await conn.execute(sa.select(assignments.c.community_id)
                              .where(assignments.c.user_id == user_id))
    return [r.community_id for r in rows]


async def scope_of(conn: AsyncConnection, who: Actor | None, subject: Subject,
                   action: Action) -> Scope:
    """The policy's scope of ``who`` for ``action`` on ``subject``, with a liaison's
    assignments read when the reach is theirs."""
    assigned: list[str] = []
    if who is not None and access.needs_assignments(who, subject, action):
        assigned = await assigned_community_ids(conn, who.id)
    return access.scope(who, subject, action, assigned=assigned)


async def record_scope(conn: AsyncConnection, who: Actor) -> Scope:
    """Where ``who`` may read and write records (pulls, pushes, photos, /me)."""
    return await scope_of(conn, who, Subject.RECORDS, Action.READ)


async def scope_ids(conn: AsyncConnection, scope: Scope) -> list[str]:
    """The ids of the communities ``scope`` covers, sorted."""
    if isinstance(scope, Communities):
        # Assignments name existing communities (a foreign key): nothing to look up.
        return sorted(scope.ids)
    rows = await conn.execute(sa.select(communities.c.id).where(
        community_in(scope, communities.c.id, squad_id=communities.c.squad_id))
        .order_by(communities.c.id))
    return [r.id for r in rows]


async def _scope_ids(conn: AsyncConnection, user_id: str) -> set[str]:
    user = await get_user_by_id(conn, user_id)
    if user is None or user.disabled:
        return set()
    return set(await scope_ids(conn, await record_scope(conn, user.as_actor())))


async def _squad_leader_ids(conn: AsyncConnection, squad_ids: Iterable[str]) -> list[str]:
    rows = await conn.execute(sa.select(users.c.id).where(
        users.c.role == Role.SQUAD_LEADER.value, users.c.squad_id.in_(list(squad_ids))))
    return [r.id for r in rows]


async def _with_scope_events(conn: AsyncConnection, user_ids: Iterable[str],
                             change: Callable[[], Awaitable[None]], *,
                             before_empty: bool = False) -> None:
    """Run ``change`` and stamp every community it moved in or out of a scope."""
    ids = list(user_ids)
    before = {u: set() if before_empty else await _scope_ids(conn, u) for u in ids}
    await change()
    after = {u: await _scope_ids(conn, u) for u in ids}
    events = [(u, c, True) for u in ids for c in after[u] - before[u]]
    events += [(u, c, False) for u in ids for c in before[u] - after[u]]
    if not events:
        return
    (version,), _ = await versions.claim(conn, count=1, max_hlc="")
    await conn.execute(scope_events.insert(), [
        {"user_id": u, "community_id": c, "granted": granted, "version": version}
        for u, c, granted in events])
