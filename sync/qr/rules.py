"""The QR intake's rules, pure: codes, tokens, phones, placements, limits.

No database, no HTTP: the service and the tests call these directly.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from sync.domain import text
from sync.domain.shanghai import to_local

# A placement is one of the notice's three standard places (schema/kinds.py QR_PLACEMENTS)
# or any other named spot, of at most this many characters.
MAX_PLACEMENT_CHARS = 50

# Mainland mobile numbers: 11 digits starting 13–19 (an optional +86 / 86 prefix and
# spaces or dashes as people type them are accepted and dropped).
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_CODE = re.compile(r"^[a-z2-7]{16}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")

def new_code() -> str:
    """80 random bits in lower-case base32: unguessable, and safe to read out or type."""
    return base64.b32encode(secrets.token_bytes(10)).decode().lower()


def looks_like_code(text: str) -> bool:
    return bool(_CODE.match(text))


def new_tracking_token() -> str:
    return secrets.token_urlsafe(18)


def looks_like_token(text: str) -> bool:
    return bool(_TOKEN.match(text))


def token_hash(token: str) -> str:
    # Stored hashed: a copy of the database does not open anyone's tracking page.
    return hashlib.sha256(token.encode()).hexdigest()


# No 0/O, 1/I: the number is read out over the phone.
_NUMBER_LETTERS = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def tracking_number(now_ms: int) -> str:
    """What a resident reads out on the phone: the day and six random letters."""
    day = to_local(now_ms).strftime("%y%m%d")
    return f"QR{day}-{''.join(secrets.choice(_NUMBER_LETTERS) for _ in range(6))}"


def client_key(address: str | None, *, secret: str) -> str:
    """A keyed hash of the resident's address: enough to count, not to identify."""
    digest = hmac.new(secret.encode(), (address or "unknown").encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def clean_text(value: str) -> str:
    """What a resident typed, without the characters user text may not hold
    (``text.FORBIDDEN``): a resident's paste is taken, not refused."""
    return text.strip(value.replace("\r\n", "\n").replace("\r", "\n"))


def normalise_placement(text: str) -> str | None:
    """The placement as stored, or None when it is empty or too long."""
    cleaned = " ".join(clean_text(text).split())
    if not cleaned or len(cleaned) > MAX_PLACEMENT_CHARS:
        return None
    return cleaned


def normalise_phone(text: str) -> str | None:
    """The 11-digit mobile number, '' when none was given, None when it is not one."""
    digits = re.sub(r"[\s-]", "", text)
    if not digits:
        return ""
    digits = digits.removeprefix("+86")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if _MOBILE.match(digits) else None


def mask_phone(phone: str | None) -> str:
    """138****1234: enough for residents to recognise their number, not to read it."""
    if not phone:
        return ""
    if len(phone) < 8:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


@dataclass(frozen=True)
class Limits:
    """Accepted reports allowed per hour: from one address, and through one code."""

    per_client_per_hour: int = 20
    per_code_per_hour: int = 60
    window_ms: int = 3_600_000


def refusal(*, reports_from_client: int, reports_on_code: int, limits: Limits) -> str | None:
    """Why another report must wait (an error code), or None to accept it."""
    if reports_from_client >= limits.per_client_per_hour:
        return "qr_too_many_reports"
    if reports_on_code >= limits.per_code_per_hour:
        return "qr_code_busy"
    return None


STALE_DAYS = 30


def is_stale(*, posted_ms: int, last_scan_ms: int | None, now_ms: int,
             days: int = STALE_DAYS) -> bool:
    """Nobody has scanned it for ``days`` (or since it was posted): find it and re-post it."""
    return now_ms - (last_scan_ms or posted_ms) > days * 24 * 3600 * 1000
