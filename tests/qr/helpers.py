"""Helpers for the QR tests: codes, the report form as a phone's browser sends it, photos."""

from __future__ import annotations

import io
import re
from functools import cache
from typing import Any

import httpx
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncEngine

from sync.clock import Clock
from sync.qr.registry import QrRegistry
from sync.store.qr import QrCode

_CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
_TRACKING = re.compile(r"^/r/t/([A-Za-z0-9_-]+)\?new=1$")


async def new_code(engine: AsyncEngine, clock: Clock, community_id: str = "c-hy-01",
                   placement: str = "居委会") -> QrCode:
    return await QrRegistry(engine, clock).create(community_id, placement, by=None)


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the form carries no CSRF token"
    return match.group(1)


def jpeg_with_gps(size: tuple[int, int] = (2400, 1800)) -> bytes:
    """A phone photo: EXIF with a GPS position, a maker, and a rotation."""
    image = Image.new("RGB", size, (180, 120, 60))
    exif = image.getexif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0112] = 6  # orientation: rotate 90° to show upright
    exif[0x8825] = {1: "N", 2: (31.0, 12.0, 30.0), 3: "E", 4: (121.0, 25.0, 10.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def report_fields(**overrides: str) -> dict[str, str]:
    fields = {"category": "乱堆物", "description": "3 号楼楼道堆满纸箱，挡住消防通道",
              "location": "3 号楼 1 单元", "phone": "138 1234 5678", "website": ""}
    fields.update(overrides)
    return fields


async def submit(client: httpx.AsyncClient, code: str, *, photos: list[bytes] | None = None,
                 csrf: str | None = None, **fields: str) -> Any:
    """Open the form (a scan), then post it as the browser would."""
    if csrf is None:
        page = await client.get(f"/r/{code}")
        assert page.status_code == 200, page.text
        csrf = csrf_of(page.text)
    files = [("photo", (f"p{n}.jpg", data, "image/jpeg")) for n, data in
             enumerate(photos or [])]
    data = {"_csrf_token": csrf, **report_fields(**fields)}
    return await client.post(f"/r/{code}", data=data, files=files or None,
                             follow_redirects=False)


def tracking_token(response: Any) -> str:
    assert response.status_code == 303, response.text
    match = _TRACKING.match(response.headers["location"])
    assert match, response.headers["location"]
    return match.group(1)


@cache
def png_of_59_megapixels() -> bytes:
    """What the attack sent: 8000 x 7400 pixels in a few KiB (one colour compresses to
    nothing), 177 MiB once decoded to RGB."""
    out = io.BytesIO()
    Image.new("1", (8000, 7400)).save(out, "PNG")
    return out.getvalue()
