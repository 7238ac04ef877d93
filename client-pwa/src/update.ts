// A new build waiting in the service worker, and applying it: only when the user
// accepts, and never under a running sync (the reload would cut the push short). No DOM.
import { Observable } from './observable';
import { isSyncing } from './sync';
import { syncState } from './syncControl';

export type ApplyUpdate = (reload?: boolean) => Promise<void>;

export const updateWaiting = new Observable<ApplyUpdate | null>(null);

/** Called by the service worker registration when a new build is ready. */
export function offerUpdate(apply: ApplyUpdate): void {
  updateWaiting.set(apply);
}

export function applyUpdate(): void {
  if (isSyncing(syncState.get())) return;
  void updateWaiting.get()?.(true);
}
