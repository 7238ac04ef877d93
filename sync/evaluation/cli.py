"""Evaluation commands beside the console pages: import-12345, map-12345, assess, appraise,
diversion.

Registered by ``sync/cli.py``; they act as the bureau (audited as "cli").
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from schema.criteria import CRITERIA_DIR
from sync import settings as settings_module
from sync.clock import SystemClock
from sync.db.engine import make_engine
from sync.db.migrate import upgrade
from sync.evaluation.diversion_service import Diversion
from sync.evaluation.excel import appraisal_workbook, assessment_workbook, diversion_workbook
from sync.evaluation.imports import WorkOrderService
from sync.evaluation.service import EvaluationService
from sync.i18n import t

T = TypeVar("T")


def _database_url(args: argparse.Namespace) -> str:
    settings = settings_module.from_environment().with_overrides(
        database_url=args.db, data_dir=Path(args.data_dir) if args.data_dir else None)
    upgrade(settings.database_url)
    return settings.database_url


def _run(args: argparse.Namespace, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    url = _database_url(args)

    async def main() -> T:
        engine = make_engine(url)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def cmd_import_12345(args: argparse.Namespace) -> int:
    path = Path(args.file)
    data = path.read_bytes()

    async def work(engine: AsyncEngine) -> Any:
        return await WorkOrderService(engine, SystemClock()).import_file(
            data, file_name=path.name, actor=None)

    result = _run(args, work)
    print(t("evaluation.cli.imported", imported=result.imported,
            duplicates=len(result.duplicates), rejected=len(result.rejected),
            unmapped=len(result.unmapped)))
    for problem in sorted([*result.rejected, *result.duplicates], key=lambda p: p.row):
        print(t("evaluation.cli.rejected_row", row=problem.row, order_no=problem.order_no,
                reason=problem.reason))
    for order in result.unmapped:
        print(t("evaluation.cli.unmapped_row", order_no=order.order_no, address=order.address))
    return 0


def cmd_map_12345(args: argparse.Namespace) -> int:
    async def work(engine: AsyncEngine) -> None:
        await WorkOrderService(engine, SystemClock()).map_order(
            args.order_no, args.community_id, actor=None)

    _run(args, work)
    print(t("evaluation.cli.mapped", order_no=args.order_no, community=args.community_id))
    return 0


def _service(engine: AsyncEngine, args: argparse.Namespace) -> EvaluationService:
    criteria = Path(args.criteria) if args.criteria else CRITERIA_DIR
    return EvaluationService(engine, SystemClock(), criteria_dir=criteria)


def cmd_assess(args: argparse.Namespace) -> int:
    async def work(engine: AsyncEngine) -> Any:
        return await _service(engine, args).assess(args.period, actor=None)

    assessment = _run(args, work)
    assessment_workbook(assessment).save(args.out)
    for score in assessment.scores[:args.top]:
        print(t("evaluation.cli.rank_row", rank=score.rank, squad=score.workroom.squad_name,
                community=score.workroom.name, total=f"{score.total:.2f}"))
    print(t("evaluation.cli.assessed", period=assessment.period.code,
            count=len(assessment.scores), out=args.out))
    return 0


def cmd_appraise(args: argparse.Namespace) -> int:
    async def work(engine: AsyncEngine) -> Any:
        return await _service(engine, args).appraise(args.period, actor=None)

    appraisals = _run(args, work)
    appraisal_workbook(appraisals).save(args.out)
    print(t("evaluation.cli.appraised", period=args.period, count=len(appraisals),
            out=args.out))
    return 0


def cmd_diversion(args: argparse.Namespace) -> int:
    async def work(engine: AsyncEngine) -> Any:
        return await Diversion(engine).report(args.period, actor=None)

    report = _run(args, work)
    diversion_workbook(report).save(args.out)
    print(t("evaluation.cli.diversion", period=report.period, out=args.out))
    return 0


def _flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="database URL (sqlite+aiosqlite:///FILE or "
                                     "postgresql+asyncpg://USER@HOST:PORT/DB)")
    parser.add_argument("--data-dir", help="data directory (SQLite file, blobs, secret key)")


def _period_flags(parser: argparse.ArgumentParser, *, criteria: bool = True) -> None:
    parser.add_argument("--period", required=True, help="a quarter (2026-Q4) or a year (2026)")
    parser.add_argument("--out", required=True, help="the Excel workbook to write (.xlsx)")
    if criteria:
        parser.add_argument("--criteria", help="folder of criteria TOML files "
                                               "(default: schema/criteria)")
    _flags(parser)


def register(commands: Any) -> None:
    """Add the evaluation's commands to ``workroom``'s sub-command parsers."""
    imports = commands.add_parser(
        "import-12345", help="import a 12345 hotline export (CSV or XLSX)")
    imports.add_argument("file", help="the export file")
    _flags(imports)
    imports.set_defaults(func=cmd_import_12345)

    mapping = commands.add_parser(
        "map-12345", help="place an imported 12345 order its address did not place")
    mapping.add_argument("order_no")
    mapping.add_argument("community_id")
    _flags(mapping)
    mapping.set_defaults(func=cmd_map_12345)

    assess = commands.add_parser(
        "assess", help="assess every workroom for a period; write the ranking workbook")
    _period_flags(assess)
    assess.add_argument("--top", type=int, default=10, help="ranks to print (default 10)")
    assess.set_defaults(func=cmd_assess)

    appraise = commands.add_parser("appraise", help="liaison appraisal for a period")
    _period_flags(appraise)
    appraise.set_defaults(func=cmd_appraise)

    diversion = commands.add_parser("diversion", help="12345 diversion figures for a period")
    _period_flags(diversion, criteria=False)
    diversion.set_defaults(func=cmd_diversion)
