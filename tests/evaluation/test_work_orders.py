"""Importing the 12345 hotline's export: header-mapped, deduplicated, dirty rows reported."""

from __future__ import annotations

import asyncio
import io
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy.ext.asyncio import AsyncEngine

from sync.clock import ManualClock
from sync.db.engine import read_transaction
from sync.domain.shanghai import to_local as local
from sync.errors import DomainError
from sync.evaluation.addresses import category_of, keyword_index, match_community
from sync.evaluation.hotline import parse_export, parse_received
from sync.evaluation.imports import WorkOrderService
from sync.spreadsheets import read_rows
from sync.store import org

# A copy of ../shared/data/12345-export-sample.csv (synthetic; names and addresses invented).
SAMPLE = Path(__file__).parent / "data" / "12345-export-sample.csv"
SAMPLE_BYTES = SAMPLE.read_bytes()


def test_the_sample_splits_into_good_rows_a_duplicate_and_two_rejected_rows() -> None:
    parsed = parse_export(read_rows(SAMPLE_BYTES, SAMPLE.name))
    assert len(parsed.orders) == 29
    assert [(p.row, p.order_no, p.reason) for p in parsed.duplicates] == [
        (30, "SH26001004", "工单编号重复（与第 5 行相同）")]
    assert [(p.row, p.order_no, p.reason) for p in parsed.rejected] == [
        (31, "SH26002001", "缺少事发地址"), (32, "SH26002002", "受理时间无法识别：10月32日")]
    serial = next(o for o in parsed.orders if o.order_no == "SH26002003")
    assert local(serial.received_ms).replace(tzinfo=None) == datetime(2026, 10, 15, 10, 30)
    assert parsed.rejected[0].raw["诉求内容"] == "地址没说清楚"


def test_received_times_in_the_forms_exports_use() -> None:
    expected = local(parse_received("2026-10-27 20:51:00") or 0)
    assert (expected.year, expected.month, expected.day, expected.hour) == (2026, 10, 27, 20)
    for value in ("2026/10/27 20:51", "2026年10月27日 20:51", datetime(2026, 10, 27, 20, 51)):
        assert parse_received(value) == parse_received("2026-10-27 20:51:00")
    assert parse_received(46310.4375) == parse_received("2026-10-15 10:30")
    for bad in ("10月32日", "", None, "2026-02-30 10:00", 12.5):
        assert parse_received(bad) is None


def test_addresses_map_by_keyword_and_categories_by_segment() -> None:
    index = keyword_index([("c-a", "天山路14弄"), ("c-b", "天山路114弄 哈密路1弄"),
                           ("c-c", "淞虹路674弄")])
    assert match_community("长宁区天山路14弄2号", index) == "c-a"
    assert match_community("长宁区天山路114弄2号", index) == "c-b"  # not "…14弄"
    assert match_community("淞虹路６７４弄 3号", index) == "c-c"  # full-width digits
    assert match_community("延安西路1号", index) is None
    assert category_of("城市管理-市容环境-占道经营") == "占道经营"
    assert category_of("城市管理-市容环境-油烟") == "油烟污染"
    assert category_of("城市管理-垃圾分类-混投") == "垃圾分类"
    assert category_of("其他-咨询") == "其他"


def test_a_file_without_the_order_number_column_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        parse_export([["受理时间", "事发地址"], ["2026-10-01", "x"]])
    assert refused.value.code == "import_missing_column" and "工单编号" in refused.value.message


def _xlsx() -> bytes:
    """Another export's shape: other column order and names, real date cells, dirty rows."""
    book = Workbook()
    sheet = book.active
    sheet.append(["问题描述", "工单号", "地址", "来电时间", "工单状态", "诉求分类"])
    sheet.append(["摆摊", "X-1", "长宁区天山路955弄7号", datetime(2026, 10, 2, 9, 0), "已办结",
                  "城市管理-市容环境-占道经营"])
    sheet.append(["重复", "X-1", "长宁区天山路955弄7号", datetime(2026, 10, 2, 9, 0), "已办结",
                  "城市管理-市容环境-占道经营"])
    sheet.append(["不知何处", "X-2", "某某路1号", 46300.5, "处理中", "城市管理-市容环境-乱堆物"])
    sheet.append(["坏日期", "X-3", "长宁区哈密路200弄", "下周一", "处理中", ""])
    sheet.append([None, None, None, None, None, None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_an_xlsx_with_duplicates_an_unknown_address_and_a_bad_date(
        engine: AsyncEngine, clock: ManualClock) -> None:
    service = WorkOrderService(engine, clock)
    result = await service.import_file(_xlsx(), file_name="hotline.xlsx", actor=None)
    assert result.imported == 2
    assert [(p.row, p.order_no) for p in result.duplicates] == [(3, "X-1")]
    assert [(p.row, p.order_no, p.reason) for p in result.rejected] == [
        (5, "X-3", "受理时间无法识别：下周一")]
    assert [o.order_no for o in result.unmapped] == ["X-2"]
    errors = await service.import_errors(result.import_id, actor=None)
    assert [(e["row_number"], e["problem"]) for e in errors] == [(3, "duplicate"),
                                                                  (5, "rejected")]
    # The unknown address waits for a person, who places it.
    assert [o["order_no"] for o in await service.unmapped(actor=None)] == ["X-2"]
    async with read_transaction(engine) as conn:
        leader = (await org.get_user(conn, "leader02")).as_actor()  # 江苏路
        bureau = (await org.get_user(conn, "bureau01")).as_actor()
    with pytest.raises(DomainError):
        await service.map_order("X-2", "c-hy-01", actor=leader)  # another squad's
    await service.map_order("X-2", "c-hy-01", actor=bureau)
    assert await service.unmapped(actor=None) == []


async def test_a_squad_leader_places_only_the_orders_of_the_squad_s_street(
        engine: AsyncEngine, clock: ManualClock) -> None:
    service = WorkOrderService(engine, clock)
    street = (",".join(["工单编号", "诉求类型", "受理时间", "事发地址", "所属街镇", "问题分类",
                        "诉求内容", "承办单位", "办理状态", "满意度"]) + "\n"
              + "".join(f"{no},求助,2026-11-20 10:00:00,某某路{n}号,{town},"
                        "城市管理-市容环境-乱堆物,楼下堆物,长宁区城管执法局,处理中,\n"
                        for n, (no, town) in enumerate([("HY-1", "华阳路街道"),
                                                        ("JS-1", "江苏路街道"),
                                                        ("NONE-1", "")])))
    imported = await service.import_file(street.encode(), file_name="12345.csv", actor=None)
    assert sorted(o.order_no for o in imported.unmapped) == ["HY-1", "JS-1", "NONE-1"]
    async with read_transaction(engine) as conn:
        leader = (await org.get_user(conn, "leader01")).as_actor()  # 华阳路
        bureau = (await org.get_user(conn, "bureau01")).as_actor()
    assert [o["order_no"] for o in await service.unmapped(actor=leader)] == ["HY-1"]
    assert len(await service.unmapped(actor=bureau)) == 3
    # The imports' row errors hold every street's raw rows: for the importer only.
    assert await service.imports(actor=leader) == []
    assert await service.import_errors(imported.import_id, actor=leader) == []
    assert [i["id"] for i in await service.imports(actor=bureau)] == [imported.import_id]
    with pytest.raises(DomainError) as unknown:
        await service.map_order("JS-1", "c-hy-01", actor=leader)  # 江苏路's, unseen
    assert unknown.value.code == "unknown_work_order"
    await service.map_order("HY-1", "c-hy-01", actor=leader)
    assert await service.unmapped(actor=leader) == []


async def test_importing_the_sample_twice_imports_nothing_new(
        engine: AsyncEngine, clock: ManualClock) -> None:
    service = WorkOrderService(engine, clock)
    first = await service.import_file(SAMPLE_BYTES, file_name=SAMPLE.name, actor=None)
    assert (first.imported, len(first.duplicates), len(first.rejected)) == (29, 1, 2)
    assert first.unmapped == []  # every good row's lane is a demo community's keyword
    again = await service.import_file(SAMPLE_BYTES, file_name=SAMPLE.name, actor=None)
    assert (again.imported, len(again.duplicates), len(again.rejected)) == (0, 30, 2)
    assert {p.reason for p in again.duplicates} == {"工单已导入过"}


async def test_one_export_uploaded_twice_at_once_imports_each_order_once(
        engine: AsyncEngine, clock: ManualClock) -> None:
    # Two of the bureau's staff upload the same export at the same moment: both would
    # find no order stored yet, and the second insert would hit the order number's key.
    service = WorkOrderService(engine, clock)
    results = await asyncio.gather(*(
        service.import_file(SAMPLE_BYTES, file_name=SAMPLE.name, actor=None) for _ in range(2)))
    assert sorted((r.imported, len(r.duplicates)) for r in results) == [(0, 30), (29, 1)]


async def test_a_liaison_may_not_import(engine: AsyncEngine, clock: ManualClock) -> None:
    async with read_transaction(engine) as conn:
        liaison = (await org.get_user(conn, "liaison01")).as_actor()
    with pytest.raises(DomainError) as refused:
        await WorkOrderService(engine, clock).import_file(_xlsx(), file_name="x.xlsx",
                                                          actor=liaison)
    assert refused.value.code == "forbidden"


def test_a_gbk_csv_export_reads_like_the_utf8_one() -> None:
    text = SAMPLE_BYTES.decode("utf-8-sig")
    rows = read_rows(text.encode("gb18030"), "hotline.csv")
    assert rows == read_rows(SAMPLE_BYTES, SAMPLE.name)
    assert len(parse_export(rows).orders) == 29
