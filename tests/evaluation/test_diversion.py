"""Diversion: workroom and QR cases against 12345 orders, per community and month."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook, load_workbook
from sqlalchemy.ext.asyncio import AsyncEngine

from sync.clock import ManualClock
from sync.db.engine import write_transaction
from sync.domain.shanghai import to_ms
from sync.evaluation.diversion_service import Diversion
from sync.evaluation.excel import diversion_workbook, fill_sheet, to_bytes
from sync.evaluation.imports import WorkOrderService
from sync.store import qr as qr_store
from tests.evaluation.quarter import Quarter, at

SAMPLE = Path(__file__).parent / "data" / "12345-export-sample.csv"
HUASAN = "c-hy-01"  # 淞虹路674弄: the sample's SH26001025 (2026-10-04, 乱堆物)


async def _october(engine: AsyncEngine, clock: ManualClock) -> None:
    q = Quarter()
    case = {"status": "received", "reopen_count": 0}
    q.add(at(10, 10), "liaison01", "case", HUASAN, {
        **case, "title": "楼道堆物又来了", "category": "乱堆物", "source": "qr"})
    q.add(at(10, 20), "liaison02", "case", HUASAN, {
        **case, "title": "阳台搭建", "category": "违法搭建", "source": "residents_committee"})
    # Logged from a 12345 order: the hotline's, not diverted.
    q.add(at(10, 21), "liaison02", "case", HUASAN, {
        **case, "title": "12345 转来", "category": "群租", "source": "hotline_12345"})
    await q.apply(engine)
    await WorkOrderService(engine, clock).import_file(SAMPLE.read_bytes(),
                                                      file_name=SAMPLE.name, actor=None)
    async with write_transaction(engine) as conn:
        await qr_store.add_code(conn, code="divqr1", community_id=HUASAN, placement="物业",
                                created_by="admin", now_ms=to_ms(at(10, 1)))
        found = await qr_store.find_code(conn, "divqr1")
        assert found is not None
        for day in (3, 5, 9):
            await qr_store.record_scan(conn, found, client_key=f"k{day}",
                                       now_ms=to_ms(at(10, day)))
        await qr_store.record_report_event(conn, found, client_key="k9",
                                           now_ms=to_ms(at(10, 9, 11)))


async def test_diversion_per_community_and_month_with_repeats_and_qr_use(
        engine: AsyncEngine, clock: ManualClock) -> None:
    await _october(engine, clock)
    report = await Diversion(engine).report("2026-Q4", actor=None)
    row = next(r for r in report.rows if (r.community_id, r.month) == (HUASAN, "2026-10"))
    assert (row.qr_cases, row.workroom_cases, row.hotline_orders) == (1, 2, 1)
    assert row.ratio == round(2 / 3, 4)
    october = next(r for r in report.trend if r.month == "2026-10")
    assert (october.workroom_cases, october.hotline_orders) == (2, 29)
    assert [(r.first.ref, r.repeat.channel, r.days_apart) for r in report.repeats] == [
        ("SH26001025", "qr", 5)]  # 10-04 15:13 → 10-10 10:00
    assert [(a.community_id, a.placement, a.month, a.scans, a.reports)
            for a in report.adoption] == [(HUASAN, "物业", "2026-10", 3, 1)]

    book = load_workbook(io.BytesIO(to_bytes(diversion_workbook(report))))
    assert book.sheetnames == ["分流统计", "分流趋势", "重复投诉", "扫码上报"]
    rows = list(book["分流统计"].iter_rows(values_only=True))
    assert len(rows) == 1 + 33 * 3
    assert ("华阳路街道中队", "华三居民区", "2026-10", 1, 2, 1, round(2 / 3, 4)) in rows
    assert len(list(book["分流趋势"].iter_rows(min_row=2))) == 3


def test_text_that_looks_like_a_formula_stays_text_in_the_workbook_as_written() -> None:
    book = Workbook(write_only=True)
    fill_sheet(book.create_sheet("x"), ["a"], [["=HYPERLINK(\"http://evil\")"], [5]])
    sheet = load_workbook(io.BytesIO(to_bytes(book)))["x"]
    assert [(c.value, c.data_type) for c in sheet["A"]][1:] == [
        ("=HYPERLINK(\"http://evil\")", "s"), (5, "n")]
