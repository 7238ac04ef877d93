import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { account } from '../src/account';
import { authExpired, online } from '../src/connection';
import { META, getMeta, openUserDb } from '../src/db';
import { login, logout, resumeSession, unsyncedCount } from '../src/login';
import { saveRecord } from '../src/edits';
import { profile } from '../src/profile';
import { knownDeviceId, loadSession } from '../src/session';
import { isSyncing } from '../src/sync';
import { syncState } from '../src/syncControl';

// A server just big enough for logging in: who logs in is told by the username.
class LoginServer {
  logins: { username: string; device_id: string }[] = [];
  logouts = 0;
  meStatus = 200;
  userId = `u-${Math.random().toString(36).slice(2)}`;

  fetch = async (input: string, init?: RequestInit): Promise<Response> => {
    const path = input.replace('/api/v1', '').split('?')[0];
    const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });
    const user = { id: this.userId, name: '王联络员', role: 'liaison', squad_id: 's1' };
    switch (path) {
      case '/auth/login': {
        const body = JSON.parse(String(init?.body));
        this.logins.push({ username: body.username, device_id: body.device_id });
        return json({ token: `tok-${this.logins.length}`, expires_at: '2099-01-01T00:00:00Z', user });
      }
      case '/auth/logout':
        this.logouts += 1;
        return new Response(null, { status: 204 });
      case '/me':
        if (this.meStatus !== 200) return json({ error: { code: 'unauthorized', message: '' } }, this.meStatus);
        return json({ user, communities: [{ id: 'c1', name: '和平里社区', squad_id: 's1' }] });
      case '/schema':
        return json({ kinds: [], case_statuses: [], checklist: { version: '1', items: [] } });
      case '/sync/push':
        return json({ acked_seq: 0, server_time: Date.now(), hlc: `${Date.now()}:00000:server`, results: [] });
      case '/sync/pull':
        return json({ cursor: '1', has_more: false, server_time: Date.now(), hlc: `${Date.now()}:00000:server`, records: [] });
      default:
        return json({ error: { code: 'not_found', message: '' } }, 404);
    }
  };
}

function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() { return items.size; },
    clear: () => items.clear(),
    getItem: (k) => items.get(k) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (k) => void items.delete(k),
    setItem: (k, v) => void items.set(k, String(v)),
  };
}

let server: LoginServer;

beforeEach(() => {
  server = new LoginServer();
  vi.stubGlobal('localStorage', memoryStorage());
  vi.stubGlobal('navigator', { userAgent: 'vitest', onLine: true });
  vi.stubGlobal('fetch', server.fetch);
  online.set(true);
  authExpired.set(false);
});

afterEach(async () => {
  // Let the sync started by the login finish before the next test replaces fetch.
  await vi.waitFor(() => expect(isSyncing(syncState.get())).toBe(false));
  await logout();
  vi.unstubAllGlobals();
});

async function databaseExists(name: string): Promise<boolean> {
  return (await Dexie.getDatabaseNames()).includes(name);
}

describe('logging in', () => {
  it('the first login on a phone makes a device id, keeps it for this user and opens their database', async () => {
    await login('liaison01', 'pw');
    const current = account.get()!;
    expect(current.session.user.name).toBe('王联络员');
    const device = server.logins[0]!.device_id;
    expect(knownDeviceId('liaison01')).toBe(device);
    expect(await getMeta(current.db, META.deviceId)).toBe(device);
    expect(loadSession()?.token).toBe('tok-1');
    expect(profile.get().communities.map((c) => c.id)).toEqual(['c1']);
    expect(server.logins).toHaveLength(1);
  });

  it('a database that survived with another device id keeps it: the login is redone under that id', async () => {
    const survivor = openUserDb(server.userId);
    await survivor.open();
    await survivor.meta.put({ key: META.deviceId, value: 'dev-old-outbox' });
    survivor.close();
    await login('liaison01', 'pw');
    expect(server.logins.map((l) => l.device_id)).toEqual([expect.any(String), 'dev-old-outbox']);
    expect(server.logouts).toBe(1); // the token issued to the wrong id is given back
    expect(account.get()!.session.device_id).toBe('dev-old-outbox');
  });

  it('the screens appear with the form schema already stored, so going offline at once is fine', async () => {
    const seen: unknown[] = [];
    const unsubscribe = account.subscribe(() => {
      if (account.get()) seen.push(profile.get().schema);
    });
    await login('liaison01', 'pw');
    unsubscribe();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ checklist: { version: '1' } });
    expect(await getMeta(account.get()!.db, META.schema)).toMatchObject({ checklist: { version: '1' } });
  });

  it('a login after the token expired clears the expiry', async () => {
    authExpired.set(true);
    await login('liaison01', 'pw');
    expect(authExpired.get()).toBe(false);
  });

  it('a 401 while refreshing the profile asks for login again', async () => {
    server.meStatus = 401;
    await login('liaison01', 'pw');
    expect(authExpired.get()).toBe(true);
  });
});

describe('reopening the app', () => {
  it('offline, the stored session opens with the profile kept from last time and no request', async () => {
    await login('liaison01', 'pw');
    await vi.waitFor(() => expect(isSyncing(syncState.get())).toBe(false));
    account.get()!.db.close();
    account.set(null);
    const requests = vi.fn(server.fetch);
    vi.stubGlobal('fetch', requests);
    online.set(false);
    await resumeSession();
    expect(account.get()?.session.username).toBe('liaison01');
    expect(profile.get().communities.map((c) => c.id)).toEqual(['c1']);
    expect(requests).not.toHaveBeenCalled();
  });
});

describe('logging out', () => {
  it('with nothing unsynced the database is deleted and the device id forgotten', async () => {
    await login('liaison01', 'pw');
    await vi.waitFor(() => expect(isSyncing(syncState.get())).toBe(false));
    const name = account.get()!.db.name;
    await logout();
    expect(account.get()).toBeNull();
    expect(await databaseExists(name)).toBe(false);
    expect(knownDeviceId('liaison01')).toBeNull();
    expect(loadSession()).toBeNull();
  });

  it('with unsynced work the database and its device id stay for the next login', async () => {
    await login('liaison01', 'pw');
    await vi.waitFor(() => expect(isSyncing(syncState.get())).toBe(false));
    await saveRecord('suggestion', 'c1', null, { content: '路灯不亮' });
    expect(await unsyncedCount()).toBe(1);
    const name = account.get()!.db.name;
    const device = account.get()!.session.device_id;
    await logout();
    expect(account.get()).toBeNull();
    expect(await databaseExists(name)).toBe(true);
    expect(knownDeviceId('liaison01')).toBe(device);
  });
});
