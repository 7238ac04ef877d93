"""Errors are values with stable codes, raised by the domain and mapped to HTTP in one place.

``PROBLEMS`` is the catalogue of every code the server raises (ODK Central's
``lib/util/problem.js`` is the model): each code's HTTP status and the details its
message is formatted with. The message itself is ``error.<code>`` in
``sync/locale/zh-CN/errors.toml``, so the user reads Chinese. The wire contract
(design/sync-protocol.md) fixes the codes it names and their statuses; the others may be
added freely, never renamed.

Adding a code is one line below and one line in errors.toml. A code missing from either
fails on import (``check_catalogue``) and in tests/test_error_registry.py, which also
reads every ``DomainError("…")`` in sync/ — never at a user's screen, as a raw key.
"""

from __future__ import annotations

from string import Formatter
from typing import NamedTuple

from sync.i18n import catalogue, t


class Problem(NamedTuple):
    code: str
    status: int
    # The names the message is formatted with: each raise passes exactly these. A
    # detail a person reads is Chinese from the catalogue (a field by its form label,
    # schema.kinds.FIELD_LABELS), never a field name or an exception's English.
    details: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"error.{self.code}"


_ENTRIES = (
    # Whole-request errors, named by the wire contract.
    Problem("malformed_json", 400),
    Problem("invalid_body", 400, ("detail",)),
    Problem("invalid_cursor", 400),
    Problem("hash_mismatch", 400),
    Problem("unauthorized", 401),
    Problem("invalid_credentials", 401),
    Problem("forbidden", 403),
    Problem("not_found", 404),
    Problem("too_large", 413),
    Problem("unsupported_type", 415),
    Problem("rate_limited", 429),
    Problem("locked", 429),
    # Whole-request errors of this server.
    Problem("invalid_request", 400, ("detail",)),
    Problem("invalid_password", 400),
    Problem("method_not_allowed", 405),
    Problem("conflict_resolved", 409),
    Problem("already_exists", 409, ("what",)),
    Problem("internal", 500),
    # The database is out of reach for a moment (restart, failover): retry later.
    Problem("unavailable", 503),
    # A pushed mutation's rejection (the contract's list; ``forbidden`` above too). These
    # travel inside a 200 push response; the status is for a server write refused alone.
    Problem("unknown_kind", 400, ("kind",)),
    Problem("unknown_field", 400, ("kind",)),
    Problem("invalid_field", 400, ("detail",)),
    Problem("missing_field", 400, ("name",)),
    Problem("immutable_field", 400),
    Problem("clock_ahead", 400),
    Problem("invalid_hlc", 400),
    Problem("seq_reused", 400),
    # People, organisation and imports.
    Problem("unknown_user", 400, ("username",)),
    Problem("unknown_community", 400, ("community_id",)),
    Problem("unknown_squad", 400, ("squad_id",)),
    Problem("import_missing_column", 400, ("column",)),
    Problem("import_empty", 400),
    Problem("import_unreadable", 400, ("detail",)),
    # The console.
    Problem("console_liaison", 403),
    Problem("no_community", 400),
    Problem("invalid_choice", 400, ("label",)),
    # The residents' QR pages and the code registry.
    Problem("qr_unknown_code", 404),
    Problem("qr_revoked_code", 410),
    Problem("qr_invalid_placement", 400, ("limit",)),
    Problem("qr_no_codes", 400),
    Problem("qr_honeypot", 400),
    Problem("qr_invalid_category", 400),
    Problem("qr_missing_description", 400),
    Problem("qr_description_too_long", 400, ("limit",)),
    Problem("qr_location_too_long", 400, ("limit",)),
    Problem("qr_invalid_phone", 400),
    Problem("qr_too_many_photos", 400, ("limit",)),
    Problem("qr_photo_too_large", 413),
    Problem("qr_photo_not_image", 415),
    Problem("qr_photo_too_many_pixels", 413, ("limit",)),
    Problem("qr_too_many_reports", 429),
    Problem("qr_code_busy", 429),
    Problem("qr_unknown_tracking", 404),
    Problem("qr_feedback_incomplete", 400),
    Problem("qr_feedback_closed", 409),
    Problem("qr_request_too_large", 413),
    Problem("qr_csrf", 403),
    Problem("qr_not_found", 404),
    Problem("qr_internal", 500),
    # The evaluation.
    Problem("invalid_period", 400, ("period",)),
    Problem("unknown_criterion", 400, ("criterion",)),
    Problem("not_reviewer_scored", 400, ("criterion",)),
    Problem("points_out_of_range", 400, ("weight",)),
    Problem("note_required", 400),
    Problem("unknown_work_order", 400, ("order_no",)),
    Problem("unknown_score", 400),
    Problem("unknown_nomination", 400),
    Problem("invalid_criteria", 400, ("detail",)),
)

PROBLEMS: dict[str, Problem] = {problem.code: problem for problem in _ENTRIES}
if len(PROBLEMS) != len(_ENTRIES):
    raise ValueError("a code is registered twice in sync/errors.py")


def check_catalogue() -> None:
    """Every problem has its zh-CN message, formatted with exactly its details."""
    messages = catalogue()
    for problem in PROBLEMS.values():
        template = messages.get(problem.key)
        if template is None:
            raise LookupError(f"{problem.key} is missing from sync/locale/zh-CN/errors.toml")
        named = {name for _, name, _, _ in Formatter().parse(template) if name is not None}
        if named != set(problem.details):
            raise ValueError(f"{problem.key} names {sorted(named)}; the registry says "
                             f"{sorted(problem.details)}")


check_catalogue()


class DomainError(Exception):
    """A failure the caller can act on, with a stable ``code`` and an optional ``field``.

    ``params`` are the problem's details; ``message`` replaces the catalogue's sentence
    with another already taken from it (a password's particular reason)."""

    def __init__(self, code: str, *, field: str | None = None, message: str | None = None,
                 **params: object) -> None:
        problem = PROBLEMS.get(code)
        if problem is None:
            raise LookupError(f"{code!r} is no problem in sync/errors.py PROBLEMS")
        if (set(params) != set(problem.details) if message is None
                else not set(params) <= set(problem.details)):
            raise TypeError(f"{code} carries {sorted(problem.details)}, not {sorted(params)}")
        self.problem = problem
        self.code = code
        self.field = field
        self.message = message or t(problem.key, **params)
        super().__init__(f"{code}: {self.message}")

    @property
    def http_status(self) -> int:
        return self.problem.status

    def as_body(self) -> dict[str, dict[str, str]]:
        error = {"code": self.code, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        return {"error": error}
