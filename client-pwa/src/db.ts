import Dexie, { type Table } from 'dexie';
import type { ApiError, Fields, Mutation } from './types';

/** A record as this device sees it: the server's merged state plus our pending edits. */
export interface LocalRecord {
  id: string;
  kind: string;
  community_id: string;
  /** Server version as last pulled; 0 while the record exists only on this device. */
  version: number;
  /** Fields as last pulled from the server (null: never pulled). */
  base: Fields | null;
  /** What the screens show: base with the outbox's pending fields applied in seq order. */
  fields: Fields;
  /** Parent record id for child kinds, indexed so a case's steps load in one query. */
  parent_id: string;
  created_by?: string;
  created_at?: string;
  updated_at?: string;
}

export interface OutboxEntry extends Mutation {
  queued_at: number;
}

/** A mutation the server rejected. Kept on the device (never dropped) until the user resends. */
export interface RejectedEntry {
  id: string;
  mutation: Mutation;
  error: ApiError;
  rejected_at: number;
  /** Id of the new mutation that fixed it, once the user resent it. */
  resent_as: string | null;
}

export interface BlobEntry {
  sha256: string;
  blob: Blob;
  media_type: string;
  size: number;
  uploaded: 0 | 1;
}

/** One of my edits that a concurrent edit from someone else overrode (seen at pull). */
export interface OverriddenEntry {
  id?: number;
  record_id: string;
  kind: string;
  field: string;
  mine: unknown;
  theirs: unknown;
  seen_at: number;
}

export interface MetaEntry {
  key: string;
  value: unknown;
}

export class WorkroomDb extends Dexie {
  records!: Table<LocalRecord, string>;
  outbox!: Table<OutboxEntry, number>;
  rejected!: Table<RejectedEntry, string>;
  blobs!: Table<BlobEntry, string>;
  meta!: Table<MetaEntry, string>;
  overridden!: Table<OverriddenEntry, number>;

  constructor(name: string) {
    super(name);
    // Upgrades append a new version(n).stores(...) with an .upgrade() callback; never
    // edit a published version, or phones holding unsynced data fail to open the DB.
    this.version(1).stores({
      records: 'id, kind, community_id, parent_id, [kind+community_id]',
      outbox: 'seq, &id, record_id',
      rejected: 'id, rejected_at',
      blobs: 'sha256, uploaded',
      meta: 'key',
    });
    this.version(2).stores({ overridden: '++id, record_id, seen_at' });
  }
}

/**
 * One database per user: a second liaison logging in on a shared phone opens a
 * different database and can never read the first one's records or outbox.
 */
export function dbNameFor(userId: string): string {
  return `workroom-u-${userId}`;
}

export function openUserDb(userId: string): WorkroomDb {
  return new WorkroomDb(dbNameFor(userId));
}

export async function getMeta<T>(db: WorkroomDb, key: string): Promise<T | undefined> {
  const row = await db.meta.get(key);
  return row?.value as T | undefined;
}

export async function setMeta(db: WorkroomDb, key: string, value: unknown): Promise<void> {
  await db.meta.put({ key, value });
}

export const META = {
  hlc: 'hlc',
  nextSeq: 'next_seq',
  cursor: 'cursor',
  /** The stored cursor is inside a page run (its page said has_more). */
  cursorMidRun: 'cursor_mid_run',
  lastSyncAt: 'last_sync_at',
  clockOffset: 'clock_offset_ms',
  schema: 'schema',
  communities: 'communities',
  deviceId: 'device_id',
} as const;

// Parent links are fixed by the protocol's kind table (a contract, not a form detail),
// so indexing them needs no schema download.
const PARENT_FIELD: Record<string, string> = {
  case_step: 'case_id',
  inspection_item: 'inspection_id',
  rectification: 'inspection_id',
  attachment: 'parent_id',
};

/** Parent id of a child record; records done during a visit hang off the visit. */
export function parentIdOf(kind: string, fields: Fields): string {
  const field = PARENT_FIELD[kind] ?? 'visit_id';
  const value = fields[field];
  return typeof value === 'string' ? value : '';
}
