// Glue between the screens and the data modules: session, per-user database, the
// sync loop and the few actions screens perform. Screens subscribe for re-render.
import Dexie from 'dexie';
import { Api, ApiFailure } from './api';
import { META, getMeta, openUserDb, setMeta, type LocalRecord, type RejectedEntry, type WorkroomDb } from './db';
import { correctedNow, MAX_SKEW_MS } from './hlc';
import { newDeviceId, uuidv7 } from './ids';
import { enqueue, markResent, pendingCount } from './outbox';
import { withLatticeBase } from './records';
import { downscale, sha256Hex } from './photo';
import { clearSession, forgetDevice, knownDeviceId, loadSession, rememberDevice, saveSession, type Session } from './session';
import { SyncLoop, type SyncState } from './sync';
import { isoLocal } from './time';
import type { Community, Fields, KindSpec, SchemaExport } from './types';

declare const __APP_VERSION__: string;
export const APP_VERSION = typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : '0.0.0';

const ACTIVE_VISIT = 'active_visit';

export class Controller {
  session: Session | null = null;
  db: WorkroomDb | null = null;
  readonly api = new Api((input, init) => fetch(input, init));
  private loop: SyncLoop | null = null;
  syncState: SyncState | null = null;
  schema: SchemaExport | null = null;
  communities: Community[] = [];
  clockOffsetMs = 0;
  online = typeof navigator === 'undefined' ? true : navigator.onLine;
  authExpired = false;
  persisted: boolean | null = null;
  updateReady: ((reload?: boolean) => Promise<void>) | null = null;
  private listeners = new Set<() => void>();

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  notify(): void {
    for (const fn of this.listeners) fn();
  }

  async start(): Promise<void> {
    window.addEventListener('online', () => {
      this.online = true;
      this.notify();
      void this.syncNow();
    });
    window.addEventListener('offline', () => {
      this.online = false;
      this.notify();
    });
    const session = loadSession();
    if (session) await this.open(session);
    this.notify();
    if (this.session && this.online) {
      await this.refreshProfile();
      void this.syncNow();
    }
  }

  private async open(session: Session): Promise<void> {
    this.session = session;
    this.api.setToken(session.token);
    this.db = openUserDb(session.user.id);
    await this.db.open();
    const knownDevice = await getMeta<string>(this.db, META.deviceId);
    if (!knownDevice) await setMeta(this.db, META.deviceId, session.device_id);
    this.schema = (await getMeta<SchemaExport>(this.db, META.schema)) ?? null;
    this.communities = (await getMeta<Community[]>(this.db, META.communities)) ?? [];
    this.clockOffsetMs = (await getMeta<number>(this.db, META.clockOffset)) ?? 0;
    this.loop = new SyncLoop({
      db: this.db,
      api: this.api,
      appVersion: APP_VERSION,
      onState: (s) => void this.onSyncState(s),
    });
    this.syncState = this.loop.state;
    this.startVisitClock();
  }

  private visitClock: ReturnType<typeof setInterval> | null = null;

  /**
   * Monotonic time spent with a visit open, accumulated only while the app runs:
   * performance.now() cannot be moved by changing the phone's clock, so elapsed_s is
   * the duration the server can trust when the wall clock cannot be.
   */
  private startVisitClock(): void {
    if (this.visitClock) clearInterval(this.visitClock);
    let last = performance.now();
    this.visitClock = setInterval(() => {
      const db = this.db;
      const nowMono = performance.now();
      const delta = nowMono - last;
      last = nowMono;
      if (!db) return;
      void getMeta<string>(db, ACTIVE_VISIT).then(async (id) => {
        if (!id) return;
        const key = `elapsed:${id}`;
        await setMeta(db, key, ((await getMeta<number>(db, key)) ?? 0) + delta);
      });
    }, 5_000);
  }

  async checkIn(communityId: string, gps: unknown | null): Promise<string> {
    if (!this.db) throw new Error('not logged in');
    const fields: Fields = { started_at: isoLocal(Date.now()) };
    if (gps) fields.gps_in = gps;
    const id = await this.save('visit', communityId, null, fields);
    await setMeta(this.db, ACTIVE_VISIT, id);
    await setMeta(this.db, `elapsed:${id}`, 0);
    return id;
  }

  async checkOut(visit: LocalRecord, fields: Fields): Promise<void> {
    if (!this.db) return;
    const elapsedMs = (await getMeta<number>(this.db, `elapsed:${visit.id}`)) ?? null;
    const out: Fields = { ended_at: isoLocal(Date.now()), ...fields };
    if (elapsedMs !== null) out.elapsed_s = Math.round(elapsedMs / 1000);
    await this.save('visit', visit.community_id, visit, out);
    await setMeta(this.db, ACTIVE_VISIT, null);
    await this.db.meta.delete(`elapsed:${visit.id}`);
  }

  private async onSyncState(s: SyncState): Promise<void> {
    this.syncState = s;
    if (s.phase === 'auth_required') this.authExpired = true;
    if (this.db && (s.phase === 'idle' || s.phase === 'pulling')) {
      this.clockOffsetMs = (await getMeta<number>(this.db, META.clockOffset)) ?? this.clockOffsetMs;
    }
    this.notify();
  }

  /** Communities and the form schema, refreshed whenever the app opens online. */
  async refreshProfile(): Promise<void> {
    if (!this.db) return;
    try {
      const me = await this.api.me();
      this.communities = me.communities;
      await setMeta(this.db, META.communities, me.communities);
    } catch (err) {
      if (err instanceof ApiFailure && err.isAuth) this.authExpired = true;
    }
    try {
      this.schema = await this.api.schema();
      await setMeta(this.db, META.schema, this.schema);
    } catch {
      // Offline or not yet deployed: the cached schema keeps the forms working.
    }
    this.notify();
  }

  async login(username: string, password: string): Promise<void> {
    const remembered = knownDeviceId(username);
    const firstDevice = remembered ?? newDeviceId();
    const device_name = navigator.userAgent.slice(0, 60);
    let res = await this.api.login({ username, password, device_id: firstDevice, device_name });
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
      res = await this.api.login({ username, password, device_id, device_name });
    }
    rememberDevice(username, device_id);
    const session: Session = { token: res.token, expires_at: res.expires_at, user: res.user, username, device_id };
    saveSession(session);
    this.loop?.stop();
    this.db?.close();
    await this.open(session);
    this.authExpired = false;
    if (navigator.storage?.persist) {
      this.persisted = await navigator.storage.persist().catch(() => false);
    }
    await this.refreshProfile();
    void this.syncNow();
  }

  /** Everything not yet on the server: queued mutations plus unresolved rejections. */
  async unsyncedCount(): Promise<number> {
    if (!this.db) return 0;
    const rejected = await this.db.rejected.filter((r) => r.resent_as === null).count();
    return (await pendingCount(this.db)) + rejected;
  }

  /**
   * Log out. With unsynced records the database stays on the phone (the caller asked
   * the user first); with none it is deleted so a shared phone keeps no one's data.
   */
  async logout(): Promise<void> {
    const session = this.session;
    const db = this.db;
    if (!session || !db) return;
    const unsynced = await this.unsyncedCount();
    try {
      await this.api.logout();
    } catch {
      // Offline: the token simply stays unused on this phone after we forget it.
    }
    this.loop?.stop();
    if (this.visitClock) clearInterval(this.visitClock);
    db.close();
    if (unsynced === 0) {
      await Dexie.delete(db.name);
      forgetDevice(session.username);
    }
    clearSession();
    this.api.setToken(null);
    this.session = null;
    this.db = null;
    this.loop = null;
    this.syncState = null;
    this.authExpired = false;
    this.notify();
  }

  syncNow(): Promise<unknown> {
    if (!this.loop || this.authExpired) return Promise.resolve();
    return this.loop.syncNow().finally(() => this.notify());
  }

  get syncing(): boolean {
    return this.loop?.busy ?? false;
  }

  /** Phone clock corrected by the offset measured at the last sync, for HLC stamps. */
  hlcNow(): number {
    return correctedNow(Date.now(), this.clockOffsetMs);
  }

  get clockSkewMinutes(): number {
    return Math.abs(this.clockOffsetMs) > MAX_SKEW_MS ? Math.round(this.clockOffsetMs / 60_000) : 0;
  }

  kindSpec(kind: string): KindSpec | null {
    return this.schema?.kinds.find((k) => k.kind === kind) ?? null;
  }

  kindLabel(kind: string): string {
    return this.kindSpec(kind)?.label ?? kind;
  }

  /** Create (record null) or update a record; returns its id. */
  async save(
    kind: string,
    communityId: string,
    record: LocalRecord | null,
    fields: Fields,
    opts: { recordId?: string } = {},
  ): Promise<string> {
    if (!this.db) throw new Error('not logged in');
    // An edit that changed nothing would only spend a seq and overwrite nothing.
    if (record && Object.keys(fields).length === 0) return record.id;
    const id = record?.id ?? opts.recordId ?? uuidv7();
    const out = withLatticeBase(kind, record?.base ?? null, fields);
    await enqueue(this.db, { kind, record_id: id, community_id: communityId, fields: out }, this.hlcNow());
    this.notify();
    return id;
  }

  async addPhoto(parent: LocalRecord, file: Blob): Promise<void> {
    if (!this.db) return;
    const jpeg = await downscale(file);
    const sha256 = await sha256Hex(jpeg);
    await this.db.blobs.put({ sha256, blob: jpeg, media_type: 'image/jpeg', size: jpeg.size, uploaded: 0 });
    await this.save('attachment', parent.community_id, null, {
      parent_kind: parent.kind,
      parent_id: parent.id,
      sha256,
      media_type: 'image/jpeg',
      taken_at: isoLocal(Date.now()),
    });
  }

  /** Fix-and-resend: a NEW mutation (new id, next seq); the rejected one stays on record. */
  async resend(entry: RejectedEntry, fields: Fields): Promise<void> {
    if (!this.db) return;
    const m = entry.mutation;
    // Same record id: children already pointing at it (a case's steps) stay attached.
    const existing = (await this.db.records.get(m.record_id)) ?? null;
    const before = await this.db.outbox.orderBy('seq').last();
    await this.save(m.kind, m.community_id, existing, fields, { recordId: m.record_id });
    const latest = await this.db.outbox.orderBy('seq').last();
    if (latest && latest.seq !== before?.seq) await markResent(this.db, entry.id, latest.id);
    this.notify();
  }

  async exportUnsynced(): Promise<Blob> {
    const db = this.db;
    if (!db) return new Blob([]);
    const data = {
      exported_at: isoLocal(Date.now()),
      user: this.session?.user,
      device_id: this.session?.device_id,
      outbox: await db.outbox.toArray(),
      rejected: await db.rejected.toArray(),
      // The photos themselves, so the file alone is enough to recover the work.
      photos_not_uploaded: await Promise.all(
        (await db.blobs.where('uploaded').equals(0).toArray()).map(async (b) => ({
          sha256: b.sha256,
          media_type: b.media_type,
          base64: toBase64(new Uint8Array(await b.blob.arrayBuffer())),
        })),
      ),
    };
    return new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
  }
}

export const app = new Controller();

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
