"""GET /api/v1/schema: the record kinds for the PWA's forms (no login needed)."""

from __future__ import annotations

from typing import Any

from litestar import get

from schema.export import export
from sync.http.openapi import errors


@get("/api/v1/schema", tags=["schema"], cache=300, responses=errors())
async def record_schema() -> dict[str, Any]:
    return export()


handlers = [record_schema]
