// When the logged-in user's sync loop runs: at login and app start, when the network
// returns, and when the liaison presses 同步 — and when it must not (a refused token,
// a permanent error). The loop itself is sync.ts. No DOM.
import { loadClockOffset } from './clock';
import { api, authExpired } from './connection';
import type { WorkroomDb } from './db';
import { Observable } from './observable';
import { SyncLoop, type SyncDeps, type SyncOutcome, type SyncState } from './sync';

declare const __APP_VERSION__: string;
export const APP_VERSION = typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : '0.0.0';

export const syncState = new Observable<SyncState | null>(null);

let loop: SyncLoop | null = null;

/** Start a loop for this user's database (timers and API replaceable for tests). */
export function startSyncing(db: WorkroomDb, deps: Partial<Omit<SyncDeps, 'db' | 'onState'>> = {}): void {
  stopSyncing();
  const current = new SyncLoop({
    api,
    appVersion: APP_VERSION,
    ...deps,
    db,
    onState: (s) => {
      if (loop !== current) return;
      syncState.set(s);
      if (s.phase === 'auth_required') authExpired.set(true);
      // The loop stores the measured offset while it runs; HLC stamps follow it.
      if (s.phase === 'idle' || s.phase === 'pulling') void loadClockOffset(db);
    },
  });
  loop = current;
  syncState.set(current.state);
}

export function stopSyncing(): void {
  loop?.stop();
  loop = null;
  syncState.set(null);
}

/**
 * Sync now, as the 同步 button does: cuts a backoff wait short, and is the one way to
 * retry after a permanent error. Never with a token the server has refused.
 */
export function syncNow(): Promise<SyncOutcome | undefined> {
  if (!loop || authExpired.get()) return Promise.resolve(undefined);
  return loop.syncNow();
}

/**
 * Sync because something changed by itself (the network came back). After a permanent
 * error the loop stays stopped: the same request would fail the same way.
 */
export function syncAutomatically(): Promise<SyncOutcome | undefined> {
  if (syncState.get()?.phase === 'stopped') return Promise.resolve(undefined);
  return syncNow();
}
