"""The login throttles: one per username (lockout), one per address (password spraying).

Five failures within 15 minutes lock the username; thirty failures within 15 minutes from
one address refuse every login from it, whichever usernames were tried. An office
behind one address (a squad's workroom) mistyping now and then stays far below that;
a script trying one password against every username does not.
"""

from __future__ import annotations

MAX_FAILURES = 5
MAX_ADDRESS_FAILURES = 30
WINDOW_MS = 15 * 60 * 1000


def is_locked(recent_attempts: list[tuple[int, bool]], *, now_ms: int) -> bool:
    """``recent_attempts`` are (at_ms, ok) pairs of one username, any order.

    Failures count only inside the window and only after the last success: a liaison who
    mistypes twice and then gets in starts from zero again. An admin's unlock is noted as
    a success for the same reason.
    """
    window = [(at, ok) for at, ok in recent_attempts if now_ms - at < WINDOW_MS]
    last_ok = max((at for at, ok in window if ok), default=-1)
    failures = sum(1 for at, ok in window if not ok and at > last_ok)
    return failures >= MAX_FAILURES


def is_address_throttled(failures_in_window: int) -> bool:
    """Whether an address with this many failed logins inside the window must wait.

    A success from the address does not reset it: a sprayer who guesses one account
    right must not win a fresh allowance for the rest.
    """
    return failures_in_window >= MAX_ADDRESS_FAILURES
