"""Hostile text already stored reaches the evaluation's workbooks as the text it is: the
ranking (with reviewers' notes and contests), the liaison appraisal and the 12345
diversion, for the squad leader and for the bureau."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from sync.clock import ManualClock
from sync.db.engine import read_transaction, write_transaction
from sync.db.tables_evaluation import assessment_scores, work_orders
from sync.db.tables_qr import qr_codes
from sync.evaluation.imports import WorkOrderService
from sync.evaluation.service import EvaluationService
from sync.store import org
from sync.xlsx import cell_text
from tests.console.conftest import console_login
from tests.evaluation.quarter import A, hand_computed_quarter, post_qr_codes
from tests.hostile_text import CONTROLS, FORMULAS, MARKUP, cells, opened, store_hostile_text

SAMPLE = Path(__file__).parent / "data" / "12345-export-sample.csv"
EXPORTS = ("/console/evaluation/assessment/export?period=2026-Q3",
           "/console/evaluation/appraisal/export?period=2026-Q3",
           "/console/evaluation/diversion/export?period=2026-Q3",
           "/console/evaluation/diversion/export?period=2026-Q4")


async def hostile_evaluation(engine: AsyncEngine, clock: ManualClock,
                             texts: Sequence[str]) -> list[str]:
    """The hand-computed quarter, the 12345 sample and a contested reviewer's score, then
    every name, record text, note, 12345 field and QR placement overwritten with
    ``texts`` straight in the database; returns the note, the reviewer, the contester,
    the reason, … as stored."""
    q, _ = hand_computed_quarter()
    await q.apply(engine)
    await post_qr_codes(engine)
    await WorkOrderService(engine, clock).import_file(SAMPLE.read_bytes(),
                                                      file_name=SAMPLE.name, actor=None)
    async with read_transaction(engine) as conn:
        bureau = (await org.get_user(conn, "bureau01")).as_actor()
    evaluation = EvaluationService(engine, clock)
    score = await evaluation.score_manually(period_code="2026-Q3", community_id=A,
                                            criterion_id="satisfaction", points=4,
                                            note="入户问卷", actor=bureau)
    await evaluation.contest(score.id, reason="样本太少", actor=bureau)
    await store_hostile_text(engine, texts)
    text = [texts[i % len(texts)] for i in range(8)]
    async with write_transaction(engine) as conn:
        await conn.execute(assessment_scores.update().values(
            note=text[0], by_name=text[1][:100], contested_by=text[2][:100],
            contest_reason=text[3]))
        await conn.execute(work_orders.update().values(
            category=text[4][:50], content=text[5], address=text[6]))
        await conn.execute(qr_codes.update().values(placement=text[7][:50]))
    return text


@pytest.mark.parametrize("texts", [FORMULAS, CONTROLS, MARKUP],
                         ids=["formulas", "controls", "markup"])
async def test_stored_hostile_text_exports_as_text_from_every_evaluation_workbook(
        demo_client: AsyncTestClient[Any], clock: ManualClock, engine: AsyncEngine,
        texts: Sequence[str]) -> None:
    text = await hostile_evaluation(engine, clock, texts)
    for username in ("leader01", "bureau01"):
        await console_login(demo_client, username)
        shown: set[Any] = set()
        for url in EXPORTS:
            shown |= cells(opened(await demo_client.get(url)))
        # The reviewer's note, as stored less what XML cannot hold; the contest is one
        # cell naming who and why.
        assert cell_text(text[0]) in shown, username
        assert any(isinstance(v, str) and cell_text(text[3]) in v for v in shown)
        for url in ("/console/evaluation/assessment?period=2026-Q3",
                    f"/console/evaluation/assessment/{A}?period=2026-Q3",
                    "/console/evaluation/appraisal?period=2026-Q3",
                    "/console/evaluation/diversion?period=2026-Q4",
                    "/console/evaluation/work-orders"):
            page = await demo_client.get(url)
            assert page.status_code == 200, url
            assert not any(m in page.text for m in MARKUP[:2]), url
