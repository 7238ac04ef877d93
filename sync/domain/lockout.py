"""The login lockout rule: 5 failures within 15 minutes lock the username."""

from __future__ import annotations

MAX_FAILURES = 5
WINDOW_MS = 15 * 60 * 1000


def is_locked(recent_attempts: list[tuple[int, bool]], *, now_ms: int) -> bool:
    """``recent_attempts`` are (at_ms, ok) pairs of one username, any order.

    Failures count only inside the window and only after the last success: a liaison who
    mistypes twice and then gets in starts from zero again.
    """
    window = [(at, ok) for at, ok in recent_attempts if now_ms - at < WINDOW_MS]
    last_ok = max((at for at, ok in window if ok), default=-1)
    failures = sum(1 for at, ok in window if not ok and at > last_ok)
    return failures >= MAX_FAILURES
