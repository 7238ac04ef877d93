"""How long a console session lives: 30 minutes idle, 12 hours in all.

The console is used on shared office computers; a session left open ends by itself.
The browser holds only a random id; the server keeps the session (sync/store/
console_sessions.py), so logging out, ``workroom user revoke``, ``disable``, ``passwd``
or a role change end it at once, on every worker.
"""

from __future__ import annotations

IDLE_MS = 30 * 60 * 1000
MAX_AGE_MS = 12 * 3600 * 1000
# Note use at most once a minute: one write per minute of activity, same idle rule.
TOUCH_AFTER_MS = 60 * 1000


def is_due_for_touch(*, seen_ms: int, now_ms: int) -> bool:
    return now_ms - seen_ms >= TOUCH_AFTER_MS
