"""Roles (design/sync-protocol.md, "Roles"); what each may do is the access policy's
(sync/domain/access.py)."""

from __future__ import annotations

from enum import StrEnum

import msgspec

from sync.i18n import t


class Role(StrEnum):
    LIAISON = "liaison"
    SQUAD_LEADER = "squad_leader"
    BUREAU = "bureau"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return role_label(self)


class Actor(msgspec.Struct, frozen=True):
    """The authenticated user behind a request or a CLI call."""

    id: str
    username: str
    name: str
    role: Role
    squad_id: str | None


def role_label(role: str) -> str:
    """The role's name (a ``Role``, or its value as a page holds it) as people read and
    write it: the console, the people sheet."""
    return t(f"console.role.{Role(role).value}")


# Kinds that record a supervisor's judgement, made in the console (no device writes them,
# sync/domain/validate.py): a liaison may not review their own day.
SUPERVISOR_KINDS = frozenset({"duty_log_review"})
