"""Roles (design/sync-protocol.md, "Roles"); what each may do is the access policy's
(sync/domain/access.py)."""

from __future__ import annotations

from enum import StrEnum

import msgspec


class Role(StrEnum):
    LIAISON = "liaison"
    SQUAD_LEADER = "squad_leader"
    BUREAU = "bureau"
    ADMIN = "admin"


class Actor(msgspec.Struct, frozen=True):
    """The authenticated user behind a request or a CLI call."""

    id: str
    username: str
    name: str
    role: Role
    squad_id: str | None


# Kinds that record a supervisor's judgement, made in the console (no device writes them,
# sync/domain/validate.py): a liaison may not review their own day.
SUPERVISOR_KINDS = frozenset({"duty_log_review"})
