"""Fresh, migrated databases for tests, on SQLite and on the local PostgreSQL.

Each backend is migrated once per test session into a template; every test gets a
copy (a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL), so the
migrations are what builds every test database, cheaply.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import asyncpg

from sync.db.migrate import upgrade

PG_ADMIN_DSN = os.environ.get("WORKROOM_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
T = TypeVar("T")
DEMO_PASSWORD = "Workroom2026"
# 2026-11-28 09:00 Asia/Shanghai: the tests' "now".
START_MS = 1_795_827_600_000


def pg_url(name: str) -> str:
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{name}"


async def _pg(*statements: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def run_blocking(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to completion from synchronous code, in a thread of its own, so
    that it works whether or not this thread already has an event loop running (a
    Playwright fixture, an async test)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def pg_execute(*statements: str) -> None:
    run_blocking(_pg(*statements))


async def _seed(url: str) -> None:
    from argon2 import PasswordHasher

    from sync.clock import ManualClock
    from sync.db.engine import make_engine
    from sync.demo import seed_demo

    # Still argon2id, at the lowest cost: every login in the suite verifies this hash.
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(DEMO_PASSWORD)
    engine = make_engine(url)
    try:
        await seed_demo(engine, ManualClock(START_MS), password=DEMO_PASSWORD,
                        password_hash=cheap)
    finally:
        await engine.dispose()


class Databases:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._templates: dict[tuple[str, str], str] = {}
        self._pg_created: list[str] = []

    def empty(self, backend: str) -> str:
        """The URL of a new, empty database (for migration tests)."""
        if backend == "sqlite":
            return f"sqlite+aiosqlite:///{self.root / f'{uuid.uuid4().hex}.db'}"
        name = f"wr_test_{uuid.uuid4().hex[:12]}"
        pg_execute(f"CREATE DATABASE {name}")
        self._pg_created.append(name)
        return pg_url(name)

    def migrated(self, backend: str) -> str:
        return self._copy(backend, "migrated")

    def seeded(self, backend: str) -> str:
        """A migrated database holding the demo organisation (password DEMO_PASSWORD)."""
        return self._copy(backend, "seeded")

    def _copy(self, backend: str, template: str) -> str:
        key = (backend, template)
        if key not in self._templates:
            self._templates[key] = self._make_template(backend, template)
        source = self._templates[key]
        if backend == "sqlite":
            target = self.root / f"{uuid.uuid4().hex}.db"
            shutil.copy(source, target)
            return f"sqlite+aiosqlite:///{target}"
        name = f"wr_test_{uuid.uuid4().hex[:12]}"
        pg_execute(f"CREATE DATABASE {name} TEMPLATE {source}")
        self._pg_created.append(name)
        return pg_url(name)

    def _make_template(self, backend: str, template: str) -> str:
        if backend == "sqlite":
            path = self.root / f"template-{template}.db"
            url = f"sqlite+aiosqlite:///{path}"
        else:
            name = f"wr_tpl_{template}_{os.getpid()}"
            pg_execute(f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
            self._pg_created.append(name)
            url = pg_url(name)
        upgrade(url)
        if template == "seeded":
            run_blocking(_seed(url))
        return str(path) if backend == "sqlite" else name

    def drop_all(self) -> None:
        if self._pg_created:
            pg_execute(*(f"DROP DATABASE IF EXISTS {n} WITH (FORCE)"
                         for n in reversed(self._pg_created)))
