"""Importing the 12345 hotline's export (CSV or XLSX) and fixing unmapped orders."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine

from sync.clock import Clock
from sync.db.engine import read_transaction, write_transaction
from sync.domain import access
from sync.domain.access import Action, Subject
from sync.domain.roles import Actor
from sync.errors import DomainError
from sync.evaluation.addresses import category_of, keyword_index, match_community
from sync.evaluation.hotline import RowProblem, WorkOrderRow, parse_export
from sync.spreadsheets import read_rows
from sync.store import audit, locks, org, work_orders


class ImportResult(msgspec.Struct, frozen=True):
    import_id: str
    imported: int
    duplicates: list[RowProblem]
    rejected: list[RowProblem]
    unmapped: list[WorkOrderRow]


class WorkOrderService:
    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    async def import_file(self, data: bytes, *, file_name: str,
                          actor: Actor | None) -> ImportResult:
        """Import the good rows; keep every rejected and duplicate row with its reason."""
        access.require(actor, Subject.WORK_ORDERS, Action.MANAGE)
        rows = read_rows(data, file_name)
        now = self.clock.now_ms()
        by = actor.username if actor else "cli"
        import_id = str(uuid.uuid4())
        async with write_transaction(self.engine) as conn:
            # One import at a time: two uploads of one export would both find its orders
            # new, and the second would fail on their numbers' key.
            await locks.hold(conn, "12345-import")
            # Parse once to learn the order numbers, again knowing which are stored.
            first = parse_export(rows)
            known = await work_orders.known_order_nos(conn, [o.order_no for o in first.orders])
            parsed = parse_export(rows, known=known) if known else first
            index = keyword_index(await work_orders.address_keywords(conn))
            placed = {o.order_no: match_community(o.address, index) for o in parsed.orders}
            await work_orders.add_import(conn, import_id=import_id, file_name=file_name,
                                          at_ms=now, by=by, counts=(
                                              len(parsed.orders), len(parsed.duplicates),
                                              len(parsed.rejected)))
            await work_orders.insert_orders(conn, [{
                "order_no": o.order_no, "import_id": import_id, "received_ms": o.received_ms,
                "address": o.address, "street": o.street, "hotline_category": o.category,
                "category": category_of(o.category), "kind": o.kind, "content": o.content,
                "status": o.status, "satisfaction": o.satisfaction,
                "community_id": placed[o.order_no],
                "mapped_by": "keyword" if placed[o.order_no] else None,
                "mapped_ms": now if placed[o.order_no] else None} for o in parsed.orders])
            await work_orders.insert_errors(conn, [
                {"import_id": import_id, "row_number": p.row, "order_no": p.order_no[:64],
                 "problem": problem, "reason": p.reason, "raw": p.raw}
                for problem, found in (("rejected", parsed.rejected),
                                       ("duplicate", parsed.duplicates)) for p in found])
            await audit.record(conn, at_ms=now, actor=by, action="import_12345",
                               target=file_name[:200], detail={
                                   "imported": len(parsed.orders),
                                   "duplicates": len(parsed.duplicates),
                                   "rejected": len(parsed.rejected)})
        return ImportResult(import_id=import_id, imported=len(parsed.orders),
                            duplicates=parsed.duplicates, rejected=parsed.rejected,
                            unmapped=[o for o in parsed.orders if placed[o.order_no] is None])

    async def map_order(self, order_no: str, community_id: str, *, actor: Actor | None) -> None:
        """A person places an order the address keywords could not."""
        access.require(actor, Subject.WORK_ORDERS, Action.WRITE)
        now = self.clock.now_ms()
        async with write_transaction(self.engine) as conn:
            # Another squad's order is unknown, like one that does not exist.
            scope = await org.scope_of(conn, actor, Subject.WORK_ORDERS, Action.WRITE)
            if await work_orders.get_order(conn, order_no, scope=scope) is None:
                raise DomainError("unknown_work_order", order_no=order_no[:64])
            community = await org.get_community(conn, community_id)
            if not access.may(actor, Subject.WORK_ORDERS, Action.WRITE,
                              community_id=community.id, squad_id=community.squad_id):
                raise DomainError("forbidden")
            by = actor.username if actor else "cli"
            await work_orders.map_order(conn, order_no, community_id=community_id, by=by,
                                         at_ms=now)
            await audit.record(conn, at_ms=now, actor=by, action="map_work_order",
                               target=order_no, detail={"community_id": community_id})

    async def imports(self, *, actor: Actor | None, limit: int = 20) -> list[dict[str, Any]]:
        """The latest imports, for whoever imports (their row errors hold every street's
        raw rows)."""
        if not access.allows(actor, Subject.WORK_ORDERS, Action.MANAGE):
            return []
        async with read_transaction(self.engine) as conn:
            return await work_orders.imports(conn, limit=limit)

    async def unmapped(self, *, actor: Actor | None) -> list[dict[str, Any]]:
        """The orders no community was found for, that ``actor`` may place."""
        access.require(actor, Subject.WORK_ORDERS, Action.READ)
        async with read_transaction(self.engine) as conn:
            scope = await org.scope_of(conn, actor, Subject.WORK_ORDERS, Action.READ)
            return await work_orders.unmapped_orders(conn, scope)

    async def import_errors(self, import_id: str, *,
                            actor: Actor | None) -> list[dict[str, Any]]:
        if not access.allows(actor, Subject.WORK_ORDERS, Action.MANAGE):
            return []
        async with read_transaction(self.engine) as conn:
            return await work_orders.import_errors(conn, import_id)
