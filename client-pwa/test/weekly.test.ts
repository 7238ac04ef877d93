import { describe, expect, it } from 'vitest';
import { isoWeekday, liaisonWeek, parseTime, weekStartMs, type VisitRecord } from '../src/weekly';
import type { WeeklyRule } from '../src/wire.gen';

// As GET /api/v1/schema publishes it (tests/test_weekly_rule.py pins the same values).
const RULE: WeeklyRule = {
  min_visit_minutes: 120,
  visits_per_week: 1,
  time_zone: 'Asia/Shanghai',
  utc_offset_minutes: 480,
  week_starts_on: 1,
  chase_weekday: 4,
  assigned_weekday: 4,
  assigned_hour: 12,
};
const MONDAY = Date.parse('2026-11-30T00:00:00+08:00'); // ISO week 2026-W49
const H = 3600_000;

let n = 0;
function visit(start: string, end: string | null, extra: Partial<VisitRecord> = {}, voided = false): VisitRecord {
  n += 1;
  return {
    id: `v${n}`,
    community_id: 'c-1',
    created_by: 'u-1',
    fields: { started_at: start, ...(end ? { ended_at: end } : {}), ...(voided ? { voided: true } : {}) },
    ...extra,
  };
}

function week(visits: VisitRecord[], nowMs: number, weekStart = MONDAY) {
  return liaisonWeek(visits, { liaisonId: 'u-1', communityId: 'c-1', weekStartMs: weekStart, nowMs }, RULE);
}

describe('weeks of the rule zone', () => {
  it('a Sunday night in Shanghai is still its week whatever the phone says', () => {
    const sundayLate = Date.parse('2026-12-06T23:30:00+08:00');
    expect(weekStartMs(sundayLate, RULE)).toBe(MONDAY);
    expect(weekStartMs(sundayLate + 30 * 60_000, RULE)).toBe(MONDAY + 7 * 24 * H);
    expect(isoWeekday(sundayLate, RULE)).toBe(7);
    expect(isoWeekday(MONDAY, RULE)).toBe(1);
  });

  it('reads stored times with their offset, and a bare one as Shanghai time', () => {
    expect(parseTime('2026-11-30T09:00:00+08:00', RULE)).toBe(parseTime('2026-11-30T01:00:00Z', RULE));
    expect(parseTime('2026-11-30T09:00:00', RULE)).toBe(MONDAY + 9 * H);
    expect(parseTime('soon', RULE)).toBeNull();
  });
});

describe('a liaison week', () => {
  const nextWeek = MONDAY + 8 * 24 * H;

  it('is met by one visit of two hours, not by two of one', () => {
    expect(week([visit('2026-11-30T09:00:00+08:00', '2026-11-30T11:00:00+08:00')], nextWeek).colour).toBe('green');
    const short = week(
      [visit('2026-11-30T09:00:00+08:00', '2026-11-30T10:00:00+08:00'), visit('2026-12-01T09:00:00+08:00', '2026-12-01T10:30:00+08:00')],
      nextWeek,
    );
    expect(short).toEqual({ visits: 2, qualifying: 0, visitMs: 2.5 * H, longestMs: 1.5 * H, colour: 'amber' });
  });

  it('counts a visit across Sunday midnight in the week it started', () => {
    const late = visit('2026-12-06T23:00:00+08:00', '2026-12-07T01:30:00+08:00');
    expect(week([late], nextWeek).colour).toBe('green');
    expect(week([late], nextWeek + 7 * 24 * H, MONDAY + 7 * 24 * H).visits).toBe(0);
  });

  it('ignores voided visits, other liaisons and other communities', () => {
    const visits = [
      visit('2026-11-30T09:00:00+08:00', '2026-11-30T12:00:00+08:00', {}, true),
      visit('2026-11-30T09:00:00+08:00', '2026-11-30T12:00:00+08:00', { created_by: 'u-2' }),
      visit('2026-11-30T09:00:00+08:00', '2026-11-30T12:00:00+08:00', { community_id: 'c-2' }),
    ];
    expect(week(visits, nextWeek)).toMatchObject({ visits: 0, colour: 'red' });
    // A record not yet pulled back has no author: it is this device user's.
    expect(week([visit('2026-11-30T09:00:00+08:00', '2026-11-30T12:00:00+08:00', { created_by: undefined })], nextWeek).colour).toBe('green');
  });

  it('waits until Thursday in the week in progress, and an open visit does not count yet', () => {
    const tuesday = MONDAY + 24 * H + 10 * H;
    const thursday = MONDAY + 3 * 24 * H + 10 * H;
    expect(week([], tuesday).colour).toBe('pending');
    expect(week([], thursday).colour).toBe('red');
    expect(week([visit('2026-11-30T09:00:00+08:00', null)], thursday).colour).toBe('amber');
    expect(week([], MONDAY - 1).colour).toBe('future');
  });
});
