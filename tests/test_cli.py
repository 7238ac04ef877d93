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
