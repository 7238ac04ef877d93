"""The one time module (sync/domain/shanghai.py): days and ISO weeks of Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from sync.domain import shanghai


def test_a_sunday_night_in_shanghai_is_still_the_week_before_in_utc_terms() -> None:
    # 2026-11-29 23:30 in Shanghai is 15:30 UTC, a Sunday: ISO week 48, 30 minutes later 49.
    sunday_late = shanghai.parse_time("2026-11-29T15:30:00Z")
    assert sunday_late is not None
    assert shanghai.week_code_of(sunday_late) == "2026-W48"
    assert shanghai.week_code_of(sunday_late + 30 * 60_000) == "2026-W49"
    assert shanghai.fmt_datetime(sunday_late) == "2026-11-29 23:30"


def test_stored_times_keep_their_offset_and_a_bare_one_is_shanghai_time() -> None:
    assert shanghai.parse_time("2026-11-28T09:00:00+08:00") == shanghai.parse_time(
        "2026-11-28T01:00:00Z") == shanghai.parse_time("2026-11-28T09:00:00")
    assert shanghai.parse_time("not a time") is None and shanghai.parse_time(None) is None


def test_the_year_has_53_iso_weeks_and_the_first_belongs_to_the_thursday() -> None:
    assert shanghai.week_code(date(2026, 12, 28)) == "2026-W53"
    assert shanghai.week_code(date(2027, 1, 4)) == "2027-W01"
    assert shanghai.weeks_between(date(2026, 12, 31), date(2027, 1, 4)) == [
        date(2026, 12, 28), date(2027, 1, 4)]


def test_wire_and_record_times_are_utc() -> None:
    assert shanghai.wire_iso(1_795_827_600_123) == "2026-11-28T01:00:00.123Z"
    assert shanghai.utc_iso(1_795_827_600_123) == "2026-11-28T01:00:00+00:00"
    assert shanghai.UTC_OFFSET_MS == 8 * shanghai.HOUR_MS


# From 1992: China kept summer time from 1986 to 1991.
@given(ms=st.integers(694_224_000_000, 4_102_444_800_000))
def test_every_instant_lies_in_its_day_and_its_week(ms: int) -> None:
    start, end = shanghai.day_bounds(shanghai.today(ms))
    assert start <= ms < end
    assert shanghai.week_start_ms(ms) <= ms < shanghai.week_start_ms(ms) + shanghai.WEEK_MS
    assert shanghai.to_local(shanghai.week_start_ms(ms)).isoweekday() == shanghai.WEEK_STARTS_ON
    # No daylight saving: local time is UTC plus one fixed offset.
    utc = datetime.fromtimestamp(ms / 1000, tz=UTC)
    assert shanghai.to_local(ms).replace(tzinfo=None) == (
        utc + timedelta(milliseconds=shanghai.UTC_OFFSET_MS)).replace(tzinfo=None)
    assert shanghai.parse_time(shanghai.wire_iso(ms)) == ms
