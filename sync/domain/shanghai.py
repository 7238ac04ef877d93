"""Time as the users live it: Asia/Shanghai days and ISO weeks, and times on the wire.

The one time module: the console, the evaluation, the QR pages and the weekly rule read
days, weeks and local times here. Shanghai has kept UTC+8 without daylight saving since
1991, so one fixed offset (``UTC_OFFSET_MS``) is exact for every time this software
records: the database's week numbers rely on it, and the PWA gets it with the weekly
rule instead of a time-zone database.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sync.i18n import t

TZ_NAME = "Asia/Shanghai"
TZ = ZoneInfo(TZ_NAME)
HOUR_MS = 3600 * 1000
DAY_MS = 24 * HOUR_MS
WEEK_MS = 7 * DAY_MS
# ISO weeks run Monday (ISO weekday 1) to Sunday; published with the weekly rule so the
# PWA counts the same weeks, not a setting.
WEEK_STARTS_ON = 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


# Integer arithmetic throughout: a float of seconds loses the last millisecond.
def to_local(ms: int) -> datetime:
    return (_EPOCH + ms * _MS).astimezone(TZ)


def to_ms(moment: datetime) -> int:
    """Unix ms of ``moment``; a naive time is read as Shanghai time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TZ)
    return (moment - _EPOCH) // _MS


def today(now_ms: int) -> date:
    return to_local(now_ms).date()


def day_start_ms(day: date) -> int:
    return to_ms(datetime(day.year, day.month, day.day))


def day_bounds(day: date) -> tuple[int, int]:
    start = day_start_ms(day)
    return start, start + DAY_MS


# Unix time 0 was 08:00 in Shanghai.
UTC_OFFSET_MS = -day_start_ms(date(1970, 1, 1))


def parse_time(text: object) -> int | None:
    """Unix ms of an ISO 8601 time from a record, or None when absent or unreadable.

    Stored times keep the offset the device wrote (``+08:00``, ``Z``); one without an
    offset is Shanghai time, the only time the users know.
    """
    if not isinstance(text, str):
        return None
    try:
        return to_ms(datetime.fromisoformat(text))
    except ValueError:
        return None


def parse_day(text: str | None, *, default: date) -> date:
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        return default


# --- ISO weeks ---------------------------------------------------------------------------

def week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_start_ms(ms: int) -> int:
    """Monday 00:00 in Shanghai of the week holding ``ms``."""
    return day_start_ms(week_monday(today(ms)))


def weeks_between(first: date, last: date) -> list[date]:
    """The Mondays of every ISO week touching [first, last]."""
    monday = week_monday(first)
    weeks = []
    while monday <= last:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def iso_week(ms: int) -> tuple[int, int]:
    """(ISO year, week number) in Shanghai."""
    year, number, _ = to_local(ms).isocalendar()
    return year, number


def week_code(monday: date) -> str:
    """The ISO week code, e.g. ``2026-W48``: for machines (the API, a tooltip); people
    read ``week_title``, ``week_short`` or ``week_name``."""
    year, number, _ = monday.isocalendar()
    return f"{year}-W{number:02d}"


def week_title(monday: date) -> str:
    """E.g. 第49周 11月30日–12月6日."""
    sunday = monday + timedelta(days=6)
    return t("week.title", number=monday.isocalendar()[1], first_month=monday.month,
             first_day=monday.day, last_month=sunday.month, last_day=sunday.day)


def week_short(monday: date) -> str:
    """E.g. 第49周, for a chart's axis."""
    return t("week.short", number=monday.isocalendar()[1])


def week_name(year: int, number: int) -> str:
    """E.g. 2026年第49周."""
    return t("week.of_year", year=year, number=number)


def week_name_of_code(code: str) -> str:
    """``week_name`` of a ``week_code``; a code that does not read is shown as it is."""
    year, _, number = code.partition("-W")
    return week_name(int(year), int(number)) if year.isdigit() and number.isdigit() else code


def week_code_of(ms: int) -> str:
    return week_code(today(ms))


def month_of(ms: int) -> str:
    """The month in Shanghai, e.g. ``2026-11``."""
    return to_local(ms).strftime("%Y-%m")


# --- formatting --------------------------------------------------------------------------

def fmt_time(ms: int | None) -> str:
    return "" if ms is None else to_local(ms).strftime("%H:%M")


def fmt_datetime(ms: int | None) -> str:
    return "" if ms is None else to_local(ms).strftime("%Y-%m-%d %H:%M")


def utc_iso(ms: int) -> str:
    """A time the server writes into a record: ISO 8601 in UTC, to the second."""
    return (_EPOCH + ms * _MS).isoformat(timespec="seconds")


def wire_iso(ms: int) -> str:
    """A server timestamp on the wire: ISO 8601 in UTC to the millisecond, ``Z``."""
    return (_EPOCH + ms * _MS).isoformat(timespec="milliseconds").replace("+00:00", "Z")
