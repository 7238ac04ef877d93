"""The weekly rule (sync/domain/weekly.py), pure: examples from the notice, then properties."""

from __future__ import annotations

from datetime import date, timedelta

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.domain import shanghai, weekly
from sync.domain.weekly import (
    AMBER,
    FUTURE,
    GREEN,
    PENDING,
    RED,
    RULE,
    UNASSIGNED,
    Assignment,
    Bucket,
    Visit,
)

H = shanghai.HOUR_MS
MONDAY = date(2026, 11, 30)  # ISO week 2026-W49
MON_MS = shanghai.day_start_ms(MONDAY)
NEXT_WEEK = MONDAY + timedelta(days=7)


def visit(liaison: str, start_ms: int, hours: float | None, *, community: str = "c",
          voided: bool = False, id: str | None = None) -> Visit:
    return Visit(id=id or f"{liaison}-{start_ms}", community_id=community, liaison_id=liaison,
                 start_ms=start_ms, end_ms=None if hours is None else start_ms + int(hours * H),
                 voided=voided)


def cell(visits: list[Visit], *, liaisons: list[str], today: date,
         monday: date = MONDAY) -> weekly.CommunityWeek:
    return weekly.community_week(weekly.tally(visits), community_id="c", liaison_ids=liaisons,
                                 monday=monday, today=today)


# --- examples -----------------------------------------------------------------------------

def test_each_visit_must_last_two_hours_two_short_ones_do_not_add_up() -> None:
    found = cell([visit("a", MON_MS + 9 * H, 1), visit("a", MON_MS + 14 * H, 1.5)],
                 liaisons=["a"], today=NEXT_WEEK)
    assert found.colour == AMBER and found.visits == 2 and found.qualifying == 0
    assert cell([visit("a", MON_MS + 9 * H, 2)], liaisons=["a"], today=NEXT_WEEK).met


def test_a_visit_belongs_to_the_week_it_started_in_even_across_sunday_midnight() -> None:
    sunday_night = shanghai.day_start_ms(MONDAY + timedelta(days=6)) + 23 * H
    late = visit("a", sunday_night, 2.5)
    assert late.monday == MONDAY
    assert cell([late], liaisons=["a"], today=NEXT_WEEK).met
    assert not cell([late], liaisons=["a"], today=NEXT_WEEK, monday=NEXT_WEEK).liaisons[0].visits


def test_a_voided_visit_does_not_exist_for_the_rule() -> None:
    found = cell([visit("a", MON_MS + 9 * H, 3, voided=True)], liaisons=["a"], today=NEXT_WEEK)
    assert found.colour == RED and found.visits == 0


def test_a_community_is_met_only_when_every_liaison_owing_it_met_it() -> None:
    visits = [visit("a", MON_MS + 9 * H, 2.5)]
    assert cell(visits, liaisons=["a", "b"], today=NEXT_WEEK).colour == RED
    assert cell(visits, liaisons=["a"], today=NEXT_WEEK).colour == GREEN
    # A visit by someone who does not owe the week counts for nobody.
    assert cell([visit("x", MON_MS + 9 * H, 3)], liaisons=["b"], today=NEXT_WEEK).colour == RED
    assert cell(visits, liaisons=[], today=NEXT_WEEK).colour == UNASSIGNED


def test_the_week_in_progress_is_pending_until_thursday_then_chased() -> None:
    tuesday, thursday = MONDAY + timedelta(days=1), MONDAY + timedelta(days=3)
    assert cell([], liaisons=["a"], today=tuesday).colour == PENDING
    assert cell([visit("a", MON_MS + 9 * H, 1)], liaisons=["a"], today=tuesday).colour == AMBER
    assert cell([], liaisons=["a"], today=thursday).colour == RED
    assert cell([], liaisons=["a"], today=MONDAY - timedelta(days=1)).colour == FUTURE
    assert weekly.chasing(thursday) and not weekly.chasing(tuesday)


def test_an_open_visit_is_a_visit_but_does_not_count_yet() -> None:
    found = cell([visit("a", MON_MS + 9 * H, None)], liaisons=["a"], today=NEXT_WEEK)
    assert found.colour == AMBER
    assert weekly.verdict(visit("a", MON_MS, None), owed_by=["a"]) == weekly.OPEN


def test_the_week_is_owed_by_whoever_is_assigned_on_thursday_noon() -> None:
    noon = RULE.assignment_ms(MONDAY)
    assert noon == MON_MS + 3 * shanghai.DAY_MS + 12 * H
    handover = [Assignment(community_id="c", liaison_id="old", from_ms=0, to_ms=noon),
                Assignment(community_id="c", liaison_id="new", from_ms=noon)]
    assert weekly.owing(handover, monday=MONDAY) == {"c": ["new"]}
    assert weekly.owing(handover, monday=MONDAY - timedelta(days=7)) == {"c": ["old"]}


def test_the_published_parameters_are_the_notices() -> None:
    assert msgspec.to_builtins(RULE) == {
        "min_visit_minutes": 120, "visits_per_week": 1, "time_zone": "Asia/Shanghai",
        "utc_offset_minutes": 480, "week_starts_on": 1, "chase_weekday": 4,
        "assigned_weekday": 4, "assigned_hour": 12}


@pytest.mark.parametrize("bad", [{"min_visit_minutes": 0}, {"visits_per_week": 0},
                                 {"chase_weekday": 8}, {"assigned_hour": 24},
                                 {"week_starts_on": 7}])
def test_a_rule_that_cannot_hold_is_refused_when_made(bad: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        weekly.WeeklyRule(**bad)


# --- properties ---------------------------------------------------------------------------

# Times from 2025 to 2028, in minutes so durations land exactly on the minimum too.
START = shanghai.day_start_ms(date(2025, 1, 1))
times = st.integers(0, 4 * 365 * 24 * 60).map(lambda m: START + m * 60_000)
durations = st.one_of(st.none(), st.integers(-30, 6 * 60).map(lambda m: m * 60_000))
visits_st = st.lists(st.builds(
    lambda i, who, where, start, length, voided: Visit(
        id=f"v{i}", community_id=where, liaison_id=who, start_ms=start,
        end_ms=None if length is None else start + length, voided=voided),
    st.integers(0, 10**6), st.sampled_from(["a", "b", "c"]), st.sampled_from(["x", "y"]),
    times, durations, st.booleans()), max_size=30, unique_by=lambda v: v.id)


def _buckets(visits: list[Visit]) -> list[Bucket]:
    """What the database computes (sync/store/visits.py), done by hand with the
    parameters the rule hands it."""
    b = weekly.bucketing()
    groups: dict[tuple[str, str, int, bool], list[Visit]] = {}
    for v in visits:
        week = (v.start_ms + b.offset_ms) // b.week_ms
        groups.setdefault((v.community_id, v.liaison_id, week, v.voided), []).append(v)
    out = []
    for (community, liaison, week, voided), found in groups.items():
        lengths = [max(0, v.end_ms - v.start_ms) if v.end_ms is not None else 0 for v in found]
        out.append(Bucket(community_id=community, liaison_id=liaison, week=week, voided=voided,
                          visits=len(found), visit_ms=sum(lengths), longest_ms=max(lengths),
                          qualifying=sum(v.end_ms is not None and n >= b.min_visit_ms
                                         for v, n in zip(found, lengths, strict=True))))
    return out


def _without_ids(tallies: dict[weekly.Key, weekly.Tally]) -> dict[weekly.Key, weekly.Tally]:
    return {k: msgspec.structs.replace(t, longest_id=None) for k, t in tallies.items()}


@given(ms=times)
def test_the_databases_week_numbers_are_the_shanghai_iso_weeks(ms: int) -> None:
    b = weekly.bucketing()
    assert weekly.monday_of_bucket((ms + b.offset_ms) // b.week_ms) == weekly.week_of(ms)
    assert weekly.week_of(ms).isocalendar()[:2] == shanghai.iso_week(ms)
    assert shanghai.day_start_ms(weekly.week_of(ms)) <= ms < shanghai.day_start_ms(
        weekly.week_of(ms) + timedelta(days=7))


@given(visits=visits_st)
def test_the_databases_pre_aggregate_decides_as_the_visits_themselves(
        visits: list[Visit]) -> None:
    assert weekly.tallies_from(_buckets(visits)) == _without_ids(weekly.tally(visits))


@given(visits=visits_st, data=st.data())
def test_the_order_visits_arrive_in_changes_nothing(visits: list[Visit],
                                                     data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(visits))
    assert _without_ids(weekly.tally(shuffled)) == _without_ids(weekly.tally(visits))


@given(visits=visits_st, extra=visits_st)
def test_voided_visits_never_change_a_tally(visits: list[Visit], extra: list[Visit]) -> None:
    voided = [msgspec.structs.replace(v, id=f"void-{v.id}", voided=True) for v in extra]
    assert weekly.tally([*visits, *voided]) == weekly.tally(visits)


@given(v=visits_st.filter(bool).map(lambda vs: vs[0]))
def test_a_visit_counts_exactly_when_ended_not_voided_and_long_enough(v: Visit) -> None:
    expected = (not v.voided and v.end_ms is not None
                and v.end_ms - v.start_ms >= RULE.min_visit_ms)
    assert weekly.counts(v) == expected
    assert (weekly.verdict(v, owed_by=[v.liaison_id]) == weekly.COUNTS) == expected


@given(visits=visits_st, days_after=st.integers(0, 30), owing=st.lists(
    st.sampled_from(["a", "b", "c"]), unique=True))
def test_a_past_community_week_is_green_exactly_when_each_owing_liaison_has_a_counting_visit(
        visits: list[Visit], days_after: int, owing: list[str]) -> None:
    for monday in {v.monday for v in visits}:
        today = monday + timedelta(days=7 + days_after)
        for community in ("x", "y"):
            found = weekly.community_week(weekly.tally(visits), community_id=community,
                                          liaison_ids=owing, monday=monday, today=today)
            each = [any(weekly.counts(v) and v.monday == monday and v.liaison_id == who
                        and v.community_id == community for v in visits) for who in owing]
            assert found.met == (bool(owing) and all(each))
            assert (found.colour == UNASSIGNED) == (not owing)
            assert found.colour != PENDING  # only a week in progress waits


@given(visits=visits_st, more=visits_st, today=times)
def test_more_visits_never_make_a_cell_worse(visits: list[Visit], more: list[Visit],
                                             today: int) -> None:
    rank = {GREEN: 0, PENDING: 1, AMBER: 2, RED: 3, UNASSIGNED: 0, FUTURE: 0}
    more = [msgspec.structs.replace(v, id=f"more-{v.id}") for v in more]
    day = shanghai.today(today)
    for monday in {v.monday for v in visits}:
        before = cell([msgspec.structs.replace(v, community_id="c") for v in visits],
                      liaisons=["a", "b"], today=day, monday=monday)
        after = cell([msgspec.structs.replace(v, community_id="c") for v in [*visits, *more]],
                     liaisons=["a", "b"], today=day, monday=monday)
        if before.colour != PENDING:
            assert rank[after.colour] <= rank[before.colour]


@given(cut=times, week=st.integers(0, 200))
def test_a_handover_puts_each_week_on_exactly_one_of_the_two_liaisons(cut: int,
                                                                      week: int) -> None:
    monday = shanghai.week_monday(date(2025, 1, 6)) + timedelta(weeks=week)
    spans = [Assignment(community_id="c", liaison_id="old", from_ms=START - 1, to_ms=cut),
             Assignment(community_id="c", liaison_id="new", from_ms=cut)]
    owed = weekly.owing(spans, monday=monday).get("c", [])
    if RULE.assignment_ms(monday) >= START - 1:
        assert len(owed) == 1
        assert owed == (["new"] if RULE.assignment_ms(monday) >= cut else ["old"])
