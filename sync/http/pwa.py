"""Serves the liaisons' PWA build under /app/ and sends / there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import MediaType, Response, get
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

from sync.i18n import t
from sync.settings import Settings

# The build lands in client-pwa/dist in a source checkout.
DEFAULT_DIST = Path(__file__).resolve().parents[2] / "client-pwa" / "dist"


@get("/", include_in_schema=False)
async def root() -> Redirect:
    return Redirect("/app/")


@get(["/app", "/app/"], include_in_schema=False)
async def not_built() -> Response[str]:
    return Response(f"<!doctype html><meta charset=utf-8><p>{t('pwa.not_built')}</p>",
                    media_type=MediaType.HTML, status_code=503)


def handlers(settings: Settings) -> list[Any]:
    dist = settings.pwa_dir or DEFAULT_DIST
    if not (dist / "index.html").exists():
        return [root, not_built]
    return [root, create_static_files_router(path="/app", directories=[dist], html_mode=True,
                                             include_in_schema=False)]
