"""The console's pure rules: duty-log flags, the weekly rule, SLAs, the session cookie, charts."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st
from litestar.middleware.csrf import generate_csrf_hash

from sync.console import charts, compliance, flags, session
from sync.console.sla import CaseFacts, Step, evaluate
from sync.domain import shanghai, weekly
from sync.domain.merge import FieldWrite
from sync.domain.shanghai import day_bounds, parse_time
from sync.domain.weekly import Assignment, Visit

H = 3_600_000
DAY_START, DAY_END = day_bounds(date(2026, 11, 26))  # a Thursday


def test_a_short_visit_an_overlap_and_a_visit_open_past_midnight_are_flagged() -> None:
    spans = [flags.Span(id="a", start_ms=DAY_START + 9 * H, end_ms=DAY_START + 11 * H),
             flags.Span(id="b", start_ms=DAY_START + 10 * H, end_ms=DAY_START + 10 * H + 1),
             flags.Span(id="c", start_ms=DAY_START + 20 * H, end_ms=None)]
    found = flags.visit_flags(spans, day_end_ms=DAY_END, now_ms=DAY_END + H)
    assert found["a"] == [flags.OVERLAP]
    assert found["b"] == [flags.SHORT_VISIT, flags.OVERLAP]
    assert found["c"] == [flags.PAST_MIDNIGHT]


def test_exactly_two_hours_is_not_short() -> None:
    span = flags.Span(id="a", start_ms=DAY_START, end_ms=DAY_START + 2 * H)
    assert flags.visit_flags([span], day_end_ms=DAY_END, now_ms=DAY_END) == {"a": []}


def test_edits_by_the_liaison_after_the_day_are_flagged_but_a_supervisors_are_not() -> None:
    late = f"{DAY_END + H:013d}:00000:phone"
    meta = {"summary": FieldWrite(late, "phone", "u1", 3, "m"),
            "started_at": FieldWrite(f"{DAY_START + H:013d}:00000:phone", "phone", "u1", 1,
                                     "m0")}
    assert flags.edited_later(meta, user_id="u1", day_end_ms=DAY_END)
    assert not flags.edited_later(meta, user_id="u2", day_end_ms=DAY_END)
    assert flags.created_ms(meta, fallback=0) == DAY_START + H


def test_a_device_clock_off_by_more_than_five_minutes_is_flagged() -> None:
    assert flags.clock_off(clock_suspect=False, offsets=[None, 6 * 60_000])
    assert not flags.clock_off(clock_suspect=False, offsets=[4 * 60_000, None])
    assert flags.clock_off(clock_suspect=True, offsets=[])


def _visit(community: str, start_h: float, hours: float | None, liaison: str = "u") -> Visit:
    start = DAY_START + int(start_h * H)
    return Visit(id=f"{community}{start_h}{liaison}", community_id=community,
                 liaison_id=liaison, start_ms=start,
                 end_ms=None if hours is None else start + int(hours * H))


def _cells(visits: list[Visit], *, communities: list[str], weeks: list[date], today: date,
           liaisons: tuple[str, ...] = ("u",)) -> dict[tuple[str, date], weekly.CommunityWeek]:
    assigned = [Assignment(community_id=c, liaison_id=who, from_ms=0)
                for c in communities for who in liaisons if c != "nobody"]
    return weekly.matrix(weekly.tally(visits), assignments=assigned, community_ids=communities,
                         weeks=weeks, today=today)


def test_the_weekly_rule_colours_green_amber_red_and_pending() -> None:
    monday = date(2026, 11, 23)
    last_monday = date(2026, 11, 16)
    visits = [_visit("met", 9, 2.5), _visit("short", 9, 1), _visit("open", 9, None)]
    weeks = [last_monday, monday]
    tuesday = date(2026, 11, 24)
    cells = _cells(visits, communities=["met", "short", "open", "none", "nobody"],
                   weeks=weeks, today=tuesday)
    # The visits are on Thursday 26th, after "today": they still count for the week.
    assert cells[("met", monday)].colour == weekly.GREEN
    assert cells[("short", monday)].colour == weekly.AMBER
    assert cells[("none", monday)].colour == weekly.PENDING
    assert cells[("none", last_monday)].colour == weekly.RED
    assert cells[("nobody", last_monday)].colour == weekly.UNASSIGNED
    thursday = date(2026, 11, 26)
    cells = _cells(visits, communities=["met", "none", "nobody"], weeks=weeks, today=thursday)
    assert cells[("none", monday)].colour == weekly.RED
    assert compliance.gaps(cells, today=thursday) == ["none"]
    totals = compliance.rollup(cells, groups={"sq": ["met", "none", "nobody"]}, weeks=weeks)
    # A community nobody was assigned to is not a community that missed the rule.
    assert (totals[("sq", monday)].met, totals[("sq", monday)].communities,
            totals[("sq", monday)].percent) == (1, 2, 50)


def test_a_community_with_two_liaisons_is_met_only_when_both_met() -> None:
    monday, thursday = date(2026, 11, 23), date(2026, 11, 26)
    visits = [_visit("c", 9, 2.5, "a"), _visit("c", 9, 1, "b")]
    cell = _cells(visits, communities=["c"], weeks=[monday], today=thursday,
                  liaisons=("a", "b"))[("c", monday)]
    assert cell.colour == weekly.AMBER and not cell.met
    assert [(w.liaison_id, w.colour) for w in cell.liaisons] == [
        ("a", weekly.GREEN), ("b", weekly.AMBER)]


def test_the_database_week_number_agrees_with_the_shanghai_iso_week() -> None:
    b = weekly.bucketing()
    for text in ("2026-11-29T15:59:59Z", "2026-11-29T16:00:00Z", "2026-01-01T00:00:00+08:00",
                 "2027-01-03T23:59:00+08:00"):
        ms = parse_time(text)
        assert ms is not None
        visit = Visit(id="v", community_id="c", liaison_id="u", start_ms=ms)
        assert weekly.monday_of_bucket((ms + b.offset_ms) // b.week_ms) == visit.monday, text


def test_an_iso_week_is_counted_in_shanghai_time() -> None:
    # Sunday 2026-11-29 23:30 in Shanghai is 15:30 UTC: still ISO week 48.
    start = parse_time("2026-11-29T15:30:00Z")
    assert start is not None
    visit = Visit(id="v", community_id="c", liaison_id="u", start_ms=start,
                  end_ms=start + 3 * H)
    assert visit.monday == date(2026, 11, 23)


def test_the_weeks_read_in_chinese() -> None:
    assert shanghai.week_title(date(2026, 11, 30)) == "第49周 11月30日–12月6日"
    assert shanghai.week_short(date(2026, 11, 30)) == "第49周"
    assert shanghai.week_name_of_code("2026-W49") == "2026年第49周"
    assert shanghai.week_title(date(2026, 12, 28)) == "第53周 12月28日–1月3日"


def test_a_hotline_case_must_be_answered_within_two_hours() -> None:
    case = CaseFacts(received_ms=0, category="乱堆物", source="hotline_12345", stage="accepted",
                     steps=[Step(action="accept", at_ms=3 * H)])
    found = evaluate(case, now_ms=4 * H)
    assert found.response_late and found.response_hours == 3.0 and not found.overdue


def test_an_unresolved_case_past_its_days_is_overdue_and_a_closed_one_without_feedback_shows(
        ) -> None:
    open_case = CaseFacts(received_ms=0, category="占道经营", source="patrol",
                          stage="in_progress", steps=[Step(action="accept", at_ms=H)])
    assert not evaluate(open_case, now_ms=2 * 24 * H).overdue
    assert evaluate(open_case, now_ms=4 * 24 * H).overdue
    closed = CaseFacts(received_ms=0, category="乱堆物", source="qr", stage="closed",
                       steps=[Step(action="accept", at_ms=H), Step(action="resolve", at_ms=2 * H),
                              Step(action="close", at_ms=3 * H)])
    found = evaluate(closed, now_ms=30 * 24 * H)
    assert found.closed_without_feedback and not found.overdue and found.resolve_days == 0.1


def test_a_reopened_case_needs_a_new_resolution() -> None:
    case = CaseFacts(received_ms=0, category="乱堆物", source="qr", stage="in_progress",
                     steps=[Step(action="resolve", at_ms=H), Step(action="reopen", at_ms=2 * H)])
    assert evaluate(case, now_ms=3 * H).resolved_ms is None


@given(session_id=st.text(min_size=1, max_size=60), other=st.text(min_size=1, max_size=60))
def test_each_session_has_its_own_csrf_token_in_litestars_form(session_id: str,
                                                               other: str) -> None:
    token = session.csrf_token(session_id, key="k")
    assert token == session.csrf_token(session_id, key="k")
    assert (token == session.csrf_token(other, key="k")) == (session_id == other)
    assert token != session.csrf_token(session_id, key="other key")
    secret, signature = token[:64], token[64:]
    assert signature == generate_csrf_hash(token=secret, secret="k")


def test_a_chart_shows_its_numbers_and_escapes_its_labels() -> None:
    chart = charts.Chart(id="c", title="<t>", labels=["W1", "W2"],
                         series=[charts.Series(name="华阳路", values=[1.5, 3])])
    svg = charts.render(chart)
    assert svg.startswith("<svg") and "&lt;t&gt;" in svg and "<t>" not in svg
    assert svg.count("<rect") == 3  # two bars and a legend key
    assert chart.table == [["W1", "1.5"], ["W2", "3"]]
    line = charts.render(charts.Chart(id="l", title="x", labels=["a"], line=True,
                                      series=[charts.Series(name="s", values=[0])]))
    assert "<polyline" in line
