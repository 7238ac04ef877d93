"""Nobody without an account can spend the server's memory through the residents' page:
the pixels are capped before any decode, one photo is decoded at a time, and reports
still being decoded count against the flood limit (issue 15, finding 4)."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import threading
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from PIL import ImageFile
from sqlalchemy.ext.asyncio import AsyncEngine

from sync.clock import ManualClock
from sync.db.engine import make_engine
from sync.http.app import create_app
from sync.http.deps import services
from sync.qr.intake import QrIntake
from sync.qr.photos import PhotoRefused, reencode
from sync.qr.registry import QrRegistry
from sync.qr.rules import Limits
from sync.settings import Settings, load_secret_key
from sync.store.blobs import BlobFolder
from tests.databases import START_MS, Databases, run_blocking
from tests.live_server import live_server
from tests.qr.helpers import (
    csrf_of,
    jpeg_with_gps,
    new_code,
    png_of_59_megapixels,
    report_fields,
    submit,
    tracking_token,
)
from tests.qr.test_bad_inputs import assert_friendly, cases


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every image whose pixels Pillow decodes."""
    seen: list[object] = []
    original = ImageFile.ImageFile.load

    def counted(self: ImageFile.ImageFile) -> Any:
        seen.append(self)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counted)
    return seen


def test_a_59_megapixel_png_is_refused_from_its_header(decodes: list[object]) -> None:
    with pytest.raises(PhotoRefused) as refused:
        reencode(png_of_59_megapixels())
    assert refused.value.code == "qr_photo_too_many_pixels"
    assert decodes == []


async def test_a_report_with_three_59_megapixel_pngs_is_refused_without_decoding_them(
        demo_client: AsyncTestClient, engine: AsyncEngine, clock: ManualClock,
        decodes: list[object]) -> None:
    code = await new_code(engine, clock)
    bomb = png_of_59_megapixels()
    response = await submit(demo_client, code.code, photos=[bomb, bomb, bomb])
    assert_friendly(response, 413, "照片像素过多：每张不超过 4000 万像素")
    assert decodes == []
    assert await cases(engine) == 0


@asynccontextmanager
async def concurrent(settings: Settings, clock: ManualClock) -> AsyncIterator[ServedApp]:
    """The app served in the test's own event loop, so requests really overlap (the
    test client runs each request to its end on a thread of its own). Entered in the
    test itself: the app's lifespan must end in the task that began it."""
    app = create_app(settings, clock=clock)
    async with app.lifespan(), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
            base_url="http://127.0.0.1") as client:
        yield ServedApp(app, client)


@dataclass
class ServedApp:
    app: Litestar
    client: httpx.AsyncClient


async def test_reports_arriving_together_are_decoded_one_at_a_time(
        seeded: Settings, engine: AsyncEngine, clock: ManualClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    lock = threading.Lock()
    running = [0]
    most = [0]
    original = ImageFile.ImageFile.load

    def slow(image: ImageFile.ImageFile) -> Any:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            time.sleep(0.05)  # long enough for the others to start if they may
            return original(image)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(ImageFile.ImageFile, "load", slow)
    code = await new_code(engine, clock)
    photo = jpeg_with_gps((64, 48))
    async with concurrent(seeded, clock) as served:
        answers = await asyncio.gather(*(submit(served.client, code.code,
                                                photos=[photo, photo]) for _ in range(4)))
    assert all(tracking_token(answer) for answer in answers)
    assert most == [1]
    assert await cases(engine) == 4


async def test_reports_still_being_decoded_count_against_the_flood_limit(
        seeded: Settings, engine: AsyncEngine, clock: ManualClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    decoded: list[ImageFile.ImageFile] = []
    original = ImageFile.ImageFile.load

    def held(image: ImageFile.ImageFile) -> Any:
        decoded.append(image)
        release.wait(timeout=10)
        return original(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", held)
    code = await new_code(engine, clock)
    photo = jpeg_with_gps((64, 48))
    async with concurrent(seeded, clock) as served:
        s = services(served.app.state)
        served.app.state.services = dataclasses.replace(s, qr_intake=QrIntake(
            s.engine, s.clock, BlobFolder(s.settings.blob_dir),
            secret=load_secret_key(s.settings), limits=Limits(per_client_per_hour=2)))
        reports = [asyncio.ensure_future(submit(served.client, code.code, photos=[photo]))
                   for _ in range(3)]
        # The third is refused while the first two still wait for their decode.
        done, _ = await asyncio.wait(reports, timeout=5, return_when=asyncio.FIRST_COMPLETED)
        release.set()
        answers = await asyncio.gather(*reports)
    assert len(done) == 1
    assert_friendly(next(iter(done)).result(), 429, "一小时内最多提交")
    assert sorted(a.status_code for a in answers) == [303, 303, 429]
    # The refused report's photo was never decoded.
    assert len({id(image) for image in decoded}) == 2
    assert await cases(engine) == 2


def _peak_rss_mib(base_url: str) -> float:
    """The peak resident memory of the server process listening at ``base_url``."""
    port = base_url.rsplit(":", 1)[1]
    for proc in Path("/proc").iterdir():
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            if b"serve" in argv and port.encode() in argv:
                status = (proc / "status").read_text()
                return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]
        except (OSError, ValueError):
            continue
    raise AssertionError(f"no server process on port {port}")


def test_eight_residents_sending_pixel_bombs_at_once_leave_the_servers_memory_alone(
        databases: Databases, backend: str, tmp_path: Path) -> None:
    """The attack as it was found: eight reports at once, each with three 59 MP PNGs,
    against a real server process; it took the server from 95 MiB to 2.2 GiB."""
    url = databases.seeded(backend)
    code = run_blocking(_code_on(url))
    bomb = png_of_59_megapixels()
    with live_server(url, tmp_path / "data") as base:
        before = _peak_rss_mib(base)

        def report(n: int) -> int:
            with httpx.Client(base_url=base, timeout=60) as client:
                csrf = csrf_of(client.get(f"/r/{code}").text)
                files = [("photo", (f"p{i}.png", bomb, "image/png")) for i in range(3)]
                return client.post(f"/r/{code}", data={"_csrf_token": csrf,
                                                       **report_fields()},
                                   files=files).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(report, range(8)))
        grown = _peak_rss_mib(base) - before
    assert statuses == [413] * 8
    # One such PNG decoded to RGB alone is 169 MiB.
    assert grown < 100, f"peak memory grew by {grown:.0f} MiB"


async def _code_on(url: str) -> str:
    engine = make_engine(url)
    try:
        return (await QrRegistry(engine, ManualClock(START_MS)).create(
            "c-hy-01", "居委会", by=None)).code
    finally:
        await engine.dispose()
