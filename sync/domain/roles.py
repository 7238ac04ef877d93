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


# The bureau reviews: it may reopen cases, add case steps and resolve conflicts, but it
# does not record field work. Admins manage people and organisation, not records.
BUREAU_WRITABLE_KINDS = frozenset({"case", "case_step"})


def may_write_kind(role: Role, kind: str) -> bool:
    if role in (Role.LIAISON, Role.SQUAD_LEADER):
        return True
    if role is Role.BUREAU:
        return kind in BUREAU_WRITABLE_KINDS
    return False


def may_reopen(role: Role) -> bool:
    return role in (Role.SQUAD_LEADER, Role.BUREAU)


def may_review(role: Role) -> bool:
    """Squad leaders and the bureau read conflicts and rejected mutations."""
    return role in (Role.SQUAD_LEADER, Role.BUREAU)
