"""GET /api/v1/schema: the record kinds for the PWA's forms (no login needed)."""

from __future__ import annotations

from litestar import get

from schema.export import SchemaExport, schema_export
from sync.http.openapi import errors


@get("/api/v1/schema", tags=["schema"], cache=300, responses=errors())
async def record_schema() -> SchemaExport:
    return schema_export()


handlers = [record_schema]
