"""Reading the spreadsheets users bring — CSV (UTF-8 or GBK, as Excel saves it) or XLSX —
and finding their columns by header name. Pure: bytes in, rows out."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import msgspec
from openpyxl import load_workbook

from sync.errors import DomainError
from sync.i18n import t


class RowProblem(msgspec.Struct, frozen=True):
    """A row an import refused, numbered as the spreadsheet shows it, and why."""

    row: int
    reason: str


def read_rows(data: bytes, file_name: str) -> list[list[Any]]:
    """The sheet's rows, header first: XLSX by its zip signature, else CSV text."""
    if data[:2] == b"PK" or file_name.lower().endswith((".xlsx", ".xlsm")):
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError):
            raise DomainError("import_unreadable", detail=t("detail.not_a_workbook")) from None
        try:
            return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return [list(row) for row in csv.reader(io.StringIO(text))]
    raise DomainError("import_unreadable", detail=t("detail.encoding"))


def norm(text: Any) -> str:
    """A header as compared: no spaces, no BOM, case-folded."""
    return re.sub(r"\s+", "", str(text or "")).lstrip("\ufeff").casefold()


def map_header(header: list[Any], aliases: Mapping[str, Sequence[str]],
               required: Sequence[str]) -> dict[str, int]:
    """Column index of each field found by one of its header names (the first is the one
    users are told); raises ``import_missing_column`` naming the required ones missing."""
    found: dict[str, int] = {}
    names = [norm(h) for h in header]
    for field, names_seen in aliases.items():
        for alias in names_seen:
            if norm(alias) in names:
                found[field] = names.index(norm(alias))
                break
    missing = [f for f in required if f not in found]
    if missing:
        raise DomainError("import_missing_column",
                          column="、".join(aliases[f][0] for f in missing))
    return found


def sheet_cells(rows: list[list[Any]], aliases: Mapping[str, Sequence[str]],
                required: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number as the spreadsheet shows it, {field: its text}) of every row under the
    header that is not blank; ``import_empty`` for a sheet without a header."""
    if not rows or not any(_text(c) for c in rows[0]):
        raise DomainError("import_empty")
    columns = map_header(rows[0], aliases, required)
    for number, row in enumerate(rows[1:], start=2):
        cell = {f: _text(row[i]) if i < len(row) else "" for f, i in columns.items()}
        if any(cell.values()):
            yield number, cell


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()
