"""The charts page's service: visit hours per squad, cases per month, compliance trend."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from schema.kinds import CASE_SOURCES, CASE_STAGES, Case
from sync.console import present
from sync.console.charts import Chart, Series
from sync.console.viewer import Viewer
from sync.console.weekly import Compliance, Matrix
from sync.db.engine import read_transaction
from sync.domain.shanghai import day_start_ms, to_local, today, week_monday, week_short
from sync.i18n import t
from sync.store.ledger import case_facts_since

WEEKS = 12
MONTHS = 6


class Charts:
    def __init__(self, engine: AsyncEngine, compliance: Compliance) -> None:
        self.engine = engine
        self.compliance = compliance

    async def dashboard(self, viewer: Viewer, *, now_ms: int) -> list[Chart]:
        now_day = today(now_ms)
        first = week_monday(now_day) - timedelta(weeks=WEEKS - 1)
        m = await self.compliance.matrix(viewer, squad_id=None, first=first, last=now_day,
                                         now_ms=now_ms)
        month_start = now_day.replace(day=1)
        for _ in range(MONTHS - 1):
            month_start = (month_start - timedelta(days=1)).replace(day=1)
        async with read_transaction(self.engine) as conn:
            facts = await case_facts_since(conn, viewer.community_ids,
                                           since_ms=day_start_ms(month_start))
        return [*_visit_charts(m), *_case_charts(facts, first_month=month_start,
                                                 now_day=now_day)]


def _visit_charts(m: Matrix) -> list[Chart]:
    labels = [week_short(w) for w in m.weeks]
    hours = Chart(id="visit-hours", title=t("console.charts.visit_hours"), labels=labels,
                  unit="h", series=[Series(name=s.name, values=[r.hours for r in rollups])
                                    for s, rollups in m.squads])
    trend = Chart(id="compliance-trend", title=t("console.charts.compliance_trend"),
                  labels=labels, unit="%", line=True,
                  series=[Series(name=t("console.charts.district"),
                                 values=[float(r.percent) for r in m.district])])
    return [hours, trend]


def _case_charts(facts: list[Any], *, first_month: date, now_day: date) -> list[Chart]:
    months = sorted({to_local(int(f.created_ms)).strftime("%Y-%m") for f in facts} | {
        first_month.strftime("%Y-%m"), now_day.strftime("%Y-%m")})
    by_source = Counter((to_local(int(f.created_ms)).strftime("%Y-%m"), f.source) for f in facts)
    by_status = Counter((to_local(int(f.created_ms)).strftime("%Y-%m"), f.status or "received")
                        for f in facts)
    sources = Chart(id="cases-source", title=t("console.charts.cases_by_source"), labels=months,
                    stacked=True, series=[Series(
                        name=present.option_label(Case.KIND, "source", s),
                        values=[float(by_source[(m_, s)]) for m_ in months])
                        for s in CASE_SOURCES])
    statuses = Chart(id="cases-status", title=t("console.charts.cases_by_status"),
                     labels=months, stacked=True, series=[Series(
                         name=present.option_label(Case.KIND, "status", s),
                         values=[float(by_status[(m_, s)]) for m_ in months])
                         for s in CASE_STAGES])
    return [sources, statuses]
