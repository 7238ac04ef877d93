"""End-to-end fixtures: a real `workroom serve` on a temp SQLite file and Debian's Chromium.

The server runs as a subprocess exactly as a user would start it, with the PWA build
it serves under /app/. Set WORKROOM_E2E_URL to drive an already running server instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# Must be set before the Playwright driver starts: without it the service worker's own
# fetches bypass context.route, and "offline" would not be offline (Playwright #2311).
os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright  # noqa: E402

from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.live_server import live_server, workroom_command

ROOT = Path(__file__).resolve().parents[2]
PWA = ROOT / "client-pwa"
PASSWORD = "Workroom2026"






def _build_pwa() -> None:
    if (PWA / "dist" / "index.html").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("client-pwa/dist is missing and npm is not installed")
    if not (PWA / "node_modules").exists():
        subprocess.run([npm, "ci"], cwd=PWA, check=True)
    subprocess.run([npm, "run", "build"], cwd=PWA, check=True)




@dataclass
class Server:
    url: str
    db_url: str
    data_dir: Path

    def cli(self, *args: str) -> None:
        subprocess.run(
            [workroom_command(), *args, "--db", self.db_url, "--data-dir", str(self.data_dir)],
            check=True,
            capture_output=True,
        )

    def api(self, method: str, path: str, token: str | None = None, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + "/api/v1" + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(req, timeout=10) as res:
            raw = res.read()
            return json.loads(raw) if raw else None

    def token(self, username: str) -> str:
        res = self.api(
            "POST",
            "/auth/login",
            body={"username": username, "password": PASSWORD, "device_id": f"e2e-check-{username}"},
        )
        return str(res["token"])

    def pull_all(self, token: str) -> list[dict[str, Any]]:
        records: dict[str, dict[str, Any]] = {}
        cursor = ""
        while True:
            q = f"?cursor={cursor}" if cursor else ""
            res = self.api("GET", "/sync/pull" + q, token)
            for r in res["records"]:
                records[r["id"]] = r
            cursor = res["cursor"]
            if not res["has_more"]:
                return list(records.values())


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    external = os.environ.get("WORKROOM_E2E_URL")
    tmp = tmp_path_factory.mktemp("e2e-server")
    if external:
        yield Server(url=external.rstrip("/"), db_url="", data_dir=tmp)
        return
    _build_pwa()
    db_url = f"sqlite+aiosqlite:///{tmp}/w.db"
    srv = Server(url="", db_url=db_url, data_dir=tmp / "data")
    srv.data_dir.mkdir()
    subprocess.run([workroom_command(), "migrate", "--db", db_url], check=True, capture_output=True)
    subprocess.run(
        [
            workroom_command(),
            "seed-demo",
            "--db",
            db_url,
            "--data-dir",
            str(srv.data_dir),
            "--password",
            PASSWORD,
        ],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, "WORKROOM_PWA_DIR": str(PWA / "dist")}
    with live_server(db_url, srv.data_dir, env=env) as url:
        srv.url = url
        yield srv


# Function-scoped on purpose: while sync_playwright() is open it keeps an event loop
# installed in this thread, and the async tests that pytest runs after this folder
# would fail with "asyncio.run() cannot be called from a running event loop".
@pytest.fixture
def browser() -> Iterator[Browser]:
    require_chromium()
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Callable[[], BrowserContext]]:
    made: list[BrowserContext] = []

    def make() -> BrowserContext:
        ctx = browser.new_context(
            service_workers="allow", locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        ctx.set_default_timeout(15_000)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


def _abort(route: Any) -> None:
    route.abort("internetdisconnected")


def go_offline(ctx: BrowserContext) -> None:
    """Really offline: navigator.onLine false AND every request (the SW's too) fails."""
    ctx.route("**/*", _abort)
    ctx.set_offline(True)


def go_online(ctx: BrowserContext) -> None:
    ctx.unroute("**/*", _abort)
    ctx.set_offline(False)


def login(page: Page, base: str, username: str) -> None:
    page.goto(base + "/app/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=user]")
    # The shell must be precached before we cut the network: wait for an active SW.
    page.wait_for_function("navigator.serviceWorker.ready.then(r => !!r.active)", timeout=20_000)
    # Forms come from the server's schema; wait until it is stored for offline use.
    page.wait_for_function("document.querySelector('[data-testid=net]') !== null")


def open_tab(page: Page, name: str) -> None:
    page.click(f"nav button[data-tab={name}]")


def pending(page: Page) -> int:
    open_tab(page, "sync")
    text = page.inner_text("[data-testid=pending-count]")
    return int("".join(ch for ch in text if ch.isdigit()) or 0)


def sync_and_wait(page: Page) -> None:
    """Press 同步 and wait for a run that finished after the press, with nothing queued."""
    open_tab(page, "sync")
    before = page.get_attribute("[data-testid=last-sync]", "data-ms") or "0"
    page.click("[data-testid=sync-now]")
    page.wait_for_function(
        """before => {
             const last = document.querySelector('[data-testid=last-sync]');
             const n = document.querySelector('[data-testid=pending-count]');
             return last && Number(last.dataset.ms) > Number(before)
               && n.textContent.includes('待同步 0 条');
           }""",
        arg=before,
        timeout=20_000,
    )


def fill(page: Page, kind: str, values: dict[str, str]) -> None:
    """Fill a schema-generated form by field name, whatever input the field became."""
    form = page.locator(f"form.record-form[data-kind={kind}]").last
    for name, value in values.items():
        el = form.locator(f"[name={name}]")
        tag = el.evaluate("e => e.tagName")
        if tag == "SELECT":
            values_ = el.evaluate("e => Array.from(e.options).map(o => o.value)")
            # An unknown or empty value picks the first real option (after 请选择).
            el.select_option(value if value and value in values_ else values_[1])
        else:
            el.fill(value)


def submit(page: Page, kind: str) -> None:
    form = page.locator(f"form.record-form[data-kind={kind}]").last
    form.locator("button[type=submit]").click()
    form.wait_for(state="detached")


def new_case(page: Page, title: str, source: str = "residents_committee") -> None:
    """Create a case from the 诉件 tab in the first community; leaves its detail open."""
    open_tab(page, "cases")
    page.click("text=新建诉件")
    fill(page, "case", {"title": title, "category": "乱堆物", "source": source})
    submit(page, "case")
    page.wait_for_selector(f"section.case-detail h2:has-text('{title}')")


def open_case(page: Page, title: str) -> None:
    open_tab(page, "cases")
    page.click(f"ul.cases li:has-text('{title}')")
    page.wait_for_selector("section.case-detail")


def add_step(page: Page, values: dict[str, str]) -> None:
    page.click("text=添加处置记录")
    fill(page, "case_step", values)
    submit(page, "case_step")
