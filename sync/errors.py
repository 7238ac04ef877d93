"""Errors are values with stable codes, raised by the domain and mapped to HTTP in one place.

The codes are part of the wire contract (design/sync-protocol.md); messages come from
the catalogue so the user reads Chinese.
"""

from __future__ import annotations

from sync.i18n import t

# The HTTP status for each whole-request error code. Per-mutation rejection codes
# never become an HTTP status: they travel inside a 200 push response.
HTTP_STATUS: dict[str, int] = {
    "malformed_json": 400,
    "invalid_body": 400,
    "invalid_cursor": 400,
    "invalid_password": 400,
    "hash_mismatch": 400,
    "invalid_request": 400,
    "conflict_resolved": 409,
    "already_exists": 409,
    "unauthorized": 401,
    "invalid_credentials": 401,
    "forbidden": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "too_large": 413,
    "unsupported_type": 415,
    "rate_limited": 429,
    "locked": 429,
    # The database is out of reach for a moment (restart, failover): retry later.
    "unavailable": 503,
}


class DomainError(Exception):
    """A failure the caller can act on, with a stable ``code`` and an optional ``field``."""

    def __init__(self, code: str, *, field: str | None = None, message: str | None = None,
                 **params: object) -> None:
        self.code = code
        self.field = field
        self.message = message or t(f"error.{code}", **params)
        super().__init__(f"{code}: {self.message}")

    @property
    def http_status(self) -> int:
        return HTTP_STATUS.get(self.code, 400)

    def as_body(self) -> dict[str, dict[str, str]]:
        error = {"code": self.code, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        return {"error": error}
