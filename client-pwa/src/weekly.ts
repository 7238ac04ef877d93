// The weekly rule (R2) on the phone: the same steps as the server's sync/domain/weekly.py,
// with the parameters it publishes (GET /api/v1/schema → weekly_rule), so a liaison's own
// cell on Today is the one the console and the evaluation show. Pure: no DOM, no storage.
//
// Per liaison × community × week of the rule's time zone: a visit belongs to the week it
// started in; a voided one does not exist; one counts once ended and lasting at least
// `min_visit_minutes` (each visit on its own); `visits_per_week` counting visits meet the
// week. Otherwise amber when visited, red when not; the week in progress without a visit
// is pending until the chase day. Who owes a week is the server's business (assignments):
// the phone shows the communities this user holds now.
import type { WeeklyRule } from './wire.gen';

export type Colour = 'green' | 'amber' | 'red' | 'pending' | 'future';

/** What the rule reads of a visit record (a local or a pulled one). */
export interface VisitRecord {
  id: string;
  community_id: string;
  /** Absent on a record this device made and has not pulled back: the device user's. */
  created_by?: string | null;
  fields: Record<string, unknown>;
}

export interface LiaisonWeek {
  visits: number;
  qualifying: number;
  visitMs: number;
  longestMs: number;
  colour: Colour;
}

const DAY_MS = 24 * 3600_000;
// 1970-01-01 was a Thursday: ISO weekday 4.
const EPOCH_WEEKDAY = 4;
const OFFSET = /(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$/;

function offsetMs(rule: WeeklyRule): number {
  return rule.utc_offset_minutes * 60_000;
}

/** Days since 1970-01-01 in the rule's zone. */
function localDay(ms: number, rule: WeeklyRule): number {
  return Math.floor((ms + offsetMs(rule)) / DAY_MS);
}

/** The ISO weekday (1 = Monday … 7 = Sunday) of `ms` in the rule's zone. */
export function isoWeekday(ms: number, rule: WeeklyRule): number {
  return ((((localDay(ms, rule) + EPOCH_WEEKDAY - 1) % 7) + 7) % 7) + 1;
}

/** The first instant (00:00 in the rule's zone) of the week holding `ms`. */
export function weekStartMs(ms: number, rule: WeeklyRule): number {
  const back = (isoWeekday(ms, rule) - rule.week_starts_on + 7) % 7;
  return (localDay(ms, rule) - back) * DAY_MS - offsetMs(rule);
}

/** Unix ms of a stored ISO time; one without an offset is the rule's zone's local time. */
export function parseTime(value: unknown, rule: WeeklyRule): number | null {
  if (typeof value !== 'string' || value === '') return null;
  const ms = OFFSET.test(value) ? Date.parse(value) : Date.parse(`${value}Z`) - offsetMs(rule);
  return Number.isNaN(ms) ? null : ms;
}

export function counts(durationMs: number, ended: boolean, rule: WeeklyRule): boolean {
  return ended && durationMs >= rule.min_visit_minutes * 60_000;
}

/** One liaison's week in one community, as seen at `nowMs`. */
export function liaisonWeek(
  visits: VisitRecord[],
  at: { liaisonId: string; communityId: string; weekStartMs: number; nowMs: number },
  rule: WeeklyRule,
): LiaisonWeek {
  const week: LiaisonWeek = { visits: 0, qualifying: 0, visitMs: 0, longestMs: 0, colour: 'red' };
  for (const v of visits) {
    if (v.community_id !== at.communityId || v.fields.voided === true) continue;
    if (v.created_by != null && v.created_by !== at.liaisonId) continue;
    const start = parseTime(v.fields.started_at, rule);
    if (start === null || weekStartMs(start, rule) !== at.weekStartMs) continue;
    const end = parseTime(v.fields.ended_at, rule);
    const length = end === null ? 0 : Math.max(0, end - start);
    week.visits += 1;
    week.qualifying += counts(length, end !== null, rule) ? 1 : 0;
    week.visitMs += length;
    week.longestMs = Math.max(week.longestMs, length);
  }
  week.colour = judge(week, at.weekStartMs, at.nowMs, rule);
  return week;
}

function judge(week: LiaisonWeek, start: number, nowMs: number, rule: WeeklyRule): Colour {
  if (start > nowMs) return 'future';
  if (week.qualifying >= rule.visits_per_week) return 'green';
  const visited = week.visits > 0;
  const inProgress = weekStartMs(nowMs, rule) === start;
  if (inProgress && isoWeekday(nowMs, rule) < rule.chase_weekday) return visited ? 'amber' : 'pending';
  return visited ? 'amber' : 'red';
}
