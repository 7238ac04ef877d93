"""Reading a 12345 hotline export: columns by header name, dates in their many forms,
dirty rows rejected one by one with a reason. Pure: rows in, orders and problems out.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

import msgspec

from sync.domain.shanghai import to_ms
from sync.errors import DomainError
from sync.i18n import t
from sync.spreadsheets import map_header

# Our field -> header names seen in exports (compared without spaces, case-folded).
HEADERS: dict[str, tuple[str, ...]] = {
    "order_no": ("工单编号", "工单号", "编号", "orderno", "order_no"),
    "received": ("受理时间", "来电时间", "派单时间", "登记时间", "工单时间", "received"),
    "address": ("事发地址", "地址", "问题地址", "发生地址", "address"),
    "street": ("所属街镇", "街镇", "所属街道"),
    "category": ("问题分类", "诉求分类", "分类", "category"),
    "kind": ("诉求类型", "工单类型"),
    "content": ("诉求内容", "内容", "问题描述", "content"),
    "status": ("办理状态", "状态", "工单状态", "status"),
    "satisfaction": ("满意度", "评价"),
}
REQUIRED = ("order_no", "received", "address")
_EXCEL_EPOCH = datetime(1899, 12, 30)
_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
            "%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M",
            "%Y年%m月%d日", "%Y-%m-%dT%H:%M:%S")
_SERIAL = re.compile(r"^\d{5}(\.\d+)?$")


class WorkOrderRow(msgspec.Struct, frozen=True):
    row: int  # the row number as the spreadsheet shows it (header is row 1)
    order_no: str
    received_ms: int
    address: str
    street: str
    category: str
    kind: str
    content: str
    status: str
    satisfaction: str


class RowProblem(msgspec.Struct, frozen=True):
    row: int
    order_no: str
    reason: str
    raw: dict[str, str]


class ParsedExport(msgspec.Struct, frozen=True):
    orders: list[WorkOrderRow]
    rejected: list[RowProblem]
    duplicates: list[RowProblem]


def parse_received(value: Any) -> int | None:
    """Unix ms of a received time in Shanghai local time; None if unreadable.

    XLSX cells arrive as datetimes (or as Excel serial numbers when the column was not
    formatted as a date); CSV cells as text in one of several formats.
    """
    if isinstance(value, datetime):
        return to_ms(value)
    if isinstance(value, date):
        return to_ms(datetime(value.year, value.month, value.day))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial(float(value))
    text = str(value or "").strip()
    if _SERIAL.match(text):
        return _serial(float(text))
    for pattern in _FORMATS:
        try:
            return to_ms(datetime.strptime(text, pattern))
        except ValueError:
            continue
    return None


def _serial(days: float) -> int | None:
    # Excel's day 60 is the phantom 1900-02-29; hotline exports are all far later.
    if not 20_000 <= days <= 80_000:
        return None
    return to_ms(_EXCEL_EPOCH + timedelta(days=days))


def _cell(row: list[Any], columns: dict[str, int], field: str) -> Any:
    index = columns.get(field)
    return row[index] if index is not None and index < len(row) else None


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def parse_export(rows: list[list[Any]], *, known: set[str] | None = None) -> ParsedExport:
    """Split an export (header first) into good orders, rejected rows and duplicates.

    ``known`` holds order numbers already imported: those rows are duplicates too, so
    importing the same file again imports nothing.
    """
    if not rows:
        raise DomainError("import_empty")
    columns = map_header(rows[0], HEADERS, REQUIRED)
    header = [_text(h).lstrip("\ufeff") for h in rows[0]]
    seen: dict[str, int] = {}
    known = known or set()
    orders: list[WorkOrderRow] = []
    rejected: list[RowProblem] = []
    duplicates: list[RowProblem] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(_text(v) for v in row):
            continue  # blank line at the end of many exports
        raw = {header[i]: _text(v) for i, v in enumerate(row) if i < len(header)}
        order_no = _text(_cell(row, columns, "order_no"))

        def problem(reason: str, order_no: str = order_no, raw: dict[str, str] = raw,
                    number: int = number) -> RowProblem:
            return RowProblem(row=number, order_no=order_no, reason=reason, raw=raw)

        if not order_no:
            rejected.append(problem(t("evaluation.import.no_order_no")))
            continue
        if order_no in seen:
            duplicates.append(problem(t("evaluation.import.duplicate_in_file",
                                        row=seen[order_no])))
            continue
        if order_no in known:
            duplicates.append(problem(t("evaluation.import.duplicate_known")))
            continue
        received_value = _cell(row, columns, "received")
        received = parse_received(received_value)
        address = _text(_cell(row, columns, "address"))
        if received is None:
            rejected.append(problem(t("evaluation.import.bad_date",
                                      value=_text(received_value) or "（空）")))
            continue
        if not address:
            rejected.append(problem(t("evaluation.import.no_address")))
            continue
        seen[order_no] = number
        orders.append(WorkOrderRow(
            row=number, order_no=order_no, received_ms=received, address=address,
            **{f: _text(_cell(row, columns, f))
               for f in ("street", "category", "kind", "content", "status", "satisfaction")}))
    return ParsedExport(orders=orders, rejected=rejected, duplicates=duplicates)
