"""Days and ISO weeks as the users live them: Asia/Shanghai (UTC+8, no daylight saving)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
DAY_MS = 24 * 3600 * 1000


def to_local(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=TZ)


def today(now_ms: int) -> date:
    return to_local(now_ms).date()


def day_start_ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=TZ).timestamp() * 1000)


def day_bounds(day: date) -> tuple[int, int]:
    start = day_start_ms(day)
    return start, start + DAY_MS


def parse_time(text: object) -> int | None:
    """Unix ms of an ISO 8601 time from a record, or None when absent or unreadable."""
    if not isinstance(text, str):
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=TZ)
    return int(parsed.timestamp() * 1000)


def parse_day(text: str | None, *, default: date) -> date:
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        return default


def week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def weeks_between(first: date, last: date) -> list[date]:
    """The Mondays of every ISO week touching [first, last]."""
    monday = week_monday(first)
    weeks = []
    while monday <= last:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def fmt_time(ms: int | None) -> str:
    return "" if ms is None else to_local(ms).strftime("%H:%M")


def fmt_datetime(ms: int | None) -> str:
    return "" if ms is None else to_local(ms).strftime("%Y-%m-%d %H:%M")


def utc_iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat(timespec="seconds")

