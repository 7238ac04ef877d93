"""The office side: create, revoke and replace codes, list them, posters, use figures.

The CLI (no actor: the operator has the database) and the admin API (admins, squad
leaders for their squad; the bureau reads) call the same methods.
"""

from __future__ import annotations

from collections import defaultdict

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from sync.clock import Clock
from sync.db.engine import read_transaction, write_transaction
from sync.domain.roles import Actor, Role
from sync.errors import DomainError
from sync.qr import rules
from sync.store import audit, org
from sync.store import qr as store
from sync.store.qr import Card, QrCode

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


def may_manage(actor: Actor | None, squad_id: str) -> bool:
    """Admins and the squad's leader post and revoke codes; the CLI operator may too."""
    if actor is None or actor.role is Role.ADMIN:
        return True
    return actor.role is Role.SQUAD_LEADER and actor.squad_id == squad_id


def may_read(actor: Actor | None, squad_id: str) -> bool:
    return may_manage(actor, squad_id) or (actor is not None and actor.role is Role.BUREAU)


class QrRegistry:
    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    async def create(self, community_id: str, placement: str, *, by: Actor | None,
                     source: str = CLI) -> QrCode:
        cleaned = rules.normalise_placement(placement)
        if cleaned is None:
            raise DomainError("qr_invalid_placement", field="placement",
                              limit=rules.MAX_PLACEMENT_CHARS)
        now = self.clock.now_ms()
        async with write_transaction(self.engine) as conn:
            community = await org.get_community(conn, community_id)
            if not may_manage(by, community.squad_id):
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
        async with read_transaction(self.engine) as conn:
            community_ids = [community_id] if community_id else None
            found = await store.list_codes(conn, community_ids=community_ids,
                                           squad_id=squad_id)
        return [c for c in found if may_read(by, c.squad_id)]

    async def find(self, code: str, *, by: Actor | None) -> QrCode:
        async with read_transaction(self.engine) as conn:
            found = await store.find_code(conn, code)
        if found is None or not may_read(by, found.squad_id):
            raise DomainError("not_found")
        return found

    async def poster_pages(self, *, by: Actor | None, community_id: str | None = None,
                           squad_id: str | None = None) -> list[PosterPage]:
        """One page per active code of a community, or of every community of a squad."""
        async with read_transaction(self.engine) as conn:
            if community_id is not None:
                community = await org.get_community(conn, community_id)
                community_ids = [community.id]
                squads = {community.squad_id}
            else:
                community_ids = await store.community_ids_of_squad(conn, squad_id or "")
                squads = {squad_id or ""}
            if not all(may_read(by, s) for s in squads):
                raise DomainError("forbidden")
            codes = await store.list_codes(conn, community_ids=community_ids,
                                           active_only=True)
            cards = {c: await store.card(conn, c) for c in community_ids}
        if not codes:
            raise DomainError("qr_no_codes")
        return [PosterPage(card=card, code=code) for code in codes
                if (card := cards[code.community_id]) is not None]

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
        found = await store.find_code(conn, code)
        if found is None or not may_read(by, found.squad_id):
            raise DomainError("not_found")
        if not may_manage(by, found.squad_id):
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
        week = rules.week_of(at_ms)
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

