"""A scope of the access policy (sync/domain/access.py) as a WHERE clause.

Every store query that filters by who may see takes a ``Scope`` and asks here, so the
SQL says what ``access.covers`` and ``access.covers_squad`` say, on both back ends.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from sync.db.tables import communities
from sync.domain.access import Communities, District, Scope, Squad


def community_in(scope: Scope, community_id: ColumnElement[Any], *,
                 squad_id: ColumnElement[Any] | None = None) -> ColumnElement[bool]:
    """Rows whose community (``community_id``; its squad's ``squad_id`` when the query
    has joined it) ``scope`` covers."""
    match scope:
        case District():
            return sa.true()
        case Squad():
            if squad_id is not None:
                return squad_id == scope.squad_id
            return community_id.in_(sa.select(communities.c.id).where(
                communities.c.squad_id == scope.squad_id))
        case Communities():
            return community_id.in_(sorted(scope.ids)) if scope.ids else sa.false()
    raise AssertionError(scope)


def squad_in(scope: Scope, squad_id: ColumnElement[Any]) -> ColumnElement[bool]:
    """Rows of people (or squads) whose squad ``scope`` covers."""
    match scope:
        case District():
            return sa.true()
        case Squad():
            return squad_id == scope.squad_id
        case Communities():
            return sa.false()
    raise AssertionError(scope)
