"""The daily duty log (勤务日志): one liaison's day, merged from all their devices.

What the liaison did is every record they wrote with a device time on that day (their
mutations' HLCs), whichever phone or tablet it came from; what others did in their
communities that day is shown apart. The review state is a ``duty_log_review`` record
written through the merge, so it reaches the liaison's PWA on the next pull.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from schema.kinds import FIELD_LABELS, REVIEW_STATES, DutyLogReview, RecordKind, Visit
from schema.stored import read, time_ms
from sync.console import flags as F
from sync.console import present
from sync.console.viewer import Viewer
from sync.db.engine import read_transaction, write_transaction
from sync.domain import refs
from sync.domain.merge import field_writes
from sync.domain.shanghai import day_bounds
from sync.errors import DomainError
from sync.services.server_writes import CONSOLE_DEVICE, ServerWrite, write_records
from sync.store import duty_log as store
from sync.store import people

REVIEW_KIND = DutyLogReview.KIND


class Entry(msgspec.Struct):
    id: str
    kind: str
    kind_label: str
    community_id: str
    at_ms: int
    author: str
    summary: str
    lines: list[tuple[str, str]]
    flags: list[str]
    parent_id: str | None = None
    context: str = ""
    depth: int = 0


class VisitEntry(msgspec.Struct):
    entry: Entry
    start_ms: int
    end_ms: int | None
    duration_ms: int | None
    gps_in: str
    gps_out: str
    children: list[Entry]


class Review(msgspec.Struct):
    state: str = "pending"
    comment: str = ""
    by: str = ""
    at_ms: int | None = None


class DutyLog(msgspec.Struct):
    liaison: people.Person
    day: date
    visits: list[VisitEntry]
    other: list[Entry]
    by_others: list[Entry]
    flag_counts: dict[str, int]
    review: Review

    @property
    def visit_ms(self) -> int:
        return sum(v.duration_ms or 0 for v in self.visits)

    @property
    def record_count(self) -> int:
        return sum(1 + len(v.children) for v in self.visits) + len(self.other)


def review_id(liaison_id: str, day: date) -> str:
    return f"dlr-{liaison_id}-{day.strftime('%Y%m%d')}"


def _review(row: Any, names: dict[str, str]) -> Review:
    if row is None:
        return Review()
    meta = field_writes(row.field_meta).get("state")
    # Only a review made in the console counts: a device cannot approve its own log.
    if meta is None or meta.device_id != CONSOLE_DEVICE:
        return Review()
    review = read(DutyLogReview, row.fields)
    return Review(state=review.state or "pending", comment=review.comment or "",
                  by=names.get(meta.user_id, meta.user_id),
                  at_ms=int(row.updated_ms))


async def build(conn: AsyncConnection, liaisons: list[people.Person], day: date, *,
                now_ms: int, with_others: bool) -> dict[str, DutyLog]:
    """The duty logs of ``liaisons`` for ``day``, keyed by liaison id."""
    start, end = day_bounds(day)
    ids = [p.id for p in liaisons]
    touches = await store.touched_by(conn, ids, start_ms=start, end_ms=end)
    others: list[store.Touch] = []
    assigned = await people.assignments_of(conn, ids) if with_others else {}
    if with_others and len(liaisons) == 1:
        others = await store.touched_in(conn, assigned.get(ids[0], []), start_ms=start,
                                        end_ms=end, exclude_user=ids[0])
    wanted = {t.record_id for t in touches} | {t.record_id for t in others}
    rows = await store.load_rows(conn, [*wanted, *(review_id(i, day) for i in ids)])
    typed = {rid: read(r.kind, r.fields) for rid, r in rows.items()}
    parents = [p for r in typed.values() if (p := present.parent_of(r)) and p not in rows]
    context_rows = await store.load_rows(conn, parents)
    typed.update((rid, read(r.kind, r.fields)) for rid, r in context_rows.items())
    conflicts = await store.conflicted(conn, list(wanted))
    authors = {r.created_by for r in rows.values()} | {
        w.user_id for r in rows.values() if r.kind == REVIEW_KIND
        for w in field_writes(r.field_meta).values()}
    names = await people.names(conn, list(authors))
    offsets: dict[str, list[int | None]] = {}
    for touch in [*touches, *others]:
        offsets.setdefault(touch.record_id, []).append(touch.offset_ms)
    logs = {}
    for person in liaisons:
        mine = {t.record_id for t in touches if t.user_id == person.id}
        theirs = {t.record_id for t in others} - mine
        entries = {rid: _entry(rows[rid], typed, names=names, conflicts=conflicts,
                               offsets=offsets, liaison_id=person.id, day_end=end,
                               context={**rows, **context_rows})
                   for rid in mine if rid in rows and rows[rid].kind != REVIEW_KIND}
        logs[person.id] = _assemble(person, day, entries, typed, now_ms=now_ms, day_end=end,
                                    by_others=[_entry(rows[rid], typed, names=names,
                                                      conflicts=conflicts, offsets=offsets,
                                                      liaison_id=person.id, day_end=end,
                                                      context=rows)
                                               for rid in theirs if rid in rows],
                                    review=_review(rows.get(review_id(person.id, day)), names))
    return logs


def _entry(row: Any, typed: dict[str, RecordKind], *, names: dict[str, str],
           conflicts: dict[str, int], offsets: dict[str, list[int | None]], liaison_id: str,
           day_end: int, context: dict[str, Any]) -> Entry:
    """``typed``: every row of ``context`` (and ``row``) read as its kind."""
    record = typed[row.id]
    marks = []
    if F.clock_off(clock_suspect=bool(row.clock_suspect), offsets=offsets.get(row.id, [])):
        marks.append(F.CLOCK_OFF)
    meta = field_writes(row.field_meta)
    if F.edited_later(meta, user_id=liaison_id, day_end_ms=day_end):
        marks.append(F.EDITED_LATER)
    if conflicts.get(row.id):
        marks.append(F.CONFLICT)
    parent_id = present.parent_of(record)
    parent = context.get(parent_id or "")
    if parent is not None and not refs.belongs(row, parent):
        parent_id, parent = None, None
    context_text = ""
    if parent is not None and parent.kind != Visit.KIND:
        context_text = (f"{present.kind_label(parent.kind)}："
                        f"{present.summary(typed[parent.id])}")
    at = present.own_time(record) or F.created_ms(meta, fallback=int(row.created_ms))
    return Entry(id=row.id, kind=row.kind, kind_label=present.kind_label(row.kind),
                 community_id=row.community_id, at_ms=at,
                 author=names.get(row.created_by, row.created_by),
                 summary=present.summary(record), lines=present.lines(record), flags=marks,
                 parent_id=parent_id, context=context_text)


def _visits(ids: list[str], typed: dict[str, RecordKind]) -> list[tuple[str, Visit]]:
    """The visits among ``ids`` that are not voided."""
    return [(i, v) for i in ids if isinstance(v := typed[i], Visit) and not v.voided]


def _assemble(person: people.Person, day: date, entries: dict[str, Entry],
              typed: dict[str, RecordKind], *, now_ms: int, day_end: int,
              by_others: list[Entry], review: Review) -> DutyLog:
    visit_rows = _visits(list(entries), typed)
    spans = [F.Span(id=i, start_ms=entries[i].at_ms, end_ms=time_ms(v.ended_at))
             for i, v in visit_rows]
    visit_marks = F.visit_flags(spans, day_end_ms=day_end, now_ms=now_ms)
    children: dict[str, list[Entry]] = {}
    for entry in entries.values():
        if entry.parent_id in entries:
            children.setdefault(entry.parent_id, []).append(entry)

    def descend(parent_id: str, depth: int) -> list[Entry]:
        found = []
        for child in sorted(children.get(parent_id, []), key=lambda e: e.at_ms):
            child.depth = depth
            found.append(child)
            found.extend(descend(child.id, depth + 1))
        return found

    visits = []
    for span, (visit_id, visit) in zip(spans, visit_rows, strict=True):
        entry = entries[visit_id]
        entry.flags = visit_marks[visit_id] + entry.flags
        visits.append(VisitEntry(entry=entry, start_ms=span.start_ms, end_ms=span.end_ms,
                                 duration_ms=F.duration_ms(span),
                                 gps_in=present.gps_text(visit.gps_in),
                                 gps_out=present.gps_text(visit.gps_out),
                                 children=descend(visit_id, 1)))
    visits.sort(key=lambda v: v.start_ms)
    nested = {c.id for v in visits for c in v.children} | {v.entry.id for v in visits}
    voided_visits = {i for i in entries if isinstance(typed[i], Visit) and typed[i].voided}
    other = []
    for entry in sorted(entries.values(), key=lambda e: e.at_ms):
        if entry.id in nested or entry.id in voided_visits or entry.parent_id in entries:
            continue
        other.append(entry)
        other.extend(descend(entry.id, 1))
    counts = Counter(f for e in entries.values() for f in e.flags)
    return DutyLog(liaison=person, day=day, visits=visits, other=other,
                   by_others=sorted(by_others, key=lambda e: e.at_ms),
                   flag_counts=dict(counts), review=review)


class DutyLogs:
    """The pages' services: a squad's day, one liaison's day, and the supervisor's review."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def squad_day(self, viewer: Viewer, *, squad_id: str | None, day: date,
                        now_ms: int) -> list[DutyLog]:
        async with read_transaction(self.engine) as conn:
            squads = [squad_id] if squad_id else [s.id for s in viewer.squads]
            viewer.squad_places(squad_id)
            liaisons = [p for s in squads
                        for p in await people.list_people(conn, role="liaison", squad_id=s)]
            logs = await build(conn, liaisons, day, now_ms=now_ms, with_others=False)
        return [logs[p.id] for p in liaisons]

    async def liaison_day(self, viewer: Viewer, *, liaison_id: str, day: date,
                          now_ms: int) -> DutyLog:
        async with read_transaction(self.engine) as conn:
            person = viewer.check_person(await people.get_person(conn, liaison_id))
            logs = await build(conn, [person], day, now_ms=now_ms, with_others=True)
        return logs[person.id]

    async def set_review(self, viewer: Viewer, *, liaison_id: str, day: date, state: str,
                         comment: str, now_ms: int) -> None:
        if state not in REVIEW_STATES:
            raise DomainError("invalid_choice", field="state",
                              label=FIELD_LABELS[REVIEW_KIND]["state"])
        async with write_transaction(self.engine) as conn:
            person = viewer.check_person(await people.get_person(conn, liaison_id))
            record_id = review_id(person.id, day)
            existing = (await store.load_rows(conn, [record_id])).get(record_id)
            if existing is not None:
                community_id = existing.community_id
            else:
                assigned = (await people.assignments_of(conn, [person.id])).get(person.id, [])
                in_scope = [c for c in assigned if c in viewer.places]
                if not in_scope:
                    raise DomainError("no_community")
                community_id = in_scope[0]
            await write_records(conn, [ServerWrite(
                kind=REVIEW_KIND, record_id=record_id, community_id=community_id,
                fields={"liaison_id": person.id, "day": day.isoformat(), "state": state,
                        "comment": comment.strip()[:2000] or None})],
                author=viewer.actor, device_id=CONSOLE_DEVICE, now_ms=now_ms)
