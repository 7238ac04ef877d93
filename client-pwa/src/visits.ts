// The visit clock: check-in and check-out, which visit is running, and how long it has
// been open by a clock the phone's owner cannot move. No DOM.
import { requireDb } from './account';
import { getMeta, setMeta, type LocalRecord, type WorkroomDb } from './db';
import { saveRecord } from './edits';
import { isMine } from './records';
import { isoLocal } from './time';
import type { Fields } from './types';

const ACTIVE_VISIT = 'active_visit';
export const VISIT_CLOCK_TICK_MS = 5_000;

const elapsedKey = (visitId: string) => `elapsed:${visitId}`;

export interface VisitClockDeps {
  /** A clock the phone's wall-clock setting cannot move. */
  monotonic?: () => number;
  every?: (fn: () => void, ms: number) => unknown;
  cancel?: (id: unknown) => void;
}

let running: { id: unknown; cancel: (id: unknown) => void } | null = null;

/**
 * Accumulate the time spent with a visit open, only while the app runs: a monotonic
 * clock (performance.now()) cannot be moved by changing the phone's clock, so
 * elapsed_s is the duration the server can trust when the wall clock cannot be.
 */
export function startVisitClock(db: WorkroomDb, deps: VisitClockDeps = {}): void {
  stopVisitClock();
  const monotonic = deps.monotonic ?? (() => performance.now());
  const every = deps.every ?? ((fn, ms) => setInterval(fn, ms));
  const cancel = deps.cancel ?? ((id) => clearInterval(id as ReturnType<typeof setInterval>));
  let last = monotonic();
  // One accrual at a time: two read-add-writes overlapping would lose one tick.
  let accrued = Promise.resolve();
  const id = every(() => {
    const now = monotonic();
    const delta = now - last;
    last = now;
    accrued = accrued.then(() => accrueVisitTime(db, delta)).catch(() => undefined);
  }, VISIT_CLOCK_TICK_MS);
  running = { id, cancel };
}

export function stopVisitClock(): void {
  if (running) running.cancel(running.id);
  running = null;
}

/** Add `deltaMs` to the running visit, if one is open. */
export async function accrueVisitTime(db: WorkroomDb, deltaMs: number): Promise<void> {
  const id = await getMeta<string>(db, ACTIVE_VISIT);
  if (!id) return;
  await setMeta(db, elapsedKey(id), ((await getMeta<number>(db, elapsedKey(id))) ?? 0) + deltaMs);
}

export async function checkIn(communityId: string, gps: unknown | null): Promise<string> {
  const db = requireDb();
  const fields: Fields = { started_at: isoLocal(Date.now()) };
  if (gps) fields.gps_in = gps;
  const id = await saveRecord('visit', communityId, null, fields);
  await setMeta(db, ACTIVE_VISIT, id);
  await setMeta(db, elapsedKey(id), 0);
  return id;
}

export async function checkOut(visit: LocalRecord, fields: Fields): Promise<void> {
  const db = requireDb();
  const elapsedMs = (await getMeta<number>(db, elapsedKey(visit.id))) ?? null;
  const out: Fields = { ended_at: isoLocal(Date.now()), ...fields };
  if (elapsedMs !== null) out.elapsed_s = Math.round(elapsedMs / 1000);
  await saveRecord('visit', visit.community_id, visit, out);
  await setMeta(db, ACTIVE_VISIT, null);
  await db.meta.delete(elapsedKey(visit.id));
}

/** This user's open visit: the latest started one not yet checked out. */
export function runningVisit(visits: LocalRecord[], userId: string | undefined): LocalRecord | undefined {
  return visits
    .filter((v) => isMine(v, userId) && !v.fields.ended_at)
    .sort((a, b) => String(b.fields.started_at).localeCompare(String(a.fields.started_at)))[0];
}
