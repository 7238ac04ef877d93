"""Rejected records: the supervisor marks one as dealt with, with a note.

The rejected-mutation store is never changed (nothing is lost); the mark lives beside it.
Visibility follows the review queue: a squad leader deals with what was sent to the
squad's communities or by the squad's own people.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from sync.console.viewer import Viewer
from sync.db.engine import read_transaction, write_transaction
from sync.domain import access
from sync.domain.access import Action, Subject
from sync.errors import DomainError
from sync.store import org, people
from sync.store import rejected as store


class Rejected:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def handled(self, mutation_ids: list[str]) -> dict[str, Any]:
        async with read_transaction(self.engine) as conn:
            return await store.handled_among(conn, mutation_ids)

    async def mark_handled(self, viewer: Viewer, mutation_id: str, *, note: str,
                           now_ms: int) -> None:
        async with write_transaction(self.engine) as conn:
            found = await store.rejected_community(conn, mutation_id)
            if found is None:
                raise DomainError("not_found")
            community_id, sender_id = found
            scope = await org.scope_of(conn, viewer.actor, Subject.REJECTED, Action.WRITE)
            sent_to = await org.communities_of(conn, ids=[community_id])
            sender = await people.get_person(conn, sender_id)
            if not access.may_see_rejected(
                    scope, community_id=community_id,
                    squad_id=sent_to[0].squad_id if sent_to else None,
                    sender_squad_id=sender.squad_id if sender else None):
                raise DomainError("not_found")
            await store.mark_handled(conn, mutation_id, by=viewer.actor.id, now_ms=now_ms,
                                     note=note.strip()[:2000] or None)
