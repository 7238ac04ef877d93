"""Server timestamps on the wire: ISO 8601 with an offset (UTC)."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z")
