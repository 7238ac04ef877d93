"""JSON field access spelled exactly as migration 0004 indexes it, per dialect.

An expression index is used only when the query repeats its expression verbatim, and a
partial index only when the query's literal ``kind`` implies its WHERE clause — hence
literal SQL here rather than bound parameters.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from sync.db.tables import records

_NAME = re.compile(r"^[a-z_]{1,40}$")


def field_text(conn: AsyncConnection, key: str) -> Any:
    if not _NAME.match(key):
        raise ValueError(key)
    if conn.dialect.name == "postgresql":
        return sa.literal_column(f"(records.fields ->> '{key}')", sa.String)
    return sa.literal_column(f"json_extract(records.fields, '$.{key}')", sa.String)


def kind_is(kind: str) -> Any:
    if not _NAME.match(kind):
        raise ValueError(kind)
    return records.c.kind == sa.literal_column(f"'{kind}'")


def hlc_floor(ms: int) -> str:
    """The smallest HLC string at ``ms``: HLCs compare as strings (sync/domain/hlc.py)."""
    return f"{ms:013d}"


CHUNK = 2000


def chunks(items: list[Any]) -> list[list[Any]]:
    return [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]
