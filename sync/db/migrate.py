"""Run the Alembic migrations programmatically (the CLI, the server start-up, the tests)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "heads") -> None:
    """Bring the database up to ``revision``. Blocking."""
    if database_url.startswith("sqlite+aiosqlite:///"):
        Path(database_url.removeprefix("sqlite+aiosqlite:///")).parent.mkdir(
            parents=True, exist_ok=True)
    _in_own_thread(command.upgrade, alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    _in_own_thread(command.downgrade, alembic_config(database_url), revision)


def _in_own_thread(fn: Callable[..., object], *args: object) -> None:
    # env.py runs its own event loop, which cannot start inside a running one; a thread
    # of its own lets async callers (tests, scripts) migrate too.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(fn, *args).result()
