"""What every browser test shares: Debian's Chromium, launched the same way.

Browser fixtures stay module-scoped: while Playwright's sync API is open, its thread
counts as running an event loop, and the rest of the suite's ``asyncio.run`` would fail.
"""

from __future__ import annotations

import os
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
