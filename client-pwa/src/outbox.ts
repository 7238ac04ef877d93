// The outbox: every local edit becomes a mutation with this device's next seq and HLC.
// No DOM here; screens call enqueue() and read counts, the sync loop peeks and acks.
import { META, getMeta, parentIdOf, type LocalRecord, type OutboxEntry, type WorkroomDb } from './db';
import { formatHlc, initialHlc, tick, type Hlc } from './hlc';
import { uuidv7 } from './ids';
import type { ApiError, Fields, Mutation } from './types';

export interface EditInput {
  kind: string;
  record_id: string;
  community_id: string;
  fields: Fields;
}

/**
 * Queue one edit. Seq, HLC, the outbox row and the optimistic local record are written
 * in one transaction, so a crash can never leave a gap in seq or an edit without its
 * mutation.
 */
export async function enqueue(db: WorkroomDb, edit: EditInput, now: number): Promise<OutboxEntry> {
  return db.transaction('rw', [db.outbox, db.meta, db.records], async () => {
    const device = (await getMeta<string>(db, META.deviceId)) ?? 'unknown';
    const seq = (await getMeta<number>(db, META.nextSeq)) ?? 1;
    const prev = (await getMeta<Hlc>(db, META.hlc)) ?? initialHlc(device);
    const hlc = tick({ ...prev, device }, now);
    const existing = await db.records.get(edit.record_id);
    const entry: OutboxEntry = {
      id: uuidv7(now),
      seq,
      hlc: formatHlc(hlc),
      kind: edit.kind,
      record_id: edit.record_id,
      community_id: existing?.community_id ?? edit.community_id,
      base_version: existing?.version ?? 0,
      fields: edit.fields,
      queued_at: now,
    };
    await db.outbox.add(entry);
    await db.meta.bulkPut([
      { key: META.nextSeq, value: seq + 1 },
      { key: META.hlc, value: hlc },
    ]);
    const fields = { ...(existing?.fields ?? {}), ...edit.fields };
    const record: LocalRecord = {
      id: edit.record_id,
      kind: existing?.kind ?? edit.kind,
      community_id: entry.community_id,
      version: existing?.version ?? 0,
      base: existing?.base ?? null,
      fields,
      parent_id: parentIdOf(edit.kind, fields),
      created_by: existing?.created_by,
      created_at: existing?.created_at ?? new Date(now).toISOString(),
      updated_at: new Date(now).toISOString(),
    };
    await db.records.put(record);
    return entry;
  });
}

/** The oldest queued mutations, in seq order (the order the protocol requires). */
export async function peek(db: WorkroomDb, limit: number): Promise<OutboxEntry[]> {
  return db.outbox.orderBy('seq').limit(limit).toArray();
}

export async function pendingCount(db: WorkroomDb): Promise<number> {
  return db.outbox.count();
}

/** Drop what the server has acknowledged: only seqs covered by `acked_seq`, never more. */
export async function acknowledge(db: WorkroomDb, ackedSeq: number): Promise<number> {
  return db.outbox.where('seq').belowOrEqual(ackedSeq).delete();
}

export function toWire(entry: OutboxEntry): Mutation {
  const { queued_at: _queued, ...mutation } = entry;
  return mutation;
}

/**
 * Keep a rejected mutation with the server's reason and take its fields back out of
 * the local record, so the screens stop showing a value the server never accepted.
 */
export async function recordRejection(db: WorkroomDb, mutation: Mutation, error: ApiError, now: number): Promise<void> {
  await db.transaction('rw', [db.rejected, db.records, db.outbox], async () => {
    const already = await db.rejected.get(mutation.id);
    if (!already) {
      await db.rejected.put({ id: mutation.id, mutation, error, rejected_at: now, resent_as: null });
    }
    await rebuildRecord(db, mutation.record_id, { exclude: mutation.id });
  });
}

/** Recompute a record's shown fields from its pulled base plus pending outbox entries. */
export async function rebuildRecord(db: WorkroomDb, recordId: string, opts: { exclude?: string } = {}): Promise<void> {
  const record = await db.records.get(recordId);
  if (!record) return;
  const pending = (await db.outbox.where('record_id').equals(recordId).sortBy('seq')).filter(
    (m) => m.id !== opts.exclude,
  );
  if (record.base === null && pending.length === 0) {
    // Never reached the server and nothing pending: the rejected store now holds it.
    await db.records.delete(recordId);
    return;
  }
  let fields: Fields = { ...(record.base ?? {}) };
  for (const m of pending) fields = { ...fields, ...m.fields };
  await db.records.put({ ...record, fields, parent_id: parentIdOf(record.kind, fields) });
}

/** Mark a rejected mutation as fixed by a new one; the original stays on the device. */
export async function markResent(db: WorkroomDb, rejectedId: string, newMutationId: string): Promise<void> {
  await db.rejected.update(rejectedId, { resent_as: newMutationId });
}
