"""What every browser test shares: Debian's Chromium, how to start a real server for it.

Browser fixtures stay module-scoped: while Playwright's sync API is open, its thread
counts as running an event loop, and the rest of the suite's ``asyncio.run`` would fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("WORKROOM_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling hosts this machine
# cannot reach; the sandbox needs privileges the test run does not have as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")


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
