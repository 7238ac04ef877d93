"""Hybrid logical clocks: ``"<13-digit ms>:<5-digit counter>:<device_id>"``.

Because ms and counter are fixed-width, comparing two HLC strings compares the tuple
(ms, counter, device_id): the merge compares strings directly.
"""

from __future__ import annotations

import re
from typing import NamedTuple

HLC_PATTERN = re.compile(r"^(\d{13}):(\d{5}):([A-Za-z0-9_-]{1,64})$")
SERVER_DEVICE = "server"
MAX_AHEAD_MS = 5 * 60 * 1000
# Pseudo-devices of writes the server makes itself (sync/services/server_writes.py).
# No phone may log in under these names: fields only the server writes are keyed to them.
CONSOLE_DEVICE = "console"
QR_DEVICE = "qr-intake"
SERVER_DEVICES = frozenset({SERVER_DEVICE, CONSOLE_DEVICE, QR_DEVICE})


class Hlc(NamedTuple):
    ms: int
    counter: int
    device_id: str

    def __str__(self) -> str:
        return f"{self.ms:013d}:{self.counter:05d}:{self.device_id}"


def parse(text: str) -> Hlc | None:
    match = HLC_PATTERN.match(text)
    if match is None:
        return None
    return Hlc(int(match.group(1)), int(match.group(2)), match.group(3))


def server_hlc(*, now_ms: int, max_applied: str) -> str:
    """The server's clock: at least its own time and every HLC it has applied."""
    own = str(Hlc(now_ms, 0, SERVER_DEVICE))
    return max(own, max_applied)


def next_after(latest: str, *, now_ms: int, device_id: str) -> str:
    """A new HLC for ``device_id`` greater than ``latest`` (server-made mutations)."""
    parsed = parse(latest)
    if parsed is None or now_ms > parsed.ms:
        return str(Hlc(now_ms, 0, device_id))
    return str(Hlc(parsed.ms, parsed.counter + 1, device_id))
