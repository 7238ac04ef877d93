"""Administration (admin only): people, roles, assignments, communities, liaison cards.

Changes go through AuthService (audit log, token revocation, scope events) and the
organisation store; nothing here writes SQL of its own. QR codes and their posters
belong to the QR intake (sync/qr/), which keeps a registry of codes per community.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from sync.db.engine import read_transaction, write_transaction
from sync.domain.org import Card
from sync.errors import DomainError
from sync.i18n import t
from sync.store import audit, org, people


class Administration:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def overview(self) -> dict[str, Any]:
        async with read_transaction(self.engine) as conn:
            places = await org.communities_of(conn)
            return {"people": await people.list_people(conn),
                    "squads": await people.list_squads(conn),
                    "places": places, "cards": await org.cards(conn),
                    "community_names": {c.id: c.name for c in places},
                    "assigned": await people.assignments_of(conn),
                    "companies": await people.list_property_companies(conn, None)}

    async def set_card(self, community_id: str, *, liaison_name: str, phone: str, by: str,
                       now_ms: int) -> None:
        if not liaison_name.strip() or len(liaison_name) > 50 or len(phone) > 40:
            raise DomainError("invalid_body", field="card", detail=t("detail.card"))
        async with write_transaction(self.engine) as conn:
            if await org.set_liaison_card(conn, community_id, liaison_name=liaison_name.strip(),
                                          phone=phone.strip()):
                await audit.record(conn, at_ms=now_ms, actor=by, action="card_changed",
                                   target=community_id, source="console")

    async def unlink_company(self, community_id: str, company_id: str, *, by: str,
                             now_ms: int) -> None:
        """A property company stops serving a community (a link made by mistake, or the
        community changed company): the liaisons' inspection form stops offering it."""
        async with write_transaction(self.engine) as conn:
            if await org.unlink_property_company(conn, community_id, company_id):
                await audit.record(conn, at_ms=now_ms, actor=by, action="company_unlinked",
                                   target=community_id,
                                   detail={"property_company_id": company_id},
                                   source="console")

    async def card(self, community_id: str) -> Card:
        async with read_transaction(self.engine) as conn:
            found = await org.cards(conn, ids=[community_id])
        if not found:
            raise DomainError("not_found")
        return found[0]
