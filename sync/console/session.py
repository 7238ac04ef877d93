"""The console's session: a signed cookie, so any worker can check it without shared memory.

The cookie holds a login token (sync/services/auth.py, device ``console-web``), when the
session began and when it was last used, signed with the server's secret key. It is
refreshed on use and refused after 30 minutes idle (or 12 hours in all). The token is
checked on every request, so logging out, disabling the user or changing their
password (which revokes their tokens) ends the session at once, on every worker.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

import msgspec

COOKIE = "workroom_console"
DEVICE_ID = "console-web"
IDLE_MS = 30 * 60 * 1000
MAX_AGE_MS = 12 * 3600 * 1000
# Refresh the cookie at most once a minute: fewer Set-Cookie headers, same idle rule.
REFRESH_AFTER_MS = 60 * 1000


class ConsoleSession(msgspec.Struct, frozen=True, array_like=True):
    token: str
    began_ms: int
    seen_ms: int


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(ConsoleSession)


def _sign(payload: bytes, key: bytes) -> str:
    mac = hmac.new(key, b"console-session:" + payload, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def encode(session: ConsoleSession, *, key: bytes) -> str:
    payload = base64.urlsafe_b64encode(_encoder.encode(session)).decode().rstrip("=")
    return f"{payload}.{_sign(payload.encode(), key)}"


def decode(value: str | None, *, key: bytes, now_ms: int) -> ConsoleSession | None:
    """The session in ``value`` if it is genuine and still alive, else None."""
    if not value or "." not in value:
        return None
    payload, _, signature = value.partition(".")
    if not hmac.compare_digest(signature, _sign(payload.encode(), key)):
        return None
    try:
        session = _decoder.decode(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, msgspec.DecodeError):
        return None
    if now_ms - session.seen_ms > IDLE_MS or now_ms - session.began_ms > MAX_AGE_MS:
        return None
    if session.seen_ms > now_ms + 60_000:
        return None
    return session


def touched(session: ConsoleSession, *, now_ms: int) -> ConsoleSession | None:
    """The refreshed session when it is due for a new cookie, else None."""
    if now_ms - session.seen_ms < REFRESH_AFTER_MS:
        return None
    return ConsoleSession(token=session.token, began_ms=session.began_ms, seen_ms=now_ms)
