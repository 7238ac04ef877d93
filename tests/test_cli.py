"""The ``workroom`` command, run as a separate process the way the office runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.databases import Databases


def workroom(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sync", *args], input=stdin, text=True,
                          capture_output=True, timeout=120, check=False)


@pytest.fixture
def db_url(databases: Databases, backend: str) -> str:
    return databases.seeded(backend)


def test_help_lists_every_command() -> None:
    result = workroom("--help")
    assert result.returncode == 0
    for command in ("serve", "migrate", "seed-demo", "user", "assign", "unassign"):
        assert command in result.stdout


def test_user_lifecycle_and_assignment(db_url: str) -> None:
    added = workroom("user", "add", "liaison99", "--role", "liaison", "--name", "赵六",
                     "--squad", "sq-hy", "--db", db_url, stdin="Strong-pass-99\n")
    assert added.returncode == 0, added.stderr
    assert workroom("assign", "liaison99", "c-hy-03", "--db", db_url).returncode == 0
    again = workroom("assign", "liaison99", "c-hy-03", "--db", db_url)
    assert "nothing to change" in again.stdout
    weak = workroom("user", "passwd", "liaison99", "--password", "weak", "--db", db_url)
    assert weak.returncode == 2 and "密码" in weak.stderr
    assert workroom("user", "revoke", "liaison99", "--db", db_url).returncode == 0
    assert workroom("unassign", "liaison99", "c-hy-03", "--db", db_url).returncode == 0
    assert workroom("user", "disable", "liaison99", "--db", db_url).returncode == 0
    unknown = workroom("assign", "nobody", "c-hy-03", "--db", db_url)
    assert unknown.returncode == 2 and "nobody" in unknown.stderr


def test_seed_demo_from_the_command_line_is_idempotent(tmp_path: Path) -> None:
    first = workroom("seed-demo", "--data-dir", str(tmp_path))
    second = workroom("seed-demo", "--data-dir", str(tmp_path))
    assert first.returncode == second.returncode == 0
    assert "Workroom2026" in first.stdout
    assert "nothing changed" in second.stdout
    assert (tmp_path / "workroom.db").exists()


def test_user_unlock_lifts_a_lockout(db_url: str) -> None:
    import asyncio

    from sync.clock import SystemClock
    from sync.db.engine import make_engine
    from sync.errors import DomainError
    from sync.services.auth import AuthService
    from tests.databases import DEMO_PASSWORD

    async def login(password: str) -> str:
        engine = make_engine(db_url)
        try:
            await AuthService(engine, SystemClock(), token_ttl_days=14).login(
                username="leader02", password=password, device_id="d-1", device_name=None,
                source="192.0.2.1")
        except DomainError as exc:
            return exc.code
        finally:
            await engine.dispose()
        return "ok"

    for _ in range(5):
        asyncio.run(login("Wrong-password-1"))
    assert asyncio.run(login(DEMO_PASSWORD)) == "locked"
    unlocked = workroom("user", "unlock", "leader02", "--db", db_url)
    assert unlocked.returncode == 0, unlocked.stderr
    assert asyncio.run(login(DEMO_PASSWORD)) == "ok"


def test_user_add_refuses_a_nul_in_the_username_and_user_role_an_unknown_squad(
        db_url: str) -> None:
    nul = workroom("user", "add", "evil\x01name", "--role", "liaison", "--squad", "sq-hy",
                   "--db", db_url, stdin="Fresh-wording-2027\n")
    assert nul.returncode == 2 and "用户名" in nul.stderr
    weak = workroom("user", "add", "liaison98", "--role", "liaison", "--squad", "sq-hy",
                    "--db", db_url, stdin="password123\n")
    assert weak.returncode == 2 and "常见密码" in weak.stderr
    squad = workroom("user", "role", "liaison01", "--role", "squad_leader", "--squad",
                     "sq-nowhere", "--db", db_url)
    assert squad.returncode == 2 and "找不到中队" in squad.stderr, squad.stderr
    assert "Traceback" not in squad.stderr
