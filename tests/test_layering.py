"""The pure core imports no framework or driver (STYLE.md, "three rings").

The merge engine, the wire Structs and the record kinds are what the property tests drive
directly and what the PWA's schema export reads: importing them must not load Litestar,
SQLAlchemy or a database driver. Checked in a fresh interpreter, since this test process
has imported all of them already.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PURE_PACKAGES = ["sync.domain", "schema"]
PURE_MODULES = ["sync.protocol"]
FORBIDDEN = ["litestar", "sqlalchemy", "asyncpg", "aiosqlite", "psycopg", "httpx", "jinja2",
             "alembic"]

# Each framework is charged to the first module whose import loaded it.
_PROBE = """
import importlib, json, sys
modules, forbidden = json.loads(sys.argv[1])
culprits = {}
for name in modules:
    importlib.import_module(name)
    loaded = {module.split(".")[0] for module in sys.modules} & set(forbidden)
    for framework in sorted(loaded - set(culprits)):
        culprits[framework] = name
print(json.dumps(culprits))
"""


def pure_modules() -> list[str]:
    """Every module of the pure packages, each package before its children."""
    names = []
    for name in PURE_PACKAGES:
        package = importlib.import_module(name)
        names += [name, *(info.name for info in
                          pkgutil.walk_packages(package.__path__, f"{name}."))]
    return names + PURE_MODULES


def test_the_walk_finds_the_merge_engine_and_the_record_kinds() -> None:
    assert {"sync.domain.merge", "sync.domain.batch", "schema.kinds"} <= set(pure_modules())


def test_the_pure_core_imports_no_framework_or_driver() -> None:
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps([pure_modules(), FORBIDDEN])],
        cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(probe.stdout) == {}
