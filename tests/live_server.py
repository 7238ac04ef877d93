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


class ServerProcess:
    """``workroom serve`` on one port and database, which a test may kill (SIGKILL, as a
    crash or the OOM killer would) and start again where it was."""

    def __init__(self, database_url: str, data_dir: Path, *,
                 env: dict[str, str] | None = None) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.database_url, self.data_dir, self.env = database_url, data_dir, env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / "serve.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server and wait until it answers."""
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [workroom_command(), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                 "--db", self.database_url, "--data-dir", str(self.data_dir)],
                stdout=out, stderr=subprocess.STDOUT, env=self.env)
        wait_healthy(self.url, self.process, self.log)

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None


@contextmanager
def live_server(database_url: str, data_dir: Path, *,
                env: dict[str, str] | None = None) -> Iterator[str]:
    """Serve ``database_url`` on a free port; yield the base URL; stop the process after."""
    server = ServerProcess(database_url, data_dir, env=env)
    try:
        server.start()
        yield server.url
    finally:
        server.stop()
