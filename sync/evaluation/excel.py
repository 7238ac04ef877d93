"""Excel workbooks of the evaluation (openpyxl): Chinese headers, one sheet per table,
charts beside the numbers they draw."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sync.domain.shanghai import fmt_datetime
from sync.evaluation.appraisal import LiaisonAppraisal
from sync.evaluation.diversion_service import DiversionReport
from sync.evaluation.scoring import squad_summary
from sync.evaluation.service import Assessment
from sync.i18n import t
from sync.xlsx import row


def _h(key: str) -> str:
    return t(f"evaluation.excel.{key}")


def _sheet(book: Workbook, title_key: str, headers: Sequence[str],
           rows: Iterable[Sequence[Any]]) -> Worksheet:
    return fill_sheet(book.create_sheet(_h(title_key)), [_h(h) for h in headers], rows)


def fill_sheet(sheet: Worksheet, headers: list[str], rows: Iterable[Sequence[Any]]) -> Worksheet:
    # Write-only sheets stream rows to disk, so the layout must come before the first row.
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, 2 * len(header) + 2)
    sheet.append(row(sheet, headers))
    for values in rows:
        sheet.append(row(sheet, values))
    return sheet


def _book() -> Workbook:
    """A write-only workbook: a district's evidence runs to tens of thousands of rows."""
    return Workbook(write_only=True)


def _when(ms: int | None) -> str:
    return fmt_datetime(ms) if ms else ""


def _yes(flag: bool) -> str:
    return _h("yes") if flag else _h("no")


def to_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bar_chart(sheet: Worksheet, *, title_key: str, value_col: int, label_col: int,
               rows: int, anchor: str) -> None:
    if rows == 0:
        return
    chart = BarChart()
    chart.type = "bar"
    chart.title = _h(title_key)
    chart.add_data(Reference(sheet, min_col=value_col, min_row=1, max_row=rows + 1),
                   titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=label_col, min_row=2, max_row=rows + 1))
    chart.height, chart.width = max(8, rows * 0.5), 18
    sheet.add_chart(chart, anchor)


def assessment_workbook(assessment: Assessment) -> Workbook:
    book = _book()
    status = {n["community_id"]: t(f"evaluation.nomination.{n['status']}")
              for n in assessment.nominations}
    ranking = _sheet(book, "ranking", (
        "rank", "squad", "community", "total", "previous_total", "previous_rank", "change",
        "candidate", "status"), (
        (s.rank, s.workroom.squad_name, s.workroom.name, s.total, s.previous_total,
         s.previous_rank, s.change, _yes(s.workroom.community_id in assessment.candidates),
         status.get(s.workroom.community_id, "")) for s in assessment.scores))
    _bar_chart(ranking, title_key="chart_ranking", value_col=4, label_col=3,
               rows=len(assessment.scores), anchor="K2")
    _sheet(book, "squads", ("squad", "workrooms", "average", "best"), (
        (s.squad_name, s.workrooms, s.average, s.best)
        for s in squad_summary(assessment.scores)))
    _sheet(book, "details", (
        "squad", "community", "group", "criterion", "weight", "basis", "value", "points",
        "detail"), (
        (s.workroom.squad_name, s.workroom.name, i.group, i.label, i.weight,
         _h(f"basis_{i.basis}"), None if i.value is None else round(i.value, 4), i.points,
         i.detail) for s in assessment.scores for i in s.items))
    _sheet(book, "evidence", (
        "community", "criterion", "record_kind", "record_id", "counted", "detail"), (
        (s.workroom.name, i.label, e.kind or "", e.record_id or "", _yes(e.counted), e.note)
        for s in assessment.scores for i in s.items for e in i.evidence))
    rooms = {s.workroom.community_id: s.workroom.name for s in assessment.scores}
    labels = {c.id: c.label for c in assessment.criteria.criterion}
    _sheet(book, "manual", (
        "community", "criterion", "points", "note", "by", "at", "contested"), (
        (rooms.get(m.community_id, m.community_id), labels.get(m.criterion_id, m.criterion_id),
         m.points, m.note, m.by_name, _when(m.at_ms),
         f"{m.contested_by}：{m.contest_reason}（{_when(m.contested_ms)}）"
         if m.contested_by else "") for m in assessment.manual_history))
    # The recorded nominations (rank and total as nominated), then the rules' candidates
    # not yet on the list.
    by_id = {s.workroom.community_id: s.workroom for s in assessment.scores}
    listed = [(n["rank"], by_id[n["community_id"]], n["total"], status[n["community_id"]])
              for n in assessment.nominations if n["community_id"] in by_id]
    listed += [(s.rank, s.workroom, s.total, _h("candidate")) for s in assessment.scores
               if s.workroom.community_id in assessment.candidates
               and s.workroom.community_id not in status]
    _sheet(book, "nominations", ("rank", "squad", "community", "total", "status"), (
        (rank, room.squad_name, room.name, total, state)
        for rank, room, total, state in listed))
    return book


def appraisal_workbook(appraisals: list[LiaisonAppraisal]) -> Workbook:
    book = _book()
    parts = [p.key for p in appraisals[0].parts] if appraisals else []
    fill_sheet(book.create_sheet(_h("appraisal")), [
        _h("liaison"), _h("squad"), _h("communities"), _h("visit_hours"),
        *[t(f"evaluation.appraisal.{k}") for k in parts], _h("bonus"), _h("bonus_reason"),
        _h("total")], (
        [a.name, a.squad_name, "、".join(a.communities), a.visit_hours,
         *[p.points for p in a.parts], a.bonus, a.bonus_reason, a.total] for a in appraisals))
    _sheet(book, "details", ("liaison", "criterion", "weight", "value", "points", "detail"), (
        (a.name, p.label, p.weight, round(p.value, 4), p.points, p.detail)
        for a in appraisals for p in a.parts))
    return book


def diversion_workbook(report: DiversionReport) -> Workbook:
    book = _book()
    rooms = {w.community_id: w for w in report.workrooms}
    _sheet(book, "diversion", (
        "squad", "community", "month", "qr_cases", "workroom_cases", "hotline_orders", "ratio"), (
        (rooms[r.community_id].squad_name, rooms[r.community_id].name, r.month, r.qr_cases,
         r.workroom_cases, r.hotline_orders, r.ratio) for r in report.rows))
    trend = _sheet(book, "trend", (
        "month", "qr_cases", "workroom_cases", "hotline_orders", "ratio"), (
        (r.month, r.qr_cases, r.workroom_cases, r.hotline_orders, r.ratio)
        for r in report.trend))
    if report.trend:
        chart = LineChart()
        chart.title = _h("chart_trend")
        chart.add_data(Reference(trend, min_col=2, max_col=4, min_row=1,
                                 max_row=len(report.trend) + 1), titles_from_data=True)
        chart.set_categories(Reference(trend, min_col=1, min_row=2,
                                       max_row=len(report.trend) + 1))
        trend.add_chart(chart, "G2")

    def name(community_id: str) -> str:
        room = rooms.get(community_id)
        return room.name if room else community_id

    _sheet(book, "repeats", ("community", "category", "first", "repeat", "days_apart"), (
        (name(r.repeat.community_id), r.repeat.category,
         f"{r.first.ref}（{_when(r.first.at_ms)}）", f"{r.repeat.ref}（{_when(r.repeat.at_ms)}）",
         r.days_apart) for r in report.repeats))
    _sheet(book, "adoption", ("community", "placement", "month", "scans", "reports"), (
        (name(a.community_id), a.placement, a.month, a.scans, a.reports)
        for a in report.adoption))
    return book
