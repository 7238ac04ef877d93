"""Excel exports (openpyxl): Chinese headers, one sheet per table, a frozen header row;
every cell through sync/xlsx.py, so user text stays text."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import msgspec
from litestar import Response
from openpyxl import Workbook
from openpyxl.styles import Font

from sync.xlsx import XLSX, row, sheet_title


class Sheet(msgspec.Struct):
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]


def workbook(sheets: list[Sheet]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(sheet_title(sheet.title))
        ws.append(row(ws, sheet.headers))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for values in sheet.rows:
            ws.append(row(ws, values))
        ws.freeze_panes = "A2"
        for index, header in enumerate(sheet.headers, start=1):
            letter = ws.cell(row=1, column=index).column_letter
            ws.column_dimensions[letter].width = max(10, min(40, 2 * len(str(header)) + 4))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def download(sheets: list[Sheet], *, filename: str) -> Response[bytes]:
    # RFC 5987: a Chinese file name survives every browser this way.
    return Response(workbook(sheets), media_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename=export.xlsx; "
                               f"filename*=UTF-8''{quote(filename)}"})
