import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiFailure } from '../src/api';
import { clockOffsetMs } from '../src/clock';
import { authExpired } from '../src/connection';
import { META, getMeta } from '../src/db';
import { enqueue } from '../src/outbox';
import { startSyncing, stopSyncing, syncAutomatically, syncNow, syncState } from '../src/syncControl';
import { FakeServer } from './fakeServer';
import { freshDb } from './helpers';

const T0 = 1_764_316_800_000;
const noTimers = { setTimer: () => 0, clearTimer: () => {} };

async function withQueued() {
  const db = await freshDb();
  await enqueue(db, { kind: 'suggestion', record_id: 's1', community_id: 'c1', fields: { content: '装个路灯' } }, T0);
  return db;
}

beforeEach(() => authExpired.set(false));
afterEach(() => stopSyncing());

describe('when the sync loop runs', () => {
  it('a 401 asks for login and nothing is sent with that token again', async () => {
    const db = await withQueued();
    const server = new FakeServer();
    server.failNext.push(new ApiFailure(401, 'unauthorized', 'token revoked'));
    const push = vi.spyOn(server, 'push');
    startSyncing(db, { api: server, ...noTimers });
    expect(await syncNow()).toBe('auth');
    expect(authExpired.get()).toBe(true);
    expect(syncState.get()?.phase).toBe('auth_required');
    expect(await syncNow()).toBeUndefined();
    expect(await syncAutomatically()).toBeUndefined();
    expect(push).toHaveBeenCalledTimes(1);
  });

  it('after a seq gap the network coming back does not retry; the 同步 button does', async () => {
    const db = await withQueued();
    const server = new FakeServer();
    server.ackedSeq = -1; // the server is waiting for a seq before ours
    const push = vi.spyOn(server, 'push');
    startSyncing(db, { api: server, ...noTimers });
    expect(await syncNow()).toBe('stopped');
    expect(syncState.get()).toMatchObject({ phase: 'stopped', lastError: 'seq_gap' });
    expect(await syncAutomatically()).toBeUndefined();
    expect(push).toHaveBeenCalledTimes(1);
    expect(await syncNow()).toBe('stopped');
    expect(push).toHaveBeenCalledTimes(2);
  });

  it('a transient failure still lets the network coming back cut the wait short', async () => {
    const db = await withQueued();
    const server = new FakeServer();
    server.failNext.push(new ApiFailure(0, 'network', 'no signal'));
    startSyncing(db, { api: server, ...noTimers });
    expect(await syncNow()).toBe('retry');
    expect(await syncAutomatically()).toBe('ok');
  });

  it('the clock offset measured by a sync corrects the stamps that follow', async () => {
    const db = await withQueued();
    const server = new FakeServer();
    clockOffsetMs.set(0);
    startSyncing(db, { api: server, now: () => server.serverTime + 3600_000 });
    expect(await syncNow()).toBe('ok');
    expect(await getMeta(db, META.clockOffset)).toBe(3600_000);
    await vi.waitFor(() => expect(clockOffsetMs.get()).toBe(3600_000));
  });

  it('logging out stops the loop and forgets its state', async () => {
    const db = await withQueued();
    startSyncing(db, { api: new FakeServer(), ...noTimers });
    expect(syncState.get()?.phase).toBe('idle');
    stopSyncing();
    expect(syncState.get()).toBeNull();
    expect(await syncNow()).toBeUndefined();
  });
});
