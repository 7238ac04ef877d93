"""Roles and what each may write (design/sync-protocol.md, "Roles")."""

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


def may_write_records(role: Role) -> bool:
    """Admins manage people and organisation, not records; every other role records."""
    return role is not Role.ADMIN


def may_write_kind(role: Role, kind: str) -> bool:
    return may_write_records(role) and (kind not in SUPERVISOR_KINDS or may_review(role))


def may_reopen(role: Role) -> bool:
    return role in (Role.SQUAD_LEADER, Role.BUREAU)


def may_review(role: Role) -> bool:
    """Squad leaders and the bureau read conflicts and rejected mutations."""
    return role in (Role.SQUAD_LEADER, Role.BUREAU)
