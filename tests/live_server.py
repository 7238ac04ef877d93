"""A real `workroom serve` process, for tests that cross the process boundary."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def workroom_command() -> str:
    """The ``workroom`` script of the Python running the tests."""
    exe = Path(sys.executable).with_name("workroom")
    return str(exe) if exe.exists() else (shutil.which("workroom") or "workroom")


def wait_healthy(url: str, process: subprocess.Popen[bytes] | None, log: Path) -> None:
    """Wait for ``url``/healthz; fail the test with the server's log if it never comes."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            pytest.fail(f"workroom serve exited early:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"server not healthy after 30 s:\n{log.read_text(errors='replace')}")


@contextmanager
def live_server(database_url: str, data_dir: Path, *,
                env: dict[str, str] | None = None) -> Iterator[str]:
    """Serve ``database_url`` on a free port; yield the base URL; stop the process after."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = data_dir / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [workroom_command(), "serve", "--host", "127.0.0.1", "--port", str(port),
             "--db", database_url, "--data-dir", str(data_dir)],
            stdout=out, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
