// The sync loop: push the outbox in batches, upload the photos the server lacks, then
// pull until has_more is false (and one run more after resuming a run cut short). One
// run at a time; transient failures back off exponentially (capped, at least as long
// as the server's Retry-After) and the 同步 button cuts the wait short; a 401 stops
// everything until the user logs in again; a permanent error (seq_gap, another 4xx)
// stops the loop until the user retries by hand. The outbox is untouched by all three.
import { ApiFailure, type Api } from './api';
import { META, getMeta, setMeta, type WorkroomDb } from './db';
import { asFailure, classifyFailure, SEQ_GAP } from './failures';
import { correctedNow, initialHlc, parseHlc, receive, type Hlc } from './hlc';
import { acknowledge, peek, recordRejection, toWire } from './outbox';
import { applyPulled, noteOverrides, type SentValues } from './records';

export const PUSH_BATCH = 500;
export const PULL_LIMIT = 1000;
export const BACKOFF_BASE_MS = 5_000;
export const BACKOFF_CAP_MS = 5 * 60_000;

/** `stopped`: a permanent error; no timer runs, only the user's 同步 starts again. */
export type SyncPhase = 'idle' | 'pushing' | 'uploading' | 'pulling' | 'waiting_retry' | 'auth_required' | 'stopped';

export interface SyncState {
  phase: SyncPhase;
  attempt: number;
  retryAt: number | null;
  lastError: string | null;
  blobsDone: number;
  blobsTotal: number;
}

export type SyncApi = Pick<Api, 'push' | 'pull' | 'missingBlobs' | 'putBlob'>;

export interface SyncDeps {
  db: WorkroomDb;
  api: SyncApi;
  appVersion: string;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (id: unknown) => void;
  onState?: (s: SyncState) => void;
}

export type SyncOutcome = 'ok' | 'retry' | 'auth' | 'stopped';

export function backoffDelay(attempt: number): number {
  return Math.min(BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1), BACKOFF_CAP_MS);
}

/** The wait before automatic retry `attempt`: the backoff, or longer if the server asked. */
export function retryDelay(attempt: number, retryAfterMs?: number): number {
  return Math.min(Math.max(backoffDelay(attempt), retryAfterMs ?? 0), BACKOFF_CAP_MS);
}

export function isSyncing(state: SyncState | null): boolean {
  return state?.phase === 'pushing' || state?.phase === 'uploading' || state?.phase === 'pulling';
}

export class SyncLoop {
  private running: Promise<SyncOutcome> | null = null;
  private timer: unknown = null;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (id: unknown) => void;
  state: SyncState = { phase: 'idle', attempt: 0, retryAt: null, lastError: null, blobsDone: 0, blobsTotal: 0 };

  constructor(private readonly deps: SyncDeps) {
    this.now = deps.now ?? (() => Date.now());
    this.setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = deps.clearTimer ?? ((id) => clearTimeout(id as ReturnType<typeof setTimeout>));
  }

  get busy(): boolean {
    return this.running !== null;
  }

  /**
   * Start a sync now. A pending backoff timer is cancelled (the button cuts the wait
   * short); a run already in progress is joined rather than doubled.
   */
  syncNow(): Promise<SyncOutcome> {
    if (this.timer !== null) {
      this.clearTimer(this.timer);
      this.timer = null;
    }
    if (this.running) return this.running;
    this.running = this.runOnce().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  stop(): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
  }

  private set(patch: Partial<SyncState>): void {
    this.state = { ...this.state, ...patch };
    this.deps.onState?.(this.state);
  }

  private sent: SentValues = new Map();

  private async runOnce(): Promise<SyncOutcome> {
    this.sent = new Map();
    try {
      this.set({ phase: 'pushing', lastError: null, retryAt: null });
      await this.pushAll();
      this.set({ phase: 'uploading' });
      await this.uploadBlobs();
      this.set({ phase: 'pulling' });
      await this.pullAll();
      await setMeta(this.deps.db, META.lastSyncAt, this.now());
      this.set({ phase: 'idle', attempt: 0 });
      return 'ok';
    } catch (err) {
      return this.fail(err);
    }
  }

  private fail(err: unknown): SyncOutcome {
    const failure = asFailure(err);
    switch (classifyFailure(failure)) {
      case 'auth':
        // Retrying with a dead token would only lock the account; wait for a new login.
        this.set({ phase: 'auth_required', lastError: failure.code, retryAt: null });
        return 'auth';
      case 'permanent':
        // The same request would get the same answer every 5 minutes forever: stop,
        // say what happened, and let the user retry once they have dealt with it.
        this.set({ phase: 'stopped', attempt: 0, lastError: failure.code, retryAt: null });
        return 'stopped';
      case 'transient': {
        const attempt = this.state.attempt + 1;
        const delay = retryDelay(attempt, failure.retryAfterMs);
        this.set({ phase: 'waiting_retry', attempt, lastError: failure.code, retryAt: this.now() + delay });
        this.timer = this.setTimer(() => {
          this.timer = null;
          void this.syncNow();
        }, delay);
        return 'retry';
      }
    }
  }

  /**
   * Fold the server's HLC into ours and measure how far the phone's clock is off
   * (positive: the phone is ahead). Latency is ignored: it is far below the 5-minute
   * threshold that matters.
   */
  private async observe(serverHlc: string, serverTime: number, phoneTime: number): Promise<void> {
    const { db } = this.deps;
    const offset = phoneTime - serverTime;
    await setMeta(db, META.clockOffset, offset);
    const remote = parseHlc(serverHlc);
    if (!remote) return;
    const device = (await getMeta<string>(db, META.deviceId)) ?? 'unknown';
    const local = (await getMeta<Hlc>(db, META.hlc)) ?? initialHlc(device);
    await setMeta(db, META.hlc, receive(local, remote, correctedNow(this.now(), offset)));
  }

  private async pushAll(): Promise<void> {
    const { db, api } = this.deps;
    let size = PUSH_BATCH;
    for (;;) {
      const batch = await peek(db, size);
      if (batch.length === 0) return;
      const deviceTime = this.now();
      let res;
      try {
        res = await api.push({
          device_time: deviceTime,
          app_version: this.deps.appVersion,
          mutations: batch.map(toWire),
        });
      } catch (err) {
        // Long texts can make 500 mutations exceed the server's body limit: halve the
        // batch rather than retry the same oversized request forever.
        if (err instanceof ApiFailure && err.status === 413 && size > 1) {
          size = Math.max(1, Math.floor(size / 2));
          continue;
        }
        throw err;
      }
      await this.observe(res.hlc, res.server_time, deviceTime);
      const byId = new Map(batch.map((m) => [m.id, m]));
      for (const result of res.results) {
        const m = byId.get(result.id);
        if (m && result.status === 'applied') {
          const prev = this.sent.get(m.record_id)?.fields ?? {};
          // reopen_count rides along with status; only what the user chose is compared.
          const { reopen_count: _rc, ...chosen } = m.fields;
          this.sent.set(m.record_id, { kind: m.kind, fields: { ...prev, ...chosen } });
        }
        if (m && result.status === 'rejected') {
          await recordRejection(
            db,
            toWire(m),
            result.error ?? { code: 'rejected', message: '' },
            this.now(),
          );
        }
      }
      await acknowledge(db, res.acked_seq);
      if (res.acked_seq < batch[0]!.seq) {
        // The server is waiting for an earlier seq we no longer hold; resending the
        // same batch would loop forever, so stop and surface it.
        throw new ApiFailure(0, SEQ_GAP, `acked_seq ${res.acked_seq} < ${batch[0]!.seq}`);
      }
    }
  }

  private async uploadBlobs(): Promise<void> {
    const { db, api } = this.deps;
    const waiting = await db.blobs.where('uploaded').equals(0).toArray();
    if (waiting.length === 0) return;
    const { missing } = await api.missingBlobs(waiting.map((b) => b.sha256));
    const need = new Set(missing);
    this.set({ blobsDone: 0, blobsTotal: need.size });
    let done = 0;
    for (const blob of waiting) {
      if (need.has(blob.sha256)) {
        await api.putBlob(blob.sha256, blob.blob, blob.media_type);
        done += 1;
        this.set({ blobsDone: done });
      }
      // The bytes stay on the device after upload so the photo still shows offline.
      await db.blobs.update(blob.sha256, { uploaded: 1 });
    }
  }

  /**
   * Pull until up to date. A page run reads only up to the horizon its first page saw,
   * and a mid-run cursor carries that horizon: a run resumed after the signal dropped
   * (maybe days later) ends at the old horizon, so it is followed by one fresh run.
   */
  private async pullAll(): Promise<void> {
    const { db, api } = this.deps;
    let cursor = (await getMeta<string>(db, META.cursor)) ?? null;
    // A cursor stored before the flag existed may be mid-run; one extra pull is cheap.
    let resumed = (await getMeta<boolean>(db, META.cursorMidRun)) ?? cursor !== null;
    let resetOnce = false;
    for (;;) {
      let res;
      try {
        res = await api.pull(cursor, PULL_LIMIT);
      } catch (err) {
        if (err instanceof ApiFailure && err.code === 'invalid_cursor' && !resetOnce) {
          resetOnce = true;
          cursor = null;
          resumed = false;
          continue;
        }
        throw err;
      }
      await applyPulled(db, res.records, res.purge ?? []);
      await noteOverrides(db, res.records, this.sent, this.now());
      await this.observe(res.hlc, res.server_time, this.now());
      cursor = res.cursor;
      // One write for both, so a crash can never pair a mid-run cursor with "run ended".
      await db.meta.bulkPut([
        { key: META.cursor, value: cursor },
        { key: META.cursorMidRun, value: res.has_more },
      ]);
      if (!res.has_more) {
        if (!resumed) return;
        resumed = false;
      }
    }
  }
}
