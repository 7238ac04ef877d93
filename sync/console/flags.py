"""What a supervisor should look at in a duty log (勤务日志). Pure.

A visit too short to count for the weekly rule (sync/domain/weekly.py) is flagged;
overlapping visits mean one of them is wrong; a visit still open after midnight was
probably never closed; a device whose clock was off by more than 5 minutes makes its times doubtful;
a record changed after its day was filled in late; a conflict needs a person.
"""

from __future__ import annotations

import msgspec

from sync.console.compliance import min_hours
from sync.domain import weekly
from sync.domain.hlc import MAX_AHEAD_MS, parse
from sync.domain.merge import FieldWrite
from sync.i18n import t

SHORT_VISIT = "short_visit"
OVERLAP = "overlap"
PAST_MIDNIGHT = "past_midnight"
CLOCK_OFF = "clock_off"
EDITED_LATER = "edited_later"
CONFLICT = "conflict"
ALL_FLAGS = (SHORT_VISIT, OVERLAP, PAST_MIDNIGHT, CLOCK_OFF, EDITED_LATER, CONFLICT)


class Span(msgspec.Struct, frozen=True):
    id: str
    start_ms: int
    end_ms: int | None


def duration_ms(span: Span) -> int | None:
    if span.end_ms is None:
        return None
    return max(0, span.end_ms - span.start_ms)


def label(flag: str) -> str:
    return t(f"console.flag.{flag}", hours=min_hours())


def visit_flags(spans: list[Span], *, day_end_ms: int, now_ms: int,
                rule: weekly.WeeklyRule = weekly.RULE) -> dict[str, list[str]]:
    """Flags per visit id for one liaison's visits of one day."""
    flags: dict[str, list[str]] = {s.id: [] for s in spans}
    for span in spans:
        length = duration_ms(span)
        if length is not None and not weekly.long_enough(length, rule=rule):
            flags[span.id].append(SHORT_VISIT)
        open_after = span.end_ms is None and now_ms >= day_end_ms
        if open_after or (span.end_ms is not None and span.end_ms > day_end_ms):
            flags[span.id].append(PAST_MIDNIGHT)
    ordered = sorted(spans, key=lambda s: s.start_ms)
    for i, first in enumerate(ordered):
        first_end = first.end_ms if first.end_ms is not None else max(now_ms, first.start_ms)
        for second in ordered[i + 1:]:
            if second.start_ms >= first_end:
                break
            for span in (first, second):
                if OVERLAP not in flags[span.id]:
                    flags[span.id].append(OVERLAP)
    return flags


def clock_off(*, clock_suspect: bool, offsets: list[int | None]) -> bool:
    return clock_suspect or any(o is not None and abs(o) > MAX_AHEAD_MS for o in offsets)


def edited_later(meta: dict[str, FieldWrite], *, user_id: str, day_end_ms: int) -> bool:
    """Did ``user_id`` change any field of the record after the day was over?"""
    for write in meta.values():
        hlc = parse(write.hlc)
        if hlc is not None and write.user_id == user_id and hlc.ms >= day_end_ms:
            return True
    return False


def created_ms(meta: dict[str, FieldWrite], *, fallback: int) -> int:
    """The device time of a record's first write: the smallest HLC among its fields."""
    times = [h.ms for w in meta.values() if (h := parse(w.hlc)) is not None]
    return min(times) if times else fallback
