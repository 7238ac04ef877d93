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

/**
 * A parent's children: only those of its own community. The server accepts a child
 * before its parent exists (offline order), so an id may be named from another
 * community; such a child belongs to nobody (sync/domain/refs.py).
 */
export async function childrenOf(
  db: WorkroomDb,
  parent: Pick<LocalRecord, 'id' | 'community_id'>,
  kind?: string,
): Promise<LocalRecord[]> {
  const rows = await db.records.where('parent_id').equals(parent.id).toArray();
  return rows.filter((r) => !isVoided(r) && r.community_id === parent.community_id && (!kind || r.kind === kind));
}

export async function pendingRecordIds(db: WorkroomDb): Promise<Set<string>> {
  const keys = await db.outbox.toArray();
  return new Set(keys.map((m) => m.record_id));
}

/**
 * A case's status merges by the (reopen_count, stage) lattice, so every status edit
 * must carry the reopen_count it was based on or the server rejects it missing_field.
 */
export function withLatticeBase(kind: string, current: Fields | null, fields: Fields): Fields {
  if (kind !== 'case' || !('status' in fields) || 'reopen_count' in fields) return fields;
  const base = current?.reopen_count;
  return { ...fields, reopen_count: typeof base === 'number' ? base : 0 };
}

/** Field values this device just had applied, per record: checked at the next pull. */
export type SentValues = Map<string, { kind: string; fields: Fields }>;

/**
 * Liaisons cannot read the server's conflict log, so the device notices for itself
 * when a value it just pushed is not what the server kept: a concurrent edit won.
 */
export async function noteOverrides(db: WorkroomDb, pulled: PulledRecord[], sent: SentValues, now: number): Promise<void> {
  for (const r of pulled) {
    const mine = sent.get(r.id);
    if (!mine) continue;
    sent.delete(r.id);
    for (const [field, value] of Object.entries(mine.fields)) {
      const theirs = r.fields[field];
      if (JSON.stringify(theirs ?? null) !== JSON.stringify(value ?? null)) {
        await db.overridden.add({ record_id: r.id, kind: r.kind, field, mine: value, theirs, seen_at: now });
      }
    }
  }
}

/**
 * Mine: written by this user, or created on this device and not yet pulled back (the
 * server fills created_by). Colleagues' visits arrive by pull too and must not count
 * towards my weekly rule nor appear as my running visit.
 */
export function isMine(r: LocalRecord, userId: string | undefined): boolean {
  return r.created_by === undefined || r.created_by === null || r.created_by === userId;
}
