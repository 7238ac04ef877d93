"""The access policy: who may read, write and manage what, over which part of the district.

A user's role gives them, for each kind of object (``Subject``) and each ``Action``, a
*reach*: the whole district (区局, and admins for what they administer), their squad
(中队长), the communities they are assigned (联络员), or nothing. With the user's squad
and assignments a reach becomes a ``Scope`` — ``DISTRICT``, ``Squad(id)`` or
``Communities(ids)`` — that answers for one community or one person (``covers``), and
that the store turns into one WHERE clause (``sync.store.scope``). ``RULES`` below is the
whole table; what it does not name, nobody may.

The command line (``who=None``) is the operator, who has the database: everything.
There are no street-office or read-only accounts (DOMAIN.md: the street government
receives the bureau's reports); a role added for them is one more column of ``RULES``.

Out of scope and absent look the same to a caller who answers 404: ``covers`` says no
either way, and which of the two it was is never told. Pure: no framework, no SQL.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from enum import Enum, StrEnum

import msgspec

from sync.domain.roles import SUPERVISOR_KINDS, Actor, Role
from sync.errors import DomainError


class Subject(StrEnum):
    """The kinds of object the policy decides for, in the users' words."""

    RECORDS = "records"  # what liaisons record (every device kind), and the photos in it
    DUTY_LOG_REVIEWS = "duty_log_reviews"  # a supervisor's judgement of a liaison's day
    CASES = "cases"  # MANAGE: reopening a case that was closed
    CONSOLE = "console"  # duty logs, record books, ledger, compliance, property, charts
    CONFLICTS = "conflicts"  # the review queue's conflicts; WRITE resolves one
    REJECTED = "rejected"  # rejected mutations; WRITE marks one dealt with
    QR_CODES = "qr_codes"  # the code registry, posters and use figures
    ORGANISATION = "organisation"  # users, roles, assignments, communities, cards
    EVALUATION = "evaluation"  # assessment, appraisal, diversion; WRITE: reviewer scores
    NOMINATIONS = "nominations"  # "50 佳": MANAGE nominates and decides
    WORK_ORDERS = "work_orders"  # 12345: WRITE places an order, MANAGE imports


class Action(StrEnum):
    READ = "read"
    WRITE = "write"
    MANAGE = "manage"


class Reach(Enum):
    NONE = 0
    ASSIGNED = 1
    SQUAD = 2
    DISTRICT = 3


_L, _S, _B, _A = Role.LIAISON, Role.SQUAD_LEADER, Role.BUREAU, Role.ADMIN
_SUPERVISORS = {_S: Reach.SQUAD, _B: Reach.DISTRICT}
_RECORDERS = {_L: Reach.ASSIGNED, **_SUPERVISORS}
_ADMIN = {_A: Reach.DISTRICT}

RULES: dict[tuple[Subject, Action], dict[Role, Reach]] = {
    # Admins manage people and organisation, not records.
    (Subject.RECORDS, Action.READ): _RECORDERS,
    (Subject.RECORDS, Action.WRITE): _RECORDERS,
    # A liaison reads the review of their day (it is a record) but may not review it.
    (Subject.DUTY_LOG_REVIEWS, Action.READ): _RECORDERS,
    (Subject.DUTY_LOG_REVIEWS, Action.WRITE): _SUPERVISORS,
    (Subject.CASES, Action.MANAGE): _SUPERVISORS,
    (Subject.CONSOLE, Action.READ): _SUPERVISORS,
    (Subject.CONFLICTS, Action.READ): _SUPERVISORS,
    (Subject.CONFLICTS, Action.WRITE): _SUPERVISORS,
    (Subject.REJECTED, Action.READ): _SUPERVISORS,
    (Subject.REJECTED, Action.WRITE): _SUPERVISORS,
    # The office posts the codes (admins anywhere, a squad leader in the squad); the
    # bureau reads them; liaisons use the PWA and have no part in the registry.
    (Subject.QR_CODES, Action.READ): {**_SUPERVISORS, **_ADMIN},
    (Subject.QR_CODES, Action.MANAGE): {_S: Reach.SQUAD, **_ADMIN},
    (Subject.ORGANISATION, Action.MANAGE): _ADMIN,
    (Subject.EVALUATION, Action.READ): _SUPERVISORS,
    (Subject.EVALUATION, Action.WRITE): _SUPERVISORS,
    (Subject.NOMINATIONS, Action.MANAGE): {_B: Reach.DISTRICT},
    # A squad leader sees and places the orders of the squad's communities, and those
    # of its street no community was found for (``order_of_squad``).
    (Subject.WORK_ORDERS, Action.READ): _SUPERVISORS,
    (Subject.WORK_ORDERS, Action.WRITE): _SUPERVISORS,
    # The bureau imports the hotline's export (the console offers the upload to it only).
    (Subject.WORK_ORDERS, Action.MANAGE): {_B: Reach.DISTRICT},
}


# --- scopes -------------------------------------------------------------------------------

class District(msgspec.Struct, frozen=True, tag="district"):
    """The whole district."""


class Squad(msgspec.Struct, frozen=True, tag="squad"):
    """One squad's communities and people."""

    squad_id: str


class Communities(msgspec.Struct, frozen=True, tag="communities"):
    """Some communities (a liaison's), and no person."""

    ids: frozenset[str]


Scope = District | Squad | Communities
DISTRICT = District()
NOTHING = Communities(frozenset())


def covers(scope: Scope, *, community_id: str, squad_id: str | None) -> bool:
    """Whether ``scope`` holds the community ``community_id`` of squad ``squad_id``
    (None: a community that does not exist, which only the whole district holds)."""
    match scope:
        case District():
            return True
        case Squad():
            return squad_id == scope.squad_id
        case Communities():
            return community_id in scope.ids
    raise AssertionError(scope)


def covers_squad(scope: Scope, squad_id: str | None) -> bool:
    """Whether ``scope`` holds the people of squad ``squad_id`` (a liaison whose duty
    log is read, the sender of a rejected mutation): a scope of communities holds none."""
    match scope:
        case District():
            return True
        case Squad():
            return squad_id == scope.squad_id
        case Communities():
            return False
    raise AssertionError(scope)


# --- the decisions --------------------------------------------------------------------------

def reach(who: Actor | None, subject: Subject, action: Action) -> Reach:
    if who is None:
        return Reach.DISTRICT
    return RULES.get((subject, action), {}).get(who.role, Reach.NONE)


def allows(who: Actor | None, subject: Subject, action: Action) -> bool:
    """Whether ``who`` may do ``action`` on ``subject`` anywhere at all."""
    return reach(who, subject, action) is not Reach.NONE


def require(who: Actor | None, subject: Subject, action: Action) -> None:
    """``forbidden`` unless ``who`` may do ``action`` on ``subject`` somewhere."""
    if not allows(who, subject, action):
        raise DomainError("forbidden")


def scope(who: Actor | None, subject: Subject, action: Action, *,
          assigned: Collection[str] = ()) -> Scope:
    """Where ``who`` may do ``action`` on ``subject`` (``assigned``: the communities a
    liaison is assigned, read only when the reach is theirs — ``needs_assignments``)."""
    found = reach(who, subject, action)
    if found is Reach.DISTRICT:
        return DISTRICT
    if found is Reach.SQUAD and who is not None and who.squad_id:
        return Squad(who.squad_id)
    if found is Reach.ASSIGNED:
        return Communities(frozenset(assigned))
    return NOTHING  # no reach, or a squad leader of no squad


def needs_assignments(who: Actor | None, subject: Subject, action: Action) -> bool:
    return reach(who, subject, action) is Reach.ASSIGNED


def may(who: Actor | None, subject: Subject, action: Action, *, community_id: str,
        squad_id: str | None, assigned: Collection[str] = ()) -> bool:
    return covers(scope(who, subject, action, assigned=assigned), community_id=community_id,
                  squad_id=squad_id)


# The console's parts: whoever may use one may open a console session (liaisons use the
# PWA and have none).
CONSOLE_PARTS = ((Subject.CONSOLE, Action.READ), (Subject.QR_CODES, Action.READ),
                 (Subject.ORGANISATION, Action.MANAGE))


def may_open_console(who: Actor | None) -> bool:
    return any(allows(who, subject, action) for subject, action in CONSOLE_PARTS)


# --- records --------------------------------------------------------------------------------

def may_write_kind(who: Actor | None, kind: str) -> bool:
    """Whether ``who`` may write records of ``kind`` at all (the community is ``scope``'s)."""
    subject = Subject.DUTY_LOG_REVIEWS if kind in SUPERVISOR_KINDS else Subject.RECORDS
    return allows(who, subject, Action.WRITE)


def may_reopen(who: Actor | None) -> bool:
    """Reopening a closed case (a higher ``reopen_count``) is a supervisor's decision."""
    return allows(who, Subject.CASES, Action.MANAGE)


def may_refer(*, child_community_id: str, parent_community_id: str,
              parent_kind: str | None = None, wanted_kind: str | None = None) -> bool:
    """Whether a child record may name this parent (schema/kinds.py ``REFS``) — and so
    be shown as its child: one of the kind it must name (``wanted_kind``; None: any),
    in the child's own community, which the writer may write, so a reference never
    reaches into a community they may not."""
    return parent_community_id == child_community_id and (
        wanted_kind is None or parent_kind == wanted_kind)


def may_read_photo(scope: Scope, *, holds: bool,
                   referred_from: Iterable[tuple[str, str | None]]) -> bool:
    """Whether a reader with ``scope`` (their RECORDS read scope) may have a photo's
    bytes: they hold them (sent them themselves), or a record in their scope refers
    to the photo by a reference whose writer holds it (``referred_from``: the
    (community id, squad id) of each such reference).

    The writer's holding is what makes a hash no capability: pointing an attachment at
    a hash one has never sent opens nothing, to anyone."""
    return holds or any(covers(scope, community_id=c, squad_id=s) for c, s in referred_from)


def order_of_squad(street: str, squad_name: str) -> bool:
    """Whether a 12345 order placed in no community is this squad's: the squad is named
    after the street the order names (所属街镇 华阳路街道 → 华阳路街道中队). An order
    naming no street is only the district's."""
    return bool(street) and squad_name.startswith(street)


def may_see_rejected(scope: Scope, *, community_id: str, squad_id: str | None,
                     sender_squad_id: str | None) -> bool:
    """A rejected mutation is seen by whoever covers the community it was sent to, and
    by whoever covers its sender's squad (a liaison writing to a wrong community
    included)."""
    return covers(scope, community_id=community_id, squad_id=squad_id) or covers_squad(
        scope, sender_squad_id)
