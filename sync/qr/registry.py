"""The office side: create, revoke and replace codes, list them, posters, use figures.

The CLI (no actor: the operator has the database) and the admin API call the same
methods; who may read and manage which codes is the access policy's (QR_CODES in
sync/domain/access.py: admins anywhere and squad leaders in their squad manage them,
the bureau reads them, liaisons have no part in the registry).
"""

from __future__ import annotations

from collections import defaultdict

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from sync.clock import Clock
from sync.db.engine import read_transaction, write_transaction
from sync.domain import access
from sync.domain.access import Action, Squad, Subject
from sync.domain.org import Card, Community
from sync.domain.roles import Actor
from sync.domain.shanghai import week_code_of
from sync.errors import DomainError
from sync.qr import rules
from sync.store import audit, org
from sync.store import qr as store
from sync.store.qr import QrCode

CLI = "cli"


class WeekFigures(msgspec.Struct, frozen=True):
    """Scans (page views) and accepted reports of one code, or one community, in a week."""

    week: str
    community_id: str
    community_name: str
    code: str | None  # None: the community's total
    placement: str | None
    scans: int
    reports: int


class PosterPage(msgspec.Struct, frozen=True):
    card: Card
    code: QrCode


_READ = (Subject.QR_CODES, Action.READ)
_MANAGE = (Subject.QR_CODES, Action.MANAGE)


def _covers(by: Actor | None, what: tuple[Subject, Action], found: QrCode | Community) -> bool:
    community_id = found.community_id if isinstance(found, QrCode) else found.id
    return access.may(by, *what, community_id=community_id, squad_id=found.squad_id)


class QrRegistry:
    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    async def communities(self) -> list[Community]:
        """Every community, for the registry page's choices (each filtered by the policy)."""
        async with read_transaction(self.engine) as conn:
            return await org.communities_of(conn)

    async def create(self, community_id: str, placement: str, *, by: Actor | None,
                     source: str = CLI) -> QrCode:
        cleaned = rules.normalise_placement(placement)
        if cleaned is None:
            raise DomainError("qr_invalid_placement", field="placement",
                              limit=rules.MAX_PLACEMENT_CHARS)
        now = self.clock.now_ms()
        async with write_transaction(self.engine) as conn:
            community = await org.get_community(conn, community_id)
            if not _covers(by, _MANAGE, community):
                raise DomainError("forbidden")
            code = rules.new_code()
            await store.add_code(conn, code=code, community_id=community_id,
                                 placement=cleaned, created_by=_who(by), now_ms=now)
            await audit.record(conn, at_ms=now, actor=_who(by), action="qr_create",
                               target=code, detail={"community_id": community_id,
                                                    "placement": cleaned}, source=source)
            return await _found(conn, code)

    async def revoke(self, code: str, *, by: Actor | None, source: str = CLI) -> QrCode:
        now = self.clock.now_ms()
        async with write_transaction(self.engine) as conn:
            found = await self._manageable(conn, code, by)
            if found.active:
                await store.revoke_code(conn, code, now_ms=now)
                await audit.record(conn, at_ms=now, actor=_who(by), action="qr_revoke",
                                   target=code, source=source)
            return await _found(conn, code)

    async def replace(self, code: str, *, by: Actor | None, source: str = CLI) -> QrCode:
        """A new code for the same spot (a torn or defaced poster); the old one is revoked."""
        now = self.clock.now_ms()
        async with write_transaction(self.engine) as conn:
            old = await self._manageable(conn, code, by)
            new = rules.new_code()
            await store.add_code(conn, code=new, community_id=old.community_id,
                                 placement=old.placement, created_by=_who(by), now_ms=now)
            await store.revoke_code(conn, code, now_ms=old.revoked_ms or now, replaced_by=new)
            await audit.record(conn, at_ms=now, actor=_who(by), action="qr_replace",
                               target=code, detail={"replaced_by": new}, source=source)
            return await _found(conn, new)

    async def codes(self, *, by: Actor | None, community_id: str | None = None,
                    squad_id: str | None = None) -> list[QrCode]:
        """The codes ``by`` may read (of one community or squad, when given)."""
        access.require(by, *_READ)
        async with read_transaction(self.engine) as conn:
            return await store.list_codes(
                conn, scope=await org.scope_of(conn, by, *_READ),
                community_ids=[community_id] if community_id else None, squad_id=squad_id)

    async def find(self, code: str, *, by: Actor | None) -> QrCode:
        access.require(by, *_READ)
        async with read_transaction(self.engine) as conn:
            found = await store.find_code(conn, code)
        if found is None or not _covers(by, _READ, found):
            raise DomainError("not_found")
        return found

    async def poster_pages(self, *, by: Actor | None, community_id: str | None = None,
                           squad_id: str | None = None) -> list[PosterPage]:
        """One page per active code of a community, or of every community of a squad."""
        access.require(by, *_READ)
        async with read_transaction(self.engine) as conn:
            read = await org.scope_of(conn, by, *_READ)
            if community_id is not None:
                community = await org.get_community(conn, community_id)
                if not access.covers(read, community_id=community.id,
                                     squad_id=community.squad_id):
                    raise DomainError("forbidden")
                community_ids = [community.id]
            else:
                if not access.covers_squad(read, squad_id or ""):
                    raise DomainError("forbidden")
                community_ids = await org.scope_ids(conn, Squad(squad_id or ""))
            codes = await store.list_codes(conn, community_ids=community_ids,
                                           active_only=True)
            cards = {c.community.id: c for c in await org.cards(conn, ids=community_ids)}
        if not codes:
            raise DomainError("qr_no_codes")
        return [PosterPage(card=cards[code.community_id], code=code) for code in codes
                if code.community_id in cards]

    async def figures(self, *, by: Actor | None, community_id: str | None = None,
                      weeks: int = 8) -> list[WeekFigures]:
        """Per week, newest first: each code's scans and reports, then the community total."""
        since = self.clock.now_ms() - weeks * 7 * 24 * 3600 * 1000
        codes = {c.code: c for c in await self.codes(by=by, community_id=community_id)}
        async with read_transaction(self.engine) as conn:
            events = await store.events_since(conn, community_ids=sorted(
                {c.community_id for c in codes.values()}), since_ms=since)
        return tally(events, codes)

    async def _manageable(self, conn: AsyncConnection, code: str,
                          by: Actor | None) -> QrCode:
        access.require(by, *_READ)
        found = await store.find_code(conn, code)
        if found is None or not _covers(by, _READ, found):
            raise DomainError("not_found")
        if not _covers(by, _MANAGE, found):
            raise DomainError("forbidden")
        return found


def tally(events: list[tuple[str, str, str, int]],
          codes: dict[str, QrCode]) -> list[WeekFigures]:
    """Count events per (week, code) and per (week, community). Pure."""
    per_code: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    per_community: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for event, code, community_id, at_ms in events:
        if code not in codes:
            continue
        slot = 0 if event == "scan" else 1
        week = week_code_of(at_ms)
        per_code[(week, code)][slot] += 1
        per_community[(week, community_id)][slot] += 1
    names = {c.community_id: c.community_name for c in codes.values()}
    rows = [WeekFigures(week=w, community_id=codes[c].community_id,
                        community_name=codes[c].community_name, code=c,
                        placement=codes[c].placement, scans=n[0], reports=n[1])
            for (w, c), n in per_code.items()]
    rows += [WeekFigures(week=w, community_id=cid, community_name=names[cid], code=None,
                         placement=None, scans=n[0], reports=n[1])
             for (w, cid), n in per_community.items()]
    # Newest week first; within a week, community by community, its total last.
    rows.sort(key=lambda r: (r.community_id, r.code is None, r.code or ""))
    rows.sort(key=lambda r: r.week, reverse=True)
    return rows


async def _found(conn: AsyncConnection, code: str) -> QrCode:
    found = await store.find_code(conn, code)
    assert found is not None
    return found


def _who(by: Actor | None) -> str:
    return by.username if by else CLI

