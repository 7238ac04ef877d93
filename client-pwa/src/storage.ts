// Whether the browser has promised to keep this phone's data (persistent storage) and
// how much it holds: the sync screen shows both, because an evicted database is lost
// work. No DOM.
import { Observable } from './observable';

/** null: not known (yet), or the browser cannot say. */
export const persisted = new Observable<boolean | null>(null);

/** Ask for persistent storage; done at login, when the user has just acted. */
export async function requestPersistence(): Promise<void> {
  if (typeof navigator === 'undefined' || !navigator.storage?.persist) return;
  persisted.set(await navigator.storage.persist().catch(() => false));
}

/** Learn whether storage is persistent, when nothing has told us yet. */
export async function checkPersistence(): Promise<void> {
  if (persisted.get() !== null || typeof navigator === 'undefined') return;
  const granted = await navigator.storage?.persisted?.();
  if (granted !== undefined) persisted.set(granted);
}

export async function storageUsage(): Promise<number | null> {
  if (typeof navigator === 'undefined') return null;
  const estimate = await navigator.storage?.estimate?.();
  return estimate?.usage ?? null;
}
