"""``seed-demo`` builds the demo organisation the README promises, and a rerun changes nothing."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from sync.clock import ManualClock
from sync.db import tables
from sync.db.engine import read_transaction
from sync.demo import seed_demo
from tests.conftest import DEMO_PASSWORD


async def _counts(engine: AsyncEngine) -> dict[str, int]:
    async with read_transaction(engine) as conn:
        return {name: (await conn.execute(sa.select(sa.func.count()).select_from(table)))
                .scalar_one() for name, table in tables.metadata.tables.items()}


async def test_seed_demo_twice_changes_nothing(engine: AsyncEngine, clock: ManualClock) -> None:
    before = await _counts(engine)
    assert before["squads"] == 11
    assert before["communities"] >= 33
    clock.advance(minutes=5)
    assert await seed_demo(engine, clock, password=DEMO_PASSWORD) == 0
    assert await _counts(engine) == before


async def test_every_community_has_a_liaison_and_a_property_company(engine: AsyncEngine) -> None:
    c = tables.communities
    async with read_transaction(engine) as conn:
        without_liaison = (await conn.execute(sa.select(c.c.id).where(~sa.exists().where(
            tables.assignments.c.community_id == c.c.id)))).all()
        without_company = (await conn.execute(sa.select(c.c.id).where(~sa.exists().where(
            tables.community_property_companies.c.community_id == c.c.id)))).all()
        without_card = (await conn.execute(sa.select(c.c.id).where(
            c.c.card_liaison_name.is_(None)))).all()
    assert without_liaison == [] and without_company == [] and without_card == []
