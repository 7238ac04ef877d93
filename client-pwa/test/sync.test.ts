import { describe, expect, it, vi } from 'vitest';
import { ApiFailure } from '../src/api';
import { META, getMeta } from '../src/db';
import { parseHlc } from '../src/hlc';
import { enqueue, pendingCount } from '../src/outbox';
import { BACKOFF_CAP_MS, PULL_LIMIT, SyncLoop, backoffDelay } from '../src/sync';
import { FakeServer } from './fakeServer';
import { freshDb } from './helpers';

const T0 = 1_764_316_800_000;

function manualTimers() {
  const timers: { fn: () => void; ms: number; id: number }[] = [];
  let next = 1;
  return {
    timers,
    setTimer: (fn: () => void, ms: number) => {
      const id = next++;
      timers.push({ fn, ms, id });
      return id;
    },
    clearTimer: (id: unknown) => {
      const i = timers.findIndex((t) => t.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
  };
}

async function queue(db: Awaited<ReturnType<typeof freshDb>>, n: number, kind = 'suggestion') {
  for (let i = 0; i < n; i++) {
    await enqueue(db, { kind, record_id: `${kind}-${i}`, community_id: 'c1', fields: { content: `#${i}` } }, T0 + i);
  }
}

describe('sync loop', () => {
  it('pushes in batches of at most 500, then pulls, and empties the outbox', async () => {
    const db = await freshDb();
    // Written in one go: enqueue() one by one is slow under fake-indexeddb.
    await db.outbox.bulkAdd(
      Array.from({ length: 1200 }, (_, i) => ({
        id: `m-${i + 1}`,
        seq: i + 1,
        hlc: `${T0 + i}:00000:dev-test`,
        kind: 'suggestion',
        record_id: `s-${i}`,
        community_id: 'c1',
        base_version: 0,
        fields: { content: `#${i}` },
        queued_at: T0 + i,
      })),
    );
    const server = new FakeServer();
    const loop = new SyncLoop({ db, api: server, appVersion: 't', now: () => T0 + 10_000 });
    expect(await loop.syncNow()).toBe('ok');
    expect(server.pushes.map((b) => b.length)).toEqual([500, 500, 200]);
    expect(server.pushes.flat().map((m) => m.seq)).toEqual(Array.from({ length: 1200 }, (_, i) => i + 1));
    expect(await pendingCount(db)).toBe(0);
    expect(await db.records.count()).toBe(1200);
    expect(await getMeta(db, META.lastSyncAt)).toBe(T0 + 10_000);
  }, 30_000);

  it('pulls until has_more is false and keeps the cursor', async () => {
    const db = await freshDb();
    const server = new FakeServer();
    for (let i = 1; i <= PULL_LIMIT + 5; i++) {
      server.records.set(`r${i}`, { kind: 'suggestion', id: `r${i}`, community_id: 'c1', version: i, fields: { content: 'x' } });
    }
    server.version = PULL_LIMIT + 5;
    const loop = new SyncLoop({ db, api: server, appVersion: 't' });
    await loop.syncNow();
    expect(server.pulls).toEqual([null, `${PULL_LIMIT}@${PULL_LIMIT + 5}`]);
    expect(await db.records.count()).toBe(PULL_LIMIT + 5);
    await loop.syncNow();
    expect(server.pulls[2]).toBe(String(PULL_LIMIT + 5));
  });

  it('keeps outbox entries the server has not acknowledged, and a seq gap stops the loop', async () => {
    const db = await freshDb();
    await queue(db, 3);
    const server = new FakeServer();
    // The server loses track below seq 1: acked_seq never reaches our entries.
    const realPush = server.push.bind(server);
    let gap = true;
    server.push = vi.fn(async (body) => {
      if (!gap) return realPush(body);
      return {
        acked_seq: 0,
        server_time: T0,
        hlc: `${T0}:00000:server`,
        results: body.mutations.map((m: { id: string }) => ({ id: m.id, status: 'applied' as const })),
      };
    });
    const t = manualTimers();
    const loop = new SyncLoop({ db, api: server, appVersion: 't', ...t });
    expect(await loop.syncNow()).toBe('stopped');
    expect(await pendingCount(db)).toBe(3);
    expect(loop.state).toMatchObject({ phase: 'stopped', lastError: 'seq_gap', retryAt: null });
    // Resending the same batch every 5 minutes would get the same answer forever.
    expect(t.timers).toHaveLength(0);
    expect(server.push).toHaveBeenCalledTimes(1);
    // Once the gap is dealt with, the liaison's 同步 is the retry.
    gap = false;
    expect(await loop.syncNow()).toBe('ok');
    expect(await pendingCount(db)).toBe(0);
  });

  it('a 4xx for the whole request stops the loop instead of retrying it every 5 minutes', async () => {
    const db = await freshDb();
    await queue(db, 1);
    const server = new FakeServer();
    server.failNext.push(new ApiFailure(403, 'forbidden', 'not allowed'));
    const t = manualTimers();
    const loop = new SyncLoop({ db, api: server, appVersion: 't', ...t });
    expect(await loop.syncNow()).toBe('stopped');
    expect(loop.state).toMatchObject({ phase: 'stopped', lastError: 'forbidden' });
    expect(t.timers).toHaveLength(0);
    expect(await pendingCount(db)).toBe(1);
  });

  it('one mutation too large even alone stops the loop rather than halving forever', async () => {
    const db = await freshDb();
    await queue(db, 3);
    const server = new FakeServer();
    server.push = vi.fn(async () => {
      throw new ApiFailure(413, 'too_large', 'body too large');
    });
    const t = manualTimers();
    const loop = new SyncLoop({ db, api: server, appVersion: 't', ...t });
    expect(await loop.syncNow()).toBe('stopped');
    expect(loop.state.lastError).toBe('too_large');
    expect(t.timers).toHaveLength(0);
  });

  it('a network error is retried by the timer, with the next wait doubled', async () => {
    const db = await freshDb();
    await queue(db, 1);
    const server = new FakeServer();
    server.failNext.push(new ApiFailure(0, 'network', 'no signal'), new ApiFailure(0, 'network', 'no signal'));
    const t = manualTimers();
    const loop = new SyncLoop({ db, api: server, appVersion: 't', now: () => T0, ...t });
    expect(await loop.syncNow()).toBe('retry');
    expect(loop.state).toMatchObject({ phase: 'waiting_retry', attempt: 1, lastError: 'network', retryAt: T0 + backoffDelay(1) });
    t.timers.shift()!.fn();
    await vi.waitFor(() => expect(t.timers.map((x) => x.ms)).toEqual([backoffDelay(2)]));
    await vi.waitFor(() => expect(loop.busy).toBe(false));
    t.timers.shift()!.fn();
    await vi.waitFor(() => expect(loop.state.phase).toBe('idle'));
    expect(await pendingCount(db)).toBe(0);
  });

  it('a 503 with Retry-After waits at least as long as the server asked', async () => {
    const db = await freshDb();
    await queue(db, 1);
    const server = new FakeServer();
    server.failNext.push(new ApiFailure(503, 'unavailable', 'restarting', undefined, 20_000));
    const t = manualTimers();
    const loop = new SyncLoop({ db, api: server, appVersion: 't', ...t });
    expect(await loop.syncNow()).toBe('retry');
    expect(t.timers.map((x) => x.ms)).toEqual([20_000]);
  });

  it('keeps rejected mutations with the reason while the rest are applied', async () => {
    const db = await freshDb();
    await queue(db, 2);
    await queue(db, 1, 'bogus');
    const server = new FakeServer();
    const loop = new SyncLoop({ db, api: server, appVersion: 't' });
    expect(await loop.syncNow()).toBe('ok');
    expect(await pendingCount(db)).toBe(0);
    const rejected = await db.rejected.toArray();
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.error.code).toBe('unknown_kind');
    expect(rejected[0]!.mutation.kind).toBe('bogus');
    expect(server.records.size).toBe(2);
  });

  it('sending the same batch again after a lost response is harmless', async () => {
    const db = await freshDb();
    await queue(db, 2);
    const server = new FakeServer();
    const realPush = server.push.bind(server);
    let first = true;
    server.push = async (body) => {
      const res = await realPush(body);
      if (first) {
        first = false;
        throw new ApiFailure(0, 'network', 'connection reset');
      }
      return res;
    };
    const t = manualTimers();
    const loop = new SyncLoop({ db, api: server, appVersion: 't', ...t });
    expect(await loop.syncNow()).toBe('retry');
    expect(await pendingCount(db)).toBe(2);
    expect(await loop.syncNow()).toBe('ok');
    expect(await pendingCount(db)).toBe(0);
    expect(server.records.size).toBe(2);
  });

  it('does not retry on 401 and keeps the outbox', async () => {
    const db = await freshDb();
    await queue(db, 2);
    const server = new FakeServer();
    server.failNext.push(new ApiFailure(401, 'unauthorized', 'token revoked'));
    const t = manualTimers();
    const loop = new SyncLoop({ db, api: server, appVersion: 't', ...t });
    expect(await loop.syncNow()).toBe('auth');
    expect(loop.state.phase).toBe('auth_required');
    expect(t.timers).toHaveLength(0);
    expect(await pendingCount(db)).toBe(2);
  });

  it('backs off exponentially with a cap, and the button cuts the wait short', async () => {
    const db = await freshDb();
    await queue(db, 1);
    const server = new FakeServer();
    for (let i = 0; i < 3; i++) server.failNext.push(new ApiFailure(503, 'http_503', 'down'));
    const t = manualTimers();
    const loop = new SyncLoop({ db, api: server, appVersion: 't', ...t });
    expect(await loop.syncNow()).toBe('retry');
    expect(t.timers.map((x) => x.ms)).toEqual([backoffDelay(1)]);
    // The timer firing is the automatic retry.
    const timer = t.timers.shift()!;
    timer.fn();
    await vi.waitFor(() => expect(t.timers.map((x) => x.ms)).toEqual([backoffDelay(2)]));
    expect(backoffDelay(2)).toBe(2 * backoffDelay(1));
    expect(backoffDelay(50)).toBe(BACKOFF_CAP_MS);
    // The user presses 同步: the pending wait is cancelled and a run starts at once.
    await vi.waitFor(() => expect(loop.busy).toBe(false));
    expect(await loop.syncNow()).toBe('retry');
    expect(t.timers).toHaveLength(1);
    expect(await loop.syncNow()).toBe('ok');
    expect(t.timers).toHaveLength(0);
    expect(loop.state.attempt).toBe(0);
    expect(await pendingCount(db)).toBe(0);
  });

  it('uploads only the photos the server says are missing', async () => {
    const db = await freshDb();
    const blob = new Blob([new Uint8Array([1, 2, 3])], { type: 'image/jpeg' });
    await db.blobs.bulkAdd([
      { sha256: 'a'.repeat(64), blob, media_type: 'image/jpeg', size: 3, uploaded: 0 },
      { sha256: 'b'.repeat(64), blob, media_type: 'image/jpeg', size: 3, uploaded: 0 },
    ]);
    const server = new FakeServer();
    server.blobs.add('a'.repeat(64));
    const loop = new SyncLoop({ db, api: server, appVersion: 't' });
    expect(await loop.syncNow()).toBe('ok');
    expect(server.putCalls).toEqual(['b'.repeat(64)]);
    expect(await db.blobs.where('uploaded').equals(0).count()).toBe(0);
    expect(loop.state.blobsTotal).toBe(1);
  });

  it('folds the server HLC into the device clock and records the clock offset', async () => {
    const db = await freshDb('tab-07');
    await queue(db, 1);
    const server = new FakeServer();
    const loop = new SyncLoop({ db, api: server, appVersion: 't', now: () => T0 });
    await loop.syncNow();
    const h = await getMeta<{ ms: number }>(db, META.hlc);
    expect(h!.ms).toBeGreaterThanOrEqual(parseHlc(`${server.serverTime}:00000:server`)!.ms);
    expect(await getMeta(db, META.clockOffset)).toBe(T0 - server.serverTime);
    const m = await enqueue(db, { kind: 'suggestion', record_id: 'z', community_id: 'c1', fields: { content: 'later' } }, T0);
    expect(parseHlc(m.hlc)!.ms).toBeGreaterThanOrEqual(server.serverTime);
  });
});

describe('overridden edits', () => {
  it('notices when a concurrent edit from another device won over mine', async () => {
    const db = await freshDb();
    await enqueue(db, { kind: 'case', record_id: 'k1', community_id: 'c1', fields: { title: 'mine', location: 'here' } }, T0);
    const server = new FakeServer();
    const realPush = server.push.bind(server);
    server.push = async (body) => {
      const res = await realPush(body);
      // Someone else's later write lands between our push and our pull.
      const rec = server.records.get('k1')!;
      server.version += 1;
      server.records.set('k1', { ...rec, version: server.version, fields: { ...rec.fields, title: 'theirs' } });
      return res;
    };
    const loop = new SyncLoop({ db, api: server, appVersion: 't' });
    expect(await loop.syncNow()).toBe('ok');
    const notes = await db.overridden.toArray();
    expect(notes.map((n) => [n.field, n.mine, n.theirs])).toEqual([['title', 'mine', 'theirs']]);
    expect((await db.records.get('k1'))?.fields.title).toBe('theirs');
  });
});

describe('a phone clock set an hour ahead', () => {
  it('does not drag the HLC into the future once the server has been seen', async () => {
    const db = await freshDb('tab-07');
    const server = new FakeServer();
    const phone = server.serverTime + 3600_000;
    const loop = new SyncLoop({ db, api: server, appVersion: 't', now: () => phone });
    await loop.syncNow();
    const offset = (await getMeta<number>(db, META.clockOffset))!;
    expect(offset).toBe(3600_000);
    const { correctedNow } = await import('../src/hlc');
    const m = await enqueue(db, { kind: 'suggestion', record_id: 'x', community_id: 'c1', fields: { content: 'c' } }, correctedNow(phone, offset));
    expect(parseHlc(m.hlc)!.ms - server.serverTime).toBeLessThan(5 * 60_000);
  });
});

describe('an oversized push', () => {
  it('is split into smaller batches instead of retried as is', async () => {
    const db = await freshDb();
    await queue(db, 40);
    const server = new FakeServer();
    const realPush = server.push.bind(server);
    server.push = async (body) => {
      if (body.mutations.length > 10) throw new ApiFailure(413, 'too_large', 'body too large');
      return realPush(body);
    };
    const loop = new SyncLoop({ db, api: server, appVersion: 't' });
    expect(await loop.syncNow()).toBe('ok');
    expect(await pendingCount(db)).toBe(0);
    expect(Math.max(...server.pushes.map((b) => b.length))).toBeLessThanOrEqual(10);
  });
});

describe('a signal lost between pull pages', () => {
  it('a pull resumed after the signal dropped mid-run brings the phone up to now', async () => {
    const db = await freshDb();
    const server = new FakeServer();
    for (let i = 1; i <= PULL_LIMIT + 1; i++) {
      server.records.set(`r${i}`, { kind: 'suggestion', id: `r${i}`, community_id: 'c1', version: i, fields: { content: 'early' } });
    }
    server.version = PULL_LIMIT + 1;
    const realPull = server.pull.bind(server);
    let answered = 1;
    server.pull = async (cursor, limit) => {
      if (answered === 0) throw new ApiFailure(0, 'network', 'no signal');
      answered -= 1;
      return realPull(cursor, limit);
    };
    const loop = new SyncLoop({ db, api: server, appVersion: 't', setTimer: () => 0, clearTimer: () => {} });
    expect(await loop.syncNow()).toBe('retry'); // page 1 of 2, then no signal
    expect(await db.records.count()).toBe(PULL_LIMIT);

    server.version += 1;
    server.records.set('late', { kind: 'suggestion', id: 'late', community_id: 'c1', version: server.version, fields: { content: 'late' } });
    answered = Infinity;
    // The app was closed meanwhile: what the phone knows of the old run is in the db.
    const reopened = new SyncLoop({ db, api: server, appVersion: 't' });
    expect(await reopened.syncNow()).toBe('ok');
    expect((await db.records.get('late'))?.fields.content).toBe('late');
    expect(await db.records.count()).toBe(PULL_LIMIT + 2);
    // The old run's last page, then one fresh run: no loop.
    expect(server.pulls).toEqual([null, `${PULL_LIMIT}@${PULL_LIMIT + 1}`, String(PULL_LIMIT + 1)]);
  });
});
