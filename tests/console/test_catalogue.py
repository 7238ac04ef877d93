"""Every console message a page or a handler names is in the zh-CN catalogue."""

from __future__ import annotations

import re
from pathlib import Path

from sync.console import flags
from sync.domain import weekly
from sync.domain.roles import Role
from sync.i18n import catalogue

ROOT = Path(__file__).resolve().parents[2]
LITERAL = re.compile(r"""t\(\s*["'](console\.[a-z_.]+)["']\s*[,)]""")


def test_every_literal_console_key_is_in_the_catalogue() -> None:
    known = catalogue()
    sources = [*(ROOT / "sync/templates/console").glob("*.html"),
               *(ROOT / "sync/console").rglob("*.py")]
    missing = {key for path in sources for key in LITERAL.findall(path.read_text())
               if key not in known}
    assert not missing


def test_every_composed_console_key_is_in_the_catalogue() -> None:
    known = catalogue()
    composed = [f"console.flag.{f}" for f in flags.ALL_FLAGS]
    composed += [f"console.role.{r.value}" for r in Role]
    composed += ["console.ledger.source.other"]
    composed += [f"console.compliance.colour.{c}" for c in weekly.COLOURS]
    composed += [f"console.compliance.verdict.{v}" for v in weekly.VERDICTS]
    composed += [f"console.weekday.{d}" for d in range(1, 8)]
    composed += [f"console.col.{n}" for n in ("day", "first", "last")]
    composed += ["error.no_community", "error.console_liaison"]
    assert [k for k in composed if k not in known] == []
