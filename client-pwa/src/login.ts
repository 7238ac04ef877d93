// Logging in and out, and reopening the stored session when the app starts: the one
// place a user's database is opened and closed, and what runs for them started and
// stopped. No DOM.
import Dexie from 'dexie';
import { account, type Account } from './account';
import { Api } from './api';
import { loadClockOffset } from './clock';
import { api, authExpired, online } from './connection';
import { META, getMeta, openUserDb, setMeta } from './db';
import { newDeviceId } from './ids';
import { pendingCount } from './outbox';
import { loadCachedProfile, refreshProfile } from './profile';
import { clearSession, forgetDevice, knownDeviceId, loadSession, rememberDevice, saveSession, type Session } from './session';
import { requestPersistence } from './storage';
import { startSyncing, stopSyncing, syncNow } from './syncControl';
import { startVisitClock, stopVisitClock } from './visits';

/** Open the user's database and start what runs for them; the caller publishes it. */
async function open(session: Session): Promise<Account> {
  api.setToken(session.token);
  const db = openUserDb(session.user.id);
  await db.open();
  const knownDevice = await getMeta<string>(db, META.deviceId);
  if (!knownDevice) await setMeta(db, META.deviceId, session.device_id);
  await loadCachedProfile(db);
  await loadClockOffset(db, 0);
  startSyncing(db);
  startVisitClock(db);
  return { session, db };
}

function closeCurrent(): void {
  stopSyncing();
  stopVisitClock();
  account.get()?.db.close();
  account.set(null);
}

/** App start: the stored session works offline; online, it is refreshed and synced. */
export async function resumeSession(): Promise<void> {
  const session = loadSession();
  if (!session) return;
  const opened = await open(session);
  account.set(opened);
  if (online.get()) {
    await refreshProfile(opened.db);
    void syncNow();
  }
}

export async function login(username: string, password: string): Promise<void> {
  const remembered = knownDeviceId(username);
  const firstDevice = remembered ?? newDeviceId();
  const device_name = typeof navigator === 'undefined' ? undefined : navigator.userAgent.slice(0, 60);
  let res = await api.login({ username, password, device_id: firstDevice, device_name });
  // The device id belongs to the user's database, not to the browser: its outbox seq
  // runs from 1 under that id. A database that survived with another id keeps its
  // own; a fresh database never reuses an id whose seqs the server has already seen.
  const userDb = openUserDb(res.user.id);
  const dbDevice = await getMeta<string>(userDb, META.deviceId);
  const device_id = dbDevice ?? (remembered ? newDeviceId() : firstDevice);
  if (!dbDevice) await setMeta(userDb, META.deviceId, device_id);
  userDb.close();
  if (device_id !== firstDevice) {
    await new Api((input, init) => fetch(input, init), res.token).logout().catch(() => undefined);
    res = await api.login({ username, password, device_id, device_name });
  }
  rememberDevice(username, device_id);
  const session: Session = { token: res.token, expires_at: res.expires_at, user: res.user, username, device_id };
  saveSession(session);
  closeCurrent();
  const opened = await open(session);
  authExpired.set(false);
  await requestPersistence();
  // The screens appear with the schema already stored: the forms must work even if
  // the network goes the moment after login.
  await refreshProfile(opened.db);
  account.set(opened);
  void syncNow();
}

/** Everything not yet on the server: queued mutations plus unresolved rejections. */
export async function unsyncedCount(): Promise<number> {
  const db = account.get()?.db;
  if (!db) return 0;
  const rejected = await db.rejected.filter((r) => r.resent_as === null).count();
  return (await pendingCount(db)) + rejected;
}

/**
 * Log out. With unsynced records the database stays on the phone (the caller asked
 * the user first); with none it is deleted so a shared phone keeps no one's data.
 */
export async function logout(): Promise<void> {
  const current = account.get();
  if (!current) return;
  const unsynced = await unsyncedCount();
  try {
    await api.logout();
  } catch {
    // Offline: the token simply stays unused on this phone after we forget it.
  }
  closeCurrent();
  if (unsynced === 0) {
    await Dexie.delete(current.db.name);
    forgetDevice(current.session.username);
  }
  clearSession();
  api.setToken(null);
  authExpired.set(false);
}
