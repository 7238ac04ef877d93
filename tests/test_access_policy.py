"""The access policy (sync/domain/access.py), pure: scopes, who may what, and the rules
of references and photos — and the store's WHERE clause saying what ``covers`` says."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from sync.db.engine import read_transaction
from sync.db.tables import communities, users
from sync.domain import access
from sync.domain.access import (
    DISTRICT,
    NOTHING,
    RULES,
    Action,
    Communities,
    Reach,
    Scope,
    Squad,
    Subject,
)
from sync.domain.roles import Actor, Role
from sync.errors import DomainError
from sync.store.scope import community_in, squad_in

SQUADS = ("sq-hy", "sq-js", "sq-xh")
COMMUNITY_IDS = ("c-hy-01", "c-hy-02", "c-js-01", "c-xh-01", "c-gone")
SUBJECTS = list(Subject)
ACTIONS = list(Action)

squads = st.sampled_from(SQUADS)
community_ids = st.sampled_from(COMMUNITY_IDS)
scopes: st.SearchStrategy[Scope] = st.one_of(
    st.just(DISTRICT), st.builds(Squad, squads),
    st.builds(Communities, st.frozensets(community_ids)))
actors = st.builds(
    lambda role, squad, n: Actor(id=f"u{n}", username=f"user{n}", name="某", role=role,
                                 squad_id=squad),
    st.sampled_from(list(Role)), st.none() | squads, st.integers(0, 9))


def _squad_of(community_id: str) -> str | None:
    return {"hy": "sq-hy", "js": "sq-js", "xh": "sq-xh"}.get(community_id.split("-")[1])


# --- scopes ---------------------------------------------------------------------------------

@given(scope=scopes, community=community_ids)
def test_a_scope_covers_a_community_by_its_kind(scope: Scope, community: str) -> None:
    squad = _squad_of(community)
    covered = access.covers(scope, community_id=community, squad_id=squad)
    match scope:
        case access.District():
            assert covered
        case Squad():
            assert covered == (squad == scope.squad_id)
        case Communities():
            assert covered == (community in scope.ids)


@given(scope=scopes, squad=st.none() | squads)
def test_a_scope_of_communities_holds_no_person_and_the_district_holds_everyone(
        scope: Scope, squad: str | None) -> None:
    held = access.covers_squad(scope, squad)
    if isinstance(scope, Communities):
        assert not held
    elif isinstance(scope, access.District):
        assert held
    else:
        assert held == (squad == scope.squad_id)


@given(community=community_ids)
def test_nothing_covers_nothing_and_a_vanished_community_only_the_district(
        community: str) -> None:
    assert not access.covers(NOTHING, community_id=community, squad_id=_squad_of(community))
    assert access.covers(DISTRICT, community_id="c-gone", squad_id=None)
    assert not access.covers(Squad("sq-hy"), community_id="c-gone", squad_id=None)


# --- who may what ---------------------------------------------------------------------------

@given(who=actors, subject=st.sampled_from(SUBJECTS), action=st.sampled_from(ACTIONS),
       assigned=st.frozensets(community_ids), community=community_ids)
def test_a_scope_is_the_role_s_reach_made_concrete(
        who: Actor, subject: Subject, action: Action, assigned: frozenset[str],
        community: str) -> None:
    reach = access.reach(who, subject, action)
    scope = access.scope(who, subject, action, assigned=assigned)
    covered = access.covers(scope, community_id=community, squad_id=_squad_of(community))
    if reach is Reach.NONE:
        assert scope == NOTHING and not access.allows(who, subject, action)
        with pytest.raises(DomainError) as refused:
            access.require(who, subject, action)
        assert refused.value.code == "forbidden"
    elif reach is Reach.ASSIGNED:
        assert covered == (community in assigned)
    elif reach is Reach.SQUAD:
        # A squad leader of no squad sees nothing, rather than every squadless thing.
        assert covered == (who.squad_id is not None and _squad_of(community) == who.squad_id)
    else:
        assert covered
    assert access.may(who, subject, action, community_id=community,
                      squad_id=_squad_of(community), assigned=assigned) == covered


@given(subject=st.sampled_from(SUBJECTS), action=st.sampled_from(ACTIONS))
def test_the_operator_at_the_command_line_may_do_everything(subject: Subject,
                                                              action: Action) -> None:
    assert access.scope(None, subject, action) == DISTRICT


@given(who=actors, subject=st.sampled_from(SUBJECTS), assigned=st.frozensets(community_ids),
       community=community_ids)
def test_who_may_write_or_manage_something_may_read_it(
        who: Actor, subject: Subject, assigned: frozenset[str], community: str) -> None:
    if (subject, Action.READ) not in RULES:
        return  # read through another subject (cases are records; the admin pages)
    read = access.may(who, subject, Action.READ, community_id=community,
                      squad_id=_squad_of(community), assigned=assigned)
    for action in (Action.WRITE, Action.MANAGE):
        if access.may(who, subject, action, community_id=community,
                      squad_id=_squad_of(community), assigned=assigned):
            assert read, (who.role, subject, action)


@given(who=actors, subject=st.sampled_from(SUBJECTS), action=st.sampled_from(ACTIONS))
def test_nobody_reaches_beyond_their_role(who: Actor, subject: Subject,
                                          action: Action) -> None:
    reach = access.reach(who, subject, action)
    if who.role is Role.LIAISON:
        assert reach in (Reach.NONE, Reach.ASSIGNED)
    if who.role is Role.SQUAD_LEADER:
        assert reach in (Reach.NONE, Reach.SQUAD)
    if reach is Reach.ASSIGNED:
        assert who.role is Role.LIAISON


# What the route table (tests/test_authorization_matrix.py) asks of each role, in the
# policy's words: a change here is a change of who may use the product.
EXPECTED: dict[tuple[Subject, Action], set[Role]] = {
    (Subject.RECORDS, Action.READ): {Role.LIAISON, Role.SQUAD_LEADER, Role.BUREAU},
    (Subject.RECORDS, Action.WRITE): {Role.LIAISON, Role.SQUAD_LEADER, Role.BUREAU},
    (Subject.DUTY_LOG_REVIEWS, Action.WRITE): {Role.SQUAD_LEADER, Role.BUREAU},
    (Subject.CASES, Action.MANAGE): {Role.SQUAD_LEADER, Role.BUREAU},
    (Subject.CONSOLE, Action.READ): {Role.SQUAD_LEADER, Role.BUREAU},
    (Subject.CONFLICTS, Action.WRITE): {Role.SQUAD_LEADER, Role.BUREAU},
    (Subject.REJECTED, Action.WRITE): {Role.SQUAD_LEADER, Role.BUREAU},
    (Subject.QR_CODES, Action.READ): {Role.SQUAD_LEADER, Role.BUREAU, Role.ADMIN},
    (Subject.QR_CODES, Action.MANAGE): {Role.SQUAD_LEADER, Role.ADMIN},
    (Subject.ORGANISATION, Action.MANAGE): {Role.ADMIN},
    (Subject.EVALUATION, Action.WRITE): {Role.SQUAD_LEADER, Role.BUREAU},
    (Subject.NOMINATIONS, Action.MANAGE): {Role.BUREAU},
    (Subject.WORK_ORDERS, Action.READ): {Role.SQUAD_LEADER, Role.BUREAU},
    (Subject.WORK_ORDERS, Action.WRITE): {Role.SQUAD_LEADER, Role.BUREAU},
    (Subject.WORK_ORDERS, Action.MANAGE): {Role.BUREAU},
}


@pytest.mark.parametrize(("subject", "action"), EXPECTED)
def test_each_role_may_what_the_route_table_says(subject: Subject, action: Action) -> None:
    allowed = {role for role in Role if access.allows(
        Actor(id="u", username="u", name="u", role=role, squad_id="sq-hy"), subject, action)}
    assert allowed == EXPECTED[(subject, action)]


@given(who=actors)
def test_everyone_but_liaisons_opens_a_console_session(who: Actor) -> None:
    assert access.may_open_console(who) == (who.role is not Role.LIAISON)


@given(who=actors, kind=st.sampled_from(["case", "visit", "duty_log_review"]))
def test_admins_write_no_record_and_only_supervisors_review_a_day(who: Actor,
                                                                  kind: str) -> None:
    writes = access.may_write_kind(who, kind)
    if kind == "duty_log_review":
        assert writes == (who.role in (Role.SQUAD_LEADER, Role.BUREAU))
    else:
        assert writes == (who.role is not Role.ADMIN)
    assert access.may_reopen(who) == (who.role in (Role.SQUAD_LEADER, Role.BUREAU))


# --- references, photos, rejected mutations ------------------------------------------------

@given(child=community_ids, parent=community_ids, parent_kind=st.sampled_from(["case", "visit"]),
       wanted=st.none() | st.sampled_from(["case", "visit"]))
def test_a_child_names_only_a_parent_of_its_own_community_and_kind(
        child: str, parent: str, parent_kind: str, wanted: str | None) -> None:
    allowed = access.may_refer(child_community_id=child, parent_community_id=parent,
                               parent_kind=parent_kind, wanted_kind=wanted)
    assert allowed == (child == parent and wanted in (None, parent_kind))


@given(scope=scopes, holds=st.booleans(), referred=st.lists(community_ids, max_size=4))
def test_a_photo_opens_to_its_holder_or_where_a_holder_s_record_is_in_scope(
        scope: Scope, holds: bool, referred: list[str]) -> None:
    places = [(c, _squad_of(c)) for c in referred]
    readable = access.may_read_photo(scope, holds=holds, referred_from=places)
    assert readable == (holds or any(
        access.covers(scope, community_id=c, squad_id=s) for c, s in places))
    if not holds and not referred:
        assert not readable  # a bare hash is no capability, even to the bureau


@given(scope=scopes, community=community_ids, sender=st.none() | squads)
def test_a_rejected_mutation_is_seen_where_it_was_sent_and_by_its_sender_s_squad(
        scope: Scope, community: str, sender: str | None) -> None:
    seen = access.may_see_rejected(scope, community_id=community,
                                   squad_id=_squad_of(community), sender_squad_id=sender)
    assert seen == (access.covers(scope, community_id=community, squad_id=_squad_of(community))
                    or access.covers_squad(scope, sender))


# --- the store's WHERE clause ----------------------------------------------------------------

SAMPLE_SCOPES: list[Scope] = [
    DISTRICT, NOTHING, Squad("sq-hy"), Squad("sq-js"), Squad("sq-none"),
    Communities(frozenset({"c-hy-01", "c-js-01", "c-unknown"})),
    Communities(frozenset({"c-hy-02"}))]


@pytest.mark.parametrize("scope", SAMPLE_SCOPES, ids=repr)
async def test_the_where_clause_selects_what_covers_says(engine: AsyncEngine,
                                                         scope: Scope) -> None:
    async with read_transaction(engine) as conn:
        rows = (await conn.execute(sa.select(communities.c.id, communities.c.squad_id))).all()
        by_join = {r.id for r in await conn.execute(sa.select(communities.c.id).where(
            community_in(scope, communities.c.id, squad_id=communities.c.squad_id)))}
        by_id = {r.id for r in await conn.execute(sa.select(communities.c.id).where(
            community_in(scope, communities.c.id)))}
        people: list[Any] = (await conn.execute(sa.select(users.c.id, users.c.squad_id))).all()
        by_squad = {r.id for r in await conn.execute(sa.select(users.c.id).where(
            squad_in(scope, users.c.squad_id)))}
    assert rows, "the demo organisation is loaded"
    covered = {r.id for r in rows
               if access.covers(scope, community_id=r.id, squad_id=r.squad_id)}
    assert by_join == by_id == covered
    assert by_squad == {p.id for p in people if access.covers_squad(scope, p.squad_id)}
