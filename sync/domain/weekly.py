"""The weekly rule (R2, 线下服务): "原则上每周不少于1次，每次不少于2小时". Pure.

One definition for every view of it: the phone's Today (the PWA gets ``RULE`` in
``GET /api/v1/schema`` and runs the same steps in client-pwa/src/weekly.ts), the
console's compliance matrix, its drill-down and its workbook, the duty log's
short-visit flag and the evaluation's ``weekly_visits``.

Per liaison × community × ISO week of Asia/Shanghai:

- A liaison owes a community a week when assigned to it at the week's assignment instant
  (Thursday 12:00, the day that also places an ISO week in a period): a handover
  mid-week puts the week on whoever holds the community then. A week nobody was
  assigned on is nobody's.
- A visit belongs to its author and to the week it started in (a visit from Sunday
  evening into Monday is Sunday's week); a voided visit does not exist for the rule.
- A visit counts once it has ended and lasted ``min_visit_minutes``, each visit on its
  own (每次不少于2小时): two one-hour visits are not a two-hour one.
- The liaison met the week with ``visits_per_week`` visits that count: green. Otherwise
  amber when they visited at all, red when not; in the week in progress, before the
  chase day (Thursday) a week without any visit is still pending. Weeks to come: future.
- A community-week is met when every liaison who owes it met it; its colour is the
  worst of theirs (red, amber, pending, green), or "unassigned" when nobody owes it.

The database may pre-aggregate visits (``Bucketing`` gives it this rule's week numbering
and minimum as parameters); what counts, and whether a week is met, is decided here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date, timedelta
from typing import Annotated

import msgspec

from sync.domain import shanghai

GREEN, AMBER, RED, PENDING, FUTURE, UNASSIGNED = (
    "green", "amber", "red", "pending", "future", "unassigned")
COLOURS = (GREEN, AMBER, RED, PENDING, FUTURE, UNASSIGNED)
# How bad a liaison's week is, for the community's colour: the worst of its liaisons'.
_SEVERITY = {GREEN: 0, PENDING: 1, AMBER: 2, RED: 3}

# What the drill-down says of each visit of a community-week.
COUNTS, SHORT, OPEN, VOIDED, NOT_OWED = "counts", "short", "open", "voided", "not_owed"
VERDICTS = (COUNTS, SHORT, OPEN, VOIDED, NOT_OWED)


def _doc(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


class WeeklyRule(msgspec.Struct, frozen=True, kw_only=True):
    """The weekly rule's parameters (R2): the one definition, in GET /api/v1/schema as they
    are, so the PWA counts visits and weeks the way the console and the evaluation do."""

    min_visit_minutes: Annotated[int, _doc(
        "A visit counts when it has ended and lasted at least this long.")] = 120
    visits_per_week: Annotated[int, _doc(
        "Counting visits a liaison owes each of their communities each week.")] = 1
    time_zone: Annotated[str, _doc("Days and weeks are this zone's.")] = shanghai.TZ_NAME
    utc_offset_minutes: Annotated[int, _doc(
        "The zone's offset from UTC (no daylight saving).")] = shanghai.UTC_OFFSET_MS // 60_000
    week_starts_on: Annotated[int, _doc(
        "ISO weekday (1 = Monday) a week starts on: ISO weeks.")] = shanghai.WEEK_STARTS_ON
    chase_weekday: Annotated[int, _doc(
        "ISO weekday from which a week in progress not yet met is chased (red).")] = 4
    assigned_weekday: Annotated[int, _doc(
        "The week is owed by the liaisons assigned on this ISO weekday...")] = 4
    assigned_hour: Annotated[int, _doc("...at this hour, local time.")] = 12

    def __post_init__(self) -> None:
        if self.min_visit_minutes < 1 or self.visits_per_week < 1:
            raise ValueError("the weekly rule needs a positive minimum and count")
        if self.week_starts_on != shanghai.WEEK_STARTS_ON:
            # Every week here is an ISO week (shanghai.week_monday, the periods' weeks):
            # published so the phone need not assume it, not a setting.
            raise ValueError("weeks are ISO weeks: they start on Monday")
        if not all(1 <= d <= 7 for d in (self.chase_weekday, self.assigned_weekday)):
            raise ValueError("weekdays are ISO weekdays, 1 (Monday) to 7")
        if not 0 <= self.assigned_hour <= 23:
            raise ValueError("the assignment hour is 0 to 23")

    @property
    def min_visit_ms(self) -> int:
        return self.min_visit_minutes * 60_000

    def assignment_ms(self, monday: date) -> int:
        """The instant whose assignments owe the week starting on ``monday``."""
        return (shanghai.day_start_ms(monday) + (self.assigned_weekday - 1) * shanghai.DAY_MS
                + self.assigned_hour * shanghai.HOUR_MS)


RULE = WeeklyRule()


class Visit(msgspec.Struct, frozen=True):
    id: str
    community_id: str
    liaison_id: str
    start_ms: int
    end_ms: int | None = None
    voided: bool = False

    @property
    def duration_ms(self) -> int:
        return 0 if self.end_ms is None else max(0, self.end_ms - self.start_ms)

    @property
    def monday(self) -> date:
        return week_of(self.start_ms)


def week_of(ms: int) -> date:
    """The Monday of the Shanghai ISO week holding ``ms``."""
    return shanghai.week_monday(shanghai.today(ms))


def long_enough(duration_ms: int, *, rule: WeeklyRule = RULE) -> bool:
    return duration_ms >= rule.min_visit_ms


def counts(visit: Visit, *, rule: WeeklyRule = RULE) -> bool:
    """Whether this visit fulfils the rule for its author's week."""
    return (not visit.voided and visit.end_ms is not None
            and long_enough(visit.duration_ms, rule=rule))


def owes(spans: Iterable[tuple[int, int | None]], *, monday: date,
         rule: WeeklyRule = RULE) -> bool:
    """Whether a liaison assigned over these (from ms, to ms or None) spans owes the week."""
    instant = rule.assignment_ms(monday)
    return any(start <= instant and (end is None or instant < end) for start, end in spans)


class Assignment(msgspec.Struct, frozen=True):
    community_id: str
    liaison_id: str
    from_ms: int
    to_ms: int | None = None


def owing(assignments: Iterable[Assignment], *, monday: date,
          rule: WeeklyRule = RULE) -> dict[str, list[str]]:
    """Community id -> the liaisons who owe it the week, in the assignments' order."""
    found: dict[str, list[str]] = {}
    for a in assignments:
        if owes([(a.from_ms, a.to_ms)], monday=monday, rule=rule):
            liaisons = found.setdefault(a.community_id, [])
            if a.liaison_id not in liaisons:
                liaisons.append(a.liaison_id)
    return found


# --- tallies: one liaison's visits to one community in one week -----------------------------

Key = tuple[str, str, date]  # (community id, liaison id, Monday)


class Tally(msgspec.Struct, frozen=True):
    community_id: str
    liaison_id: str
    monday: date
    visits: int
    qualifying: int
    visit_ms: int
    longest_ms: int = 0
    # Only when counted from the visits themselves (the evaluation's evidence).
    longest_id: str | None = None


def tally(visits: Iterable[Visit], *, rule: WeeklyRule = RULE) -> dict[Key, Tally]:
    found: dict[Key, Tally] = {}
    for visit in visits:
        if visit.voided:
            continue
        key = (visit.community_id, visit.liaison_id, visit.monday)
        length = visit.duration_ms
        before = found.get(key) or Tally(community_id=key[0], liaison_id=key[1],
                                          monday=key[2], visits=0, qualifying=0, visit_ms=0)
        longer = before.longest_id is None or length > before.longest_ms
        found[key] = msgspec.structs.replace(
            before, visits=before.visits + 1,
            qualifying=before.qualifying + counts(visit, rule=rule),
            visit_ms=before.visit_ms + length,
            longest_ms=length if longer else before.longest_ms,
            longest_id=visit.id if longer else before.longest_id)
    return found


class Bucketing(msgspec.Struct, frozen=True):
    """How a database groups visits this rule's way: week number
    ``(start_ms + offset_ms) // week_ms``, qualifying when ``end - start >= min_visit_ms``
    (and ended)."""

    offset_ms: int
    week_ms: int
    min_visit_ms: int


# Unix time 0 was a Thursday: counting from the Monday before it numbers whole weeks.
_EPOCH = date(1970, 1, 1)


def bucketing(rule: WeeklyRule = RULE) -> Bucketing:
    return Bucketing(offset_ms=rule.utc_offset_minutes * 60_000
                     + _EPOCH.weekday() * shanghai.DAY_MS,
                     week_ms=shanghai.WEEK_MS, min_visit_ms=rule.min_visit_ms)


def monday_of_bucket(number: int) -> date:
    return _EPOCH + timedelta(days=7 * number - _EPOCH.weekday())


class Bucket(msgspec.Struct, frozen=True):
    """A database's pre-aggregate of one author's visits to one community in one week."""

    community_id: str
    liaison_id: str
    week: int
    voided: bool
    visits: int
    qualifying: int
    visit_ms: int
    longest_ms: int


def tallies_from(buckets: Iterable[Bucket]) -> dict[Key, Tally]:
    """The tallies of ``tally``, from buckets counted with ``bucketing()``'s parameters."""
    found: dict[Key, Tally] = {}
    for b in buckets:
        if b.voided:
            continue
        key = (b.community_id, b.liaison_id, monday_of_bucket(b.week))
        found[key] = Tally(community_id=b.community_id, liaison_id=b.liaison_id,
                           monday=key[2], visits=b.visits, qualifying=b.qualifying,
                           visit_ms=b.visit_ms, longest_ms=b.longest_ms)
    return found


# --- verdicts --------------------------------------------------------------------------------

def judge(found: Tally | None, *, monday: date, today: date,
          rule: WeeklyRule = RULE) -> str:
    """One liaison's colour for one community-week, as seen on ``today``."""
    if monday > today:
        return FUTURE
    if found is not None and found.qualifying >= rule.visits_per_week:
        return GREEN
    visited = found is not None and found.visits > 0
    if monday == shanghai.week_monday(today) and not chasing(today, rule=rule):
        return AMBER if visited else PENDING
    return AMBER if visited else RED


def chasing(today: date, *, rule: WeeklyRule = RULE) -> bool:
    """Whether a week in progress still not met is to be chased on ``today``."""
    return today.isoweekday() >= rule.chase_weekday


class LiaisonWeek(msgspec.Struct, frozen=True):
    liaison_id: str
    colour: str
    visits: int = 0
    qualifying: int = 0
    visit_ms: int = 0
    longest_ms: int = 0
    longest_id: str | None = None

    @property
    def met(self) -> bool:
        return self.colour == GREEN


def liaison_week(found: Tally | None, *, liaison_id: str, monday: date, today: date,
                 rule: WeeklyRule = RULE) -> LiaisonWeek:
    colour = judge(found, monday=monday, today=today, rule=rule)
    if found is None:
        return LiaisonWeek(liaison_id=liaison_id, colour=colour)
    return LiaisonWeek(liaison_id=liaison_id, colour=colour, visits=found.visits,
                       qualifying=found.qualifying, visit_ms=found.visit_ms,
                       longest_ms=found.longest_ms, longest_id=found.longest_id)


def community_colour(colours: Collection[str], *, monday: date, today: date) -> str:
    if monday > today:
        return FUTURE
    if not colours:
        return UNASSIGNED
    return max(colours, key=lambda c: _SEVERITY[c])


class CommunityWeek(msgspec.Struct, frozen=True):
    """A community-week: the liaisons who owe it, each with their week, and its colour.
    Its numbers are those of the visits that count for the rule (the owing liaisons')."""

    community_id: str
    monday: date
    colour: str
    liaisons: tuple[LiaisonWeek, ...] = ()

    @property
    def met(self) -> bool:
        return self.colour == GREEN

    @property
    def visits(self) -> int:
        return sum(w.visits for w in self.liaisons)

    @property
    def qualifying(self) -> int:
        return sum(w.qualifying for w in self.liaisons)

    @property
    def visit_ms(self) -> int:
        return sum(w.visit_ms for w in self.liaisons)


def community_week(tallies: Mapping[Key, Tally], *, community_id: str,
                   liaison_ids: Iterable[str], monday: date, today: date,
                   rule: WeeklyRule = RULE) -> CommunityWeek:
    weeks = tuple(liaison_week(tallies.get((community_id, liaison_id, monday)),
                               liaison_id=liaison_id, monday=monday, today=today, rule=rule)
                  for liaison_id in liaison_ids)
    return CommunityWeek(community_id=community_id, monday=monday, liaisons=weeks,
                         colour=community_colour([w.colour for w in weeks], monday=monday,
                                                 today=today))


def matrix(tallies: Mapping[Key, Tally], *, assignments: Iterable[Assignment],
           community_ids: Iterable[str], weeks: Iterable[date], today: date,
           rule: WeeklyRule = RULE) -> dict[tuple[str, date], CommunityWeek]:
    """Every community-week of ``community_ids`` × ``weeks``."""
    spans = tuple(assignments)
    cells = {}
    for monday in weeks:
        owed = owing(spans, monday=monday, rule=rule)
        for community_id in community_ids:
            cells[(community_id, monday)] = community_week(
                tallies, community_id=community_id, liaison_ids=owed.get(community_id, ()),
                monday=monday, today=today, rule=rule)
    return cells


def verdict(visit: Visit, *, owed_by: Collection[str], rule: WeeklyRule = RULE) -> str:
    """What one visit of a community-week does for the rule."""
    if visit.voided:
        return VOIDED
    if visit.liaison_id not in owed_by:
        return NOT_OWED
    if visit.end_ms is None:
        return OPEN
    return COUNTS if counts(visit, rule=rule) else SHORT
