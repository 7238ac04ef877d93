"""Reading JSON the store holds: whatever an earlier version let in, every reader can take."""

from __future__ import annotations

from typing import Any

import msgspec

from sync.domain import text

_decode = msgspec.json.Decoder().decode
# Deeper than any record kind nests; what lies deeper is shown as text.TOO_DEEP.
READ_DEPTH = 16


def decode_stored(data: str | bytes | memoryview) -> Any:
    """Decode stored JSON. A value nested too deep for msgspec's recursion (kept before
    the gate bounded depth, issue 15) is decoded with its deepest parts clamped, rather
    than failing every page and queue that reads it."""
    try:
        return _decode(data)
    except RecursionError:
        raw = data.encode() if isinstance(data, str) else bytes(data)
        return _decode(text.clamp_depth(raw, limit=READ_DEPTH))
