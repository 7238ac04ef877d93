"""Time, injectable: lockout expiry and clock checks are tested by moving a clock."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now_ms(self) -> int: ...


class SystemClock:
    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000


class ManualClock:
    """A clock the tests move by hand."""

    def __init__(self, start_ms: int) -> None:
        self.ms = start_ms

    def now_ms(self) -> int:
        return self.ms

    def advance(self, *, seconds: float = 0, minutes: float = 0) -> None:
        self.ms += int((seconds + 60 * minutes) * 1000)
