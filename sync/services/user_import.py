"""People from a spreadsheet: the district's liaisons, squad leaders and bureau staff with
the communities each liaison covers, as the bureau lists them in Excel.

A new user gets a random initial password, handed back (for the sheet the administrator
hands out, never printed); a user who exists already keeps everything and only gains
the communities listed that they do not cover yet. Rows that are right are applied, the
rest reported with their reason, as the organisation import does.
"""

from __future__ import annotations

import re
import secrets
import string
from typing import Any

import msgspec

from sync.db.engine import read_transaction
from sync.domain.passwords import refusal
from sync.domain.roles import Role, role_label
from sync.domain.usernames import is_username
from sync.i18n import t
from sync.services.auth import AuthService
from sync.spreadsheets import RowProblem, read_rows, sheet_cells
from sync.store import org

HEADERS: dict[str, tuple[str, ...]] = {
    "username": ("用户名", "username"),
    "name": ("姓名", "name"),
    "role": ("角色", "role"),
    "squad_id": ("中队编号", "squad_id"),
    "phone": ("电话", "phone"),
    "communities": ("负责社区", "communities"),
}
REQUIRED = ("username", "name", "role")
ROLE_LABELS = {role: role_label(role) for role in Role}
ROLES = {**{label: role for role, label in ROLE_LABELS.items()}, **{r.value: r for r in Role}}
_SEPARATORS = re.compile(r"[、，,;；\s]+")
_PASSWORD_ALPHABET = string.ascii_letters + string.digits
PASSWORD_LENGTH = 12


class PersonRow(msgspec.Struct, frozen=True):
    row: int
    username: str
    name: str
    role: Role
    squad_id: str | None
    phone: str | None
    communities: tuple[str, ...]


class NewUser(msgspec.Struct, frozen=True):
    username: str
    name: str
    role: Role
    password: str  # the initial one, for the administrator to hand out


class UserImport(msgspec.Struct, frozen=True):
    added: list[NewUser]
    assigned: int  # community assignments made
    problems: list[RowProblem]


def parse_people(rows: list[list[Any]]) -> tuple[list[PersonRow], list[RowProblem]]:
    """The sheet's rows, checked one by one. Pure."""
    good: list[PersonRow] = []
    problems: list[RowProblem] = []
    seen: set[str] = set()
    for number, cell in sheet_cells(rows, HEADERS, REQUIRED):
        reason = _problem(cell, seen)
        if reason:
            problems.append(RowProblem(row=number, reason=reason))
            continue
        seen.add(cell["username"])
        good.append(PersonRow(
            row=number, username=cell["username"], name=cell["name"],
            role=ROLES[cell["role"]], squad_id=cell.get("squad_id") or None,
            phone=cell.get("phone") or None,
            communities=tuple(c for c in _SEPARATORS.split(cell.get("communities", "")) if c)))
    return good, problems


def _problem(cell: dict[str, str], seen: set[str]) -> str | None:
    for field in REQUIRED:
        if not cell.get(field):
            return t("org_import.missing", column=HEADERS[field][0])
    if not is_username(cell["username"]):
        return t("user_import.bad_username", value=cell["username"][:40])
    if cell["username"] in seen:
        return t("user_import.repeated", value=cell["username"])
    if len(cell["name"]) > 50 or len(cell.get("phone", "")) > 40:
        return t("user_import.too_long")
    role = ROLES.get(cell["role"])
    if role is None:
        return t("user_import.bad_role", value=cell["role"][:20])
    if role in (Role.LIAISON, Role.SQUAD_LEADER) and not cell.get("squad_id"):
        return t("org_import.missing", column=HEADERS["squad_id"][0])
    if cell.get("communities") and role is not Role.LIAISON:
        return t("user_import.communities_for_liaisons")
    return None


def initial_password() -> str:
    """Random letters and digits that the password policy accepts."""
    while True:
        password = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))
        if refusal(password) is None:
            return password


async def import_people(auth: AuthService, data: bytes, *, file_name: str, by: str,
                        source: str) -> UserImport:
    people, problems = parse_people(read_rows(data, file_name))
    async with read_transaction(auth.engine) as conn:
        squads = set(await org.squad_orders(conn))
        places = {c.id for c in await org.communities_of(conn)}
    added: list[NewUser] = []
    assigned = 0
    for person in people:
        unknown = [c for c in person.communities if c not in places]
        if person.squad_id is not None and person.squad_id not in squads:
            problems.append(RowProblem(row=person.row, reason=t(
                "user_import.unknown_squad", value=person.squad_id)))
            continue
        if unknown:
            problems.append(RowProblem(row=person.row, reason=t(
                "user_import.unknown_communities", value="、".join(unknown))))
            continue
        async with read_transaction(auth.engine) as conn:
            existing = await org.find_user(conn, person.username)
        if existing is not None and existing.role is not person.role:
            problems.append(RowProblem(row=person.row, reason=t(
                "user_import.role_differs", value=person.username)))
            continue
        if existing is None:
            password = initial_password()
            await auth.add_user(username=person.username, name=person.name, role=person.role,
                                squad_id=person.squad_id, phone=person.phone,
                                password=password, by=by, source=source)
            added.append(NewUser(person.username, person.name, person.role, password))
        for community_id in person.communities:
            assigned += await auth.assign(person.username, community_id, assigned=True, by=by,
                                          source=source)
    return UserImport(added=added, assigned=assigned,
                      problems=sorted(problems, key=lambda p: p.row))
