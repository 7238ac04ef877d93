"""The record book (社区工作室记录本): the paper book's chronological record, per community."""

from __future__ import annotations

from datetime import date, timedelta

import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.stored import read
from sync.console import present
from sync.console.flags import created_ms
from sync.console.viewer import Viewer
from sync.db.engine import read_transaction
from sync.domain.merge import field_writes
from sync.domain.org import Community
from sync.domain.shanghai import day_start_ms
from sync.store import people
from sync.store.record_book import community_records


class BookEntry(msgspec.Struct):
    id: str
    at_ms: int
    kind: str
    kind_label: str
    author: str
    summary: str
    lines: list[tuple[str, str]]
    voided: bool


class RecordBook:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def book(self, viewer: Viewer, *, community_id: str, first: date,
                   last: date) -> tuple[Community, list[BookEntry]]:
        """A community's book from ``first`` to ``last``, oldest first."""
        place = viewer.place(community_id)
        start, end = day_start_ms(first), day_start_ms(last + timedelta(days=1))
        async with read_transaction(self.engine) as conn:
            rows = await community_records(conn, place.id, start_ms=start, end_ms=end)
            names = await people.names(conn, [r.created_by for r in rows])
        entries = []
        for row in rows:
            record = read(row.kind, row.fields)
            at = present.own_time(record) or created_ms(
                field_writes(row.field_meta), fallback=int(row.created_ms))
            if not start <= at < end:
                continue
            entries.append(BookEntry(
                id=row.id, at_ms=at, kind=row.kind, kind_label=present.kind_label(row.kind),
                author=names.get(row.created_by, row.created_by), summary=present.summary(record),
                lines=present.lines(record), voided=bool(record.voided)))
        entries.sort(key=lambda e: (e.at_ms, e.id))
        return place, entries
