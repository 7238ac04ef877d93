// Hybrid logical clock per sync-protocol.md: "<13-digit ms>:<5-digit counter>:<device_id>".
// Pure functions plus a tiny state shape so the db module can persist it in the same
// transaction as the mutation it stamps.

export interface Hlc {
  ms: number;
  counter: number;
  device: string;
}

const MAX_COUNTER = 99999;
const HLC_RE = /^(\d{13}):(\d{5}):([A-Za-z0-9_-]{1,64})$/;

export function formatHlc(h: Hlc): string {
  return `${String(h.ms).padStart(13, '0')}:${String(h.counter).padStart(5, '0')}:${h.device}`;
}

export function parseHlc(text: string): Hlc | null {
  const m = HLC_RE.exec(text);
  if (!m) return null;
  return { ms: Number(m[1]), counter: Number(m[2]), device: m[3]! };
}

export function compareHlc(a: Hlc, b: Hlc): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.counter !== b.counter) return a.counter < b.counter ? -1 : 1;
  return a.device < b.device ? -1 : a.device > b.device ? 1 : 0;
}

// A counter that would overflow its 5 digits borrows a millisecond instead: the
// string format is fixed, and moving ms forward keeps the order strictly increasing.
function bump(ms: number, counter: number): { ms: number; counter: number } {
  return counter > MAX_COUNTER ? { ms: ms + 1, counter: 0 } : { ms, counter };
}

/** Next stamp for a local event. `now` may run backwards; the result never does. */
export function tick(state: Hlc, now: number): Hlc {
  const ms = Math.max(state.ms, Math.floor(now));
  const counter = ms === state.ms ? state.counter + 1 : 0;
  return { ...bump(ms, counter), device: state.device };
}

/**
 * Fold in a clock seen elsewhere (every server response's `hlc`) so our next stamp
 * sorts after everything we have observed, even when the phone's clock is behind.
 */
export function receive(state: Hlc, remote: Hlc, now: number): Hlc {
  const ms = Math.max(state.ms, remote.ms, Math.floor(now));
  let counter: number;
  if (ms === state.ms && ms === remote.ms) counter = Math.max(state.counter, remote.counter) + 1;
  else if (ms === state.ms) counter = state.counter + 1;
  else if (ms === remote.ms) counter = remote.counter + 1;
  else counter = 0;
  return { ...bump(ms, counter), device: state.device };
}

export function initialHlc(device: string): Hlc {
  return { ms: 0, counter: 0, device };
}

/** Beyond this the server refuses our stamps (clock_ahead) and the user is warned. */
export const MAX_SKEW_MS = 5 * 60_000;

/**
 * The clock HLC stamps are taken from: the phone's own, unless the last sync showed it
 * more than 5 minutes AHEAD of the server's. A phone set an hour ahead would otherwise
 * push the HLC into the future, where it stays (it never runs backwards) and every later
 * mutation is refused as clock_ahead. A phone that is behind needs no correction: the
 * server's HLC, folded in at every sync, already keeps our stamps ordered after it.
 */
export function correctedNow(phoneNow: number, offsetMs: number): number {
  return offsetMs > MAX_SKEW_MS ? phoneNow - offsetMs : phoneNow;
}
