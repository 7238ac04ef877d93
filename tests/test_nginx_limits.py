"""The reverse proxy lets through every body the app accepts, so the app, not nginx,
answers an oversized request (with the residents' Chinese page on /r/)."""

from __future__ import annotations

import re
from pathlib import Path

from sync.http.blobs_api import BLOB_ROUTE_LIMIT
from sync.qr.pages import REPORT_BODY_LIMIT
from sync.settings import Settings

NGINX_CONF = Path(__file__).resolve().parent.parent / "ops" / "deploy" / "nginx.conf"
_UNITS = {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}


def body_limits(conf: str) -> dict[str, int]:
    """``client_max_body_size`` in bytes by where it is set: ``server`` or a location."""
    limits: dict[str, int] = {}
    blocks: list[str] = []
    for line in conf.splitlines():
        line = line.split("#", 1)[0].strip()
        if line.endswith("{"):
            blocks.append(line.removesuffix("{").strip())
        elif line == "}":
            blocks.pop()
        elif match := re.fullmatch(r"client_max_body_size\s+(\d+)([kmg]?);", line, re.I):
            where = blocks[-1] if blocks[-1].startswith("location") else "server"
            limits[where] = int(match.group(1)) * _UNITS[match.group(2).lower()]
    return limits


def test_nginx_lets_through_the_largest_body_each_route_accepts() -> None:
    limits = body_limits(NGINX_CONF.read_text())
    defaults = Settings(data_dir=Path("."), database_url="sqlite+aiosqlite:///x.db")
    assert limits["server"] >= max(BLOB_ROUTE_LIMIT, defaults.max_request_bytes)
    # A resident's report: three photos at the cap and the form ...
    reports = limits.get("location /r/", limits["server"])
    assert reports >= REPORT_BODY_LIMIT
    # ... and not far beyond it: the app's page, not nginx's, refuses a larger one.
    assert reports - REPORT_BODY_LIMIT <= 2 * 1024 * 1024
