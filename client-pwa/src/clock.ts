// The phone's clock as the server sees it. The offset measured at the last sync
// corrects HLC stamps (a phone set an hour fast must not stamp the future) and drives
// the "phone time is off" warning. No DOM.
import { META, getMeta, type WorkroomDb } from './db';
import { correctedNow, MAX_SKEW_MS } from './hlc';
import { Observable } from './observable';

/** Phone minus server, in ms (positive: the phone is ahead). */
export const clockOffsetMs = new Observable(0);

/** Read the offset the sync loop last stored; `fallback` when none was ever measured. */
export async function loadClockOffset(db: WorkroomDb, fallback = clockOffsetMs.get()): Promise<void> {
  clockOffsetMs.set((await getMeta<number>(db, META.clockOffset)) ?? fallback);
}

/** Phone clock corrected by the offset measured at the last sync, for HLC stamps. */
export function hlcNow(now = Date.now()): number {
  return correctedNow(now, clockOffsetMs.get());
}

/** Whole minutes the phone is off when that is beyond the protocol's 5 minutes, else 0. */
export function clockSkewMinutes(offsetMs = clockOffsetMs.get()): number {
  return Math.abs(offsetMs) > MAX_SKEW_MS ? Math.round(offsetMs / 60_000) : 0;
}
