"""``workroom import-12345`` and ``workroom assess``, run as the office runs them."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.databases import Databases
from tests.test_cli import workroom

SAMPLE = Path(__file__).parent / "data" / "12345-export-sample.csv"


@pytest.fixture
def db_url(databases: Databases, backend: str) -> str:
    return databases.seeded(backend)


def test_import_prints_counts_and_each_rejected_row_then_assess_writes_the_ranking(
        db_url: str, tmp_path: Path) -> None:
    first = workroom("import-12345", str(SAMPLE), "--db", db_url)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0] == "导入 29 条，重复 1 条，拒绝 2 条，未匹配社区 0 条"
    assert "  第 31 行 SH26002001：缺少事发地址" in lines
    assert "  第 32 行 SH26002002：受理时间无法识别：10月32日" in lines
    assert "  第 30 行 SH26001004：工单编号重复（与第 5 行相同）" in lines
    again = workroom("import-12345", str(SAMPLE), "--db", db_url)
    assert again.stdout.splitlines()[0].startswith("导入 0 条，重复 30 条，拒绝 2 条")

    out = tmp_path / "ranking.xlsx"
    assessed = workroom("assess", "--period", "2026-Q4", "--out", str(out), "--db", db_url)
    assert assessed.returncode == 0, assessed.stderr
    book = load_workbook(out)
    assert len(list(book["排名"].iter_rows(min_row=2))) == 33

    unknown = workroom("map-12345", "SH404", "c-hy-01", "--db", db_url)
    assert unknown.returncode == 2 and "SH404" in unknown.stderr
    mapped = workroom("map-12345", "SH26001001", "c-hq-02", "--db", db_url)
    assert mapped.returncode == 0 and "c-hq-02" in mapped.stdout

    bad = workroom("assess", "--period", "2026-Q9", "--out", str(out), "--db", db_url)
    assert bad.returncode == 2 and "2026-Q9" in bad.stderr
