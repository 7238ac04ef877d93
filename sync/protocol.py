"""Wire structs for design/sync-protocol.md: the one definition of every message.

Schema evolution follows msgspec's rules: new fields get defaults, types never change,
names are never reused.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec


class Wire(msgspec.Struct, forbid_unknown_fields=False, omit_defaults=False):
    """Requests ignore unknown keys so a newer client can talk to an older server."""


# What the database can keep. A value outside these cannot be stored (not even in the
# rejected-mutation store), so it fails the request with invalid_body instead of a 5xx.
Int64 = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]
Text = Annotated[str, msgspec.Meta(pattern="^[^\x00]*$")]  # PostgreSQL text holds no NUL


# --- auth ---------------------------------------------------------------------------------

class LoginRequest(Wire):
    username: Text
    password: Text
    device_id: str  # checked against its own pattern (services/auth.py)
    device_name: Text | None = None


class UserOut(Wire):
    id: str
    name: str
    role: str
    squad_id: str | None


class LoginResponse(Wire):
    token: str
    expires_at: str
    user: UserOut


class PropertyCompanyOut(Wire):
    id: str
    name: str


class CommunityOut(Wire):
    id: str
    name: str
    squad_id: str
    # Extension: the companies a property inspection in this community may name.
    property_companies: list[PropertyCompanyOut] = []


class MeResponse(Wire):
    user: UserOut
    communities: list[CommunityOut]


# --- push ---------------------------------------------------------------------------------

class Mutation(Wire):
    # The primary key of the mutation log: a malformed one cannot be kept, so it fails
    # the request (invalid_body) instead of being rejected on its own. One holding a
    # character user text may not (which cleaning could make another's) fails it too, in
    # batch.screen: a pattern here cost a fifth of the decoding.
    id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    seq: Int64
    hlc: str
    kind: str
    record_id: str
    community_id: str
    fields: dict[str, Any]
    base_version: Int64 = 0


class PushRequest(Wire):
    mutations: list[Mutation]
    # Unix ms, so the device's clock offset (device_time - server time) fits in 64 bits.
    device_time: Annotated[int, msgspec.Meta(ge=0, le=2**62)] | None = None
    app_version: Text | None = None


class ErrorOut(Wire, omit_defaults=True):
    code: str
    message: str
    field: str | None = None


class ErrorBody(Wire):
    """Every error answer: ``{"error": {"code", "message", "field"?}}`` (sync-protocol.md)."""

    error: ErrorOut


class MutationResult(Wire, omit_defaults=True):
    id: str
    status: Literal["applied", "duplicate", "rejected"]
    error: ErrorOut | None = None


class PushResponse(Wire):
    acked_seq: int
    server_time: int
    hlc: str
    results: list[MutationResult]


# --- pull ---------------------------------------------------------------------------------

class RecordOut(Wire):
    kind: str
    id: str
    community_id: str
    version: int
    # The stored JSON object, sent as stored: a pull never decodes and re-encodes it. A Raw
    # has no shape of its own, so the Meta names it (sync/http/openapi.py shows it).
    fields: Annotated[msgspec.Raw, msgspec.Meta(description="field name → value",
                                                extra_json_schema={"type": "object"})]
    updated_at: str
    created_by: str
    created_at: str


class PullResponse(Wire):
    cursor: str
    has_more: bool
    server_time: int
    hlc: str
    records: list[RecordOut]
    purge: list[str]


# --- conflicts and rejected mutations -----------------------------------------------------

class ConflictSide(Wire):
    value: Any
    hlc: str
    device_id: str
    user_id: str


class ConflictOut(Wire):
    id: str
    kind: str
    record_id: str
    community_id: str
    field: str
    winner: ConflictSide
    loser: ConflictSide
    detected_at: str
    resolved_at: str | None


class ConflictsResponse(Wire):
    conflicts: list[ConflictOut]
    next_before: str | None = None


class ResolveConflictRequest(Wire):
    choose: Literal["winner", "loser", "value"]
    value: Any = None


class RejectedOut(Wire):
    id: str
    mutation: dict[str, Any]
    device_id: str
    user_id: str
    code: str
    message: str
    received_at: str
    field: str | None = None


class RejectedResponse(Wire):
    rejected: list[RejectedOut]
    next_before: str | None = None


# --- blobs --------------------------------------------------------------------------------

class MissingBlobsRequest(Wire):
    hashes: list[str]


class MissingBlobsResponse(Wire):
    missing: list[str]
