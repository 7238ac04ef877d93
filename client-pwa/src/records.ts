// Applying pulled server state to the local store, and the read queries screens use.
import { parentIdOf, type LocalRecord, type WorkroomDb } from './db';
import type { Fields, PulledRecord } from './types';

/**
 * Store each pulled record as the new base and re-apply our still-pending edits on
 * top, so an edit made offline stays visible until the server has merged it.
 */
export async function applyPulled(db: WorkroomDb, pulled: PulledRecord[], purge: string[] = []): Promise<void> {
  await db.transaction('rw', [db.records, db.outbox], async () => {
    for (const r of pulled) {
      const pending = await db.outbox.where('record_id').equals(r.id).sortBy('seq');
      let fields: Fields = { ...r.fields };
      for (const m of pending) fields = { ...fields, ...m.fields };
      const record: LocalRecord = {
        id: r.id,
        kind: r.kind,
        community_id: r.community_id,
        version: r.version,
        base: r.fields,
        fields,
        parent_id: parentIdOf(r.kind, fields),
        created_by: r.created_by,
        created_at: r.created_at,
        updated_at: r.updated_at,
      };
      await db.records.put(record);
    }
    for (const communityId of purge) {
      // A community left this user's scope; edits still queued for it stay in the
      // outbox (the server will answer them) rather than vanish with the records.
      const gone = await db.records.where('community_id').equals(communityId).toArray();
      for (const rec of gone) {
        const queued = await db.outbox.where('record_id').equals(rec.id).count();
        if (queued === 0) await db.records.delete(rec.id);
      }
    }
  });
}

export function isVoided(r: LocalRecord): boolean {
  return r.fields.voided === true;
}

export async function recordsOfKind(db: WorkroomDb, kind: string): Promise<LocalRecord[]> {
  const rows = await db.records.where('kind').equals(kind).toArray();
  return rows.filter((r) => !isVoided(r));
}

export async function childrenOf(db: WorkroomDb, parentId: string, kind?: string): Promise<LocalRecord[]> {
  const rows = await db.records.where('parent_id').equals(parentId).toArray();
  return rows.filter((r) => !isVoided(r) && (!kind || r.kind === kind));
}

export async function pendingRecordIds(db: WorkroomDb): Promise<Set<string>> {
  const keys = await db.outbox.toArray();
  return new Set(keys.map((m) => m.record_id));
}
