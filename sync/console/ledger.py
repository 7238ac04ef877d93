"""The case ledger (工作台账): filters, SLAs, the step trail, reopening, and the export."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from schema.kinds import FIELD_LABELS, Case, CaseStep
from schema.stored import read, time_ms
from sync.console import present
from sync.console.sla import CaseFacts, SlaView, Step, evaluate
from sync.console.viewer import Viewer
from sync.db.engine import read_transaction, write_transaction
from sync.domain.access import may_reopen
from sync.domain.merge import status_rank
from sync.domain.shanghai import day_start_ms, parse_time, utc_iso
from sync.errors import DomainError
from sync.i18n import t
from sync.services.server_writes import CONSOLE_DEVICE, ServerWrite, write_records
from sync.store import ledger as store
from sync.store import people

PAGE_SIZE = 50
EXPORT_LIMIT = 20_000
REOPEN_STAGES = ("received", "accepted", "in_progress")


def source_groups() -> list[tuple[str, str]]:
    """The ledger's source filter as (group, label): each source the office follows on
    its own (the store's ``SOURCE_GROUPS``), then every other source together."""
    return [*((group, present.option_label(Case.KIND, "source", sources[0]))
              for group, sources in store.SOURCE_GROUPS.items()),
            ("other", t("console.ledger.source.other"))]


class LedgerQuery(msgspec.Struct, frozen=True):
    squad: str | None = None
    community: str | None = None
    source: str | None = None
    category: str | None = None
    status: str | None = None
    first: date | None = None
    last: date | None = None
    overdue: bool = False  # only the cases past a deadline now (sla.py)
    page: int = 1


class StepRow(msgspec.Struct):
    id: str
    action: str
    action_label: str
    at_ms: int
    author: str
    lines: list[tuple[str, str]]


class CaseRow(msgspec.Struct):
    id: str
    community_id: str
    community_name: str
    squad_name: str
    received_ms: int
    title: str
    category: str
    source: str
    source_label: str
    stage: str
    stage_label: str
    reopen_count: int
    sla: SlaView
    steps: list[StepRow]
    lines: list[tuple[str, str]]
    author: str


class LedgerPage(msgspec.Struct):
    rows: list[CaseRow]
    total: int
    page: int
    pages: int


def _filter(viewer: Viewer, query: LedgerQuery) -> store.LedgerFilter:
    places = viewer.squad_places(query.squad)
    ids = [p.id for p in places]
    if query.community:
        ids = [viewer.place(query.community).id] if query.community in ids else []
        if not ids:
            raise DomainError("not_found")
    everything = viewer.is_bureau and not query.squad and not query.community
    return store.LedgerFilter(
        community_ids=None if everything else ids, source=query.source or None,
        category=query.category or None, status=query.status or None,
        received_from_ms=day_start_ms(query.first) if query.first else None,
        received_to_ms=day_start_ms(query.last + timedelta(days=1)) if query.last else None)


class _Step(msgspec.Struct, frozen=True):
    """A case step's record, typed, with when it was taken."""

    row: Any
    step: CaseStep
    at_ms: int


def _steps(rows: list[Any]) -> list[_Step]:
    """The steps oldest first: by their own time, else when the server received them."""
    steps = []
    for row in rows:
        step = read(CaseStep, row.fields)
        steps.append(_Step(row=row, step=step,
                           at_ms=present.own_time(step) or int(row.created_ms)))
    return sorted(steps, key=lambda s: s.at_ms)


def _facts(row: Any, case: Case, steps: list[_Step]) -> CaseFacts:
    return CaseFacts(received_ms=int(row.created_ms), category=case.category or None,
                     source=case.source or None, stage=case.status or "received",
                     steps=[Step(action=s.step.action or "", at_ms=s.at_ms) for s in steps],
                     due_ms=time_ms(case.due_at))


async def _overdue(conn: AsyncConnection, wanted: store.LedgerFilter, *,
                   now_ms: int) -> list[str]:
    """The ids of the filter's cases past a deadline at ``now_ms``, newest first.

    Weighed without their steps first: steps can only show a case responded to, so a
    case not overdue without them is not overdue with them, and one past its resolution
    deadline is overdue whatever they say. Only the rest — not accepted, past the
    response deadline — have their steps read."""
    sure, unsure = set(), []
    cases = await store.unresolved(conn, wanted)
    for case in cases:
        view = evaluate(CaseFacts(received_ms=int(case.received_ms), category=case.category,
                                  source=case.source, stage=case.status, steps=[],
                                  due_ms=parse_time(case.due_at)), now_ms=now_ms)
        if now_ms > view.resolve_due_ms:
            sure.add(case.record_id)
        elif view.overdue:
            unsure.append(case.record_id)
    unsure_cases = await store.cases_by_id(conn, unsure)
    steps = await store.steps_for(conn, unsure_cases)
    sure.update(row.id for row in unsure_cases if evaluate(
        _facts(row, read(Case, row.fields), _steps(steps[row.id])), now_ms=now_ms).overdue)
    return [c.record_id for c in cases if c.record_id in sure]


async def _rows(conn: AsyncConnection, viewer: Viewer, cases: list[Any], *,
                now_ms: int) -> list[CaseRow]:
    steps = await store.steps_for(conn, cases)
    names = await people.names(conn, [c.created_by for c in cases] + [
        s.created_by for found in steps.values() for s in found])
    out = []
    for row in cases:
        case = read(Case, row.fields)
        trail = _steps(steps.get(row.id, []))
        stage = case.status or "received"
        place = viewer.places.get(row.community_id)
        out.append(CaseRow(
            id=row.id, community_id=row.community_id,
            community_name=place.name if place else row.community_id,
            squad_name=viewer.squad_name(place.squad_id) if place else "",
            received_ms=int(row.created_ms), title=case.title or "",
            category=case.category or "", source=case.source or "",
            source_label=present.option_label(Case.KIND, "source", case.source),
            stage=stage, stage_label=present.option_label(Case.KIND, "status", stage),
            reopen_count=case.reopen_count or 0,
            sla=evaluate(_facts(row, case, trail), now_ms=now_ms),
            steps=[StepRow(id=s.row.id, action=s.step.action or "", action_label=(
                present.option_label(CaseStep.KIND, "action", s.step.action)), at_ms=s.at_ms,
                author=names.get(s.row.created_by, s.row.created_by),
                lines=present.lines(s.step)) for s in trail],
            lines=present.lines(case), author=names.get(row.created_by, "")))
    return out


class Ledger:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def page(self, viewer: Viewer, query: LedgerQuery, *, now_ms: int) -> LedgerPage:
        wanted = _filter(viewer, query)
        page = max(1, query.page)
        async with read_transaction(self.engine) as conn:
            if query.overdue:
                late = await _overdue(conn, wanted, now_ms=now_ms)
                total = len(late)
                cases = await store.cases_by_id(
                    conn, late[(page - 1) * PAGE_SIZE:page * PAGE_SIZE])
            else:
                total = await store.count(conn, wanted)
                cases = await store.page(conn, wanted, offset=(page - 1) * PAGE_SIZE,
                                         limit=PAGE_SIZE)
            rows = await _rows(conn, viewer, cases, now_ms=now_ms)
        return LedgerPage(rows=rows, total=total, page=page,
                          pages=max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE))

    async def all_rows(self, viewer: Viewer, query: LedgerQuery, *,
                       now_ms: int) -> list[CaseRow]:
        """Every case the query finds (up to ``EXPORT_LIMIT``), for the export."""
        wanted = _filter(viewer, query)
        async with read_transaction(self.engine) as conn:
            if query.overdue:
                ids = await _overdue(conn, wanted, now_ms=now_ms)
                cases = await store.cases_by_id(conn, ids[:EXPORT_LIMIT])
            else:
                cases = await store.page(conn, wanted, offset=0, limit=EXPORT_LIMIT)
            return await _rows(conn, viewer, cases, now_ms=now_ms)

    async def case_detail(self, viewer: Viewer, case_id: str, *, now_ms: int) -> CaseRow:
        async with read_transaction(self.engine) as conn:
            case = await store.get_case(conn, case_id)
            if case is None or case.community_id not in viewer.places:
                raise DomainError("not_found")
            return (await _rows(conn, viewer, [case], now_ms=now_ms))[0]

    async def reopen(self, viewer: Viewer, case_id: str, *, stage: str, note: str, now_ms: int,
                     step_id: str) -> None:
        """Reopen a case: one round higher in the status lattice, with a ``reopen`` step."""
        if not may_reopen(viewer.actor):
            raise DomainError("forbidden")
        if stage not in REOPEN_STAGES:
            raise DomainError("invalid_choice", field="stage",
                              label=FIELD_LABELS["case"]["status"])
        async with write_transaction(self.engine) as conn:
            case = await store.get_case(conn, case_id)
            if case is None or case.community_id not in viewer.places:
                raise DomainError("not_found")
            reopen_count = status_rank(case.fields)[0] + 1
            await write_records(conn, [
                ServerWrite(kind="case", record_id=case.id, community_id=case.community_id,
                            fields={"status": stage, "reopen_count": reopen_count}),
                ServerWrite(kind="case_step", record_id=step_id, community_id=case.community_id,
                            fields={"case_id": case.id, "action": "reopen",
                                    "note": note.strip()[:4000] or None,
                                    "at": utc_iso(now_ms)}),
            ], author=viewer.actor, device_id=CONSOLE_DEVICE, now_ms=now_ms)
