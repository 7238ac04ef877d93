"""Everything the QR intake mounts on the app: residents' pages, office API, console page."""

from __future__ import annotations

from typing import Any

from sync.qr import api, console, pages

handlers: list[Any] = [pages.router, *api.handlers, console.router()]
