"""What the QR intake mounts on the app: the residents' pages and the office API (its
console page is under the console's router)."""

from __future__ import annotations

from typing import Any

from sync.qr import api, pages

handlers: list[Any] = [pages.router, *api.handlers]
