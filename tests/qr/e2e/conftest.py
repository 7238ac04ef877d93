"""Browser fixtures of the QR tests: a real `workroom serve` and Debian's Chromium.

Separate from tests/e2e (the PWA's): the residents' pages need no PWA build. Each test
module gets its own server, so the per-address rate limit of one cannot spill into
another.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, sync_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.live_server import live_server, workroom_command

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "Workroom2026"
# A mid-range Android phone held upright.
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True, "locale": "zh-CN",
         "timezone_id": "Asia/Shanghai",
         "user_agent": "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 "
                       "(KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36 "
                       "MicroMessenger/8.0"}






@dataclass
class QrServer:
    url: str
    db_url: str
    data_dir: Path
    hlc_counter: int = 0
    seqs: dict[str, int] = field(default_factory=dict)

    def cli(self, *args: str) -> str:
        done = subprocess.run([workroom_command(), *args, "--db", self.db_url, "--data-dir",
                               str(self.data_dir), "--base-url", self.url],
                              check=True, capture_output=True, text=True)
        return done.stdout.strip()

    def api(self, method: str, path: str, token: str | None = None, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + "/api/v1" + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            return json.loads(raw) if raw else None

    def login(self, username: str, device_id: str) -> str:
        body = self.api("POST", "/auth/login", body={
            "username": username, "password": PASSWORD, "device_id": device_id})
        return str(body["token"])

    def pull(self, token: str) -> dict[str, dict[str, Any]]:
        records: dict[str, dict[str, Any]] = {}
        cursor = ""
        while True:
            body = self.api("GET", "/sync/pull" + (f"?cursor={cursor}" if cursor else ""),
                            token)
            records.update({r["id"]: r for r in body["records"]})
            cursor = body["cursor"]
            if not body["has_more"]:
                return records

    def push(self, token: str, device_id: str, writes: list[tuple[str, str, dict[str, Any]]],
             base_versions: dict[str, int]) -> None:
        """Push (kind, record_id, fields) as the liaison's phone would."""
        mutations = []
        for kind, record_id, fields in writes:
            self.seqs[device_id] = self.seqs.get(device_id, 0) + 1
            self.hlc_counter += 1
            mutations.append({
                "id": str(uuid.uuid4()), "seq": self.seqs[device_id],
                "hlc": f"{int(time.time() * 1000):013d}:{self.hlc_counter:05d}:{device_id}",
                "kind": kind, "record_id": record_id, "community_id": "c-hy-01",
                "base_version": base_versions.get(record_id, 0), "fields": fields})
        body = self.api("POST", "/sync/push", token, {"mutations": mutations})
        assert all(r["status"] == "applied" for r in body["results"]), body




@pytest.fixture(scope="module")
def qr_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QrServer]:
    tmp = tmp_path_factory.mktemp("qr-e2e")
    db_url = f"sqlite+aiosqlite:///{tmp}/w.db"
    data_dir = tmp / "data"
    data_dir.mkdir()
    subprocess.run([workroom_command(), "seed-demo", "--db", db_url, "--data-dir", str(data_dir),
                    "--password", PASSWORD], check=True, capture_output=True)
    with live_server(db_url, data_dir) as url:
        yield QrServer(url=url, db_url=db_url, data_dir=data_dir)


@pytest.fixture(scope="module")
def qr_browser() -> Iterator[Browser]:
    require_chromium()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(qr_browser: Browser) -> Iterator[BrowserContext]:
    """A resident's phone browser, with JavaScript off: the pages must not need it."""
    context = qr_browser.new_context(java_script_enabled=False, **PHONE)  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    yield context
    context.close()
