// The edits screens make. Each one is a mutation in the outbox (seq, HLC and the
// optimistic local record in one transaction, see outbox.ts); nothing here touches
// the DOM or the network.
import { requireDb } from './account';
import { hlcNow } from './clock';
import type { LocalRecord, RejectedEntry } from './db';
import { t } from './i18n';
import { uuidv7 } from './ids';
import { enqueue, markResent } from './outbox';
import { withLatticeBase } from './records';
import type { Fields } from './types';

/** Create (record null) or update a record; returns its id. */
export async function saveRecord(
  kind: string,
  communityId: string,
  record: LocalRecord | null,
  fields: Fields,
  opts: { recordId?: string } = {},
): Promise<string> {
  const db = requireDb();
  // An edit that changed nothing would only spend a seq and overwrite nothing.
  if (record && Object.keys(fields).length === 0) return record.id;
  const id = record?.id ?? opts.recordId ?? uuidv7();
  const out = withLatticeBase(kind, record?.base ?? null, fields);
  await enqueue(db, { kind, record_id: id, community_id: communityId, fields: out }, hlcNow());
  return id;
}

/** Nothing is deleted by sync: a mistaken record is voided, with the reason kept. */
export async function voidRecord(record: LocalRecord, reason: string): Promise<void> {
  await saveRecord(record.kind, record.community_id, record, { voided: true, void_reason: reason.trim() || null });
}

/**
 * A patrol finding that needs handling becomes a case (source 巡查发现); the finding
 * keeps a link to it so the ledger shows where the case came from.
 */
export async function findingToCase(finding: LocalRecord): Promise<string> {
  const description = String(finding.fields.description ?? '');
  const caseId = await saveRecord('case', finding.community_id, null, {
    title: [...description].slice(0, 50).join('') || t('kind.unknown'),
    category: finding.fields.category,
    source: 'patrol',
    description,
    ...(finding.fields.location ? { location: finding.fields.location } : {}),
    ...(finding.fields.visit_id ? { visit_id: finding.fields.visit_id } : {}),
  });
  await saveRecord('patrol_finding', finding.community_id, finding, { case_id: caseId });
  return caseId;
}

/** Fix-and-resend: a NEW mutation (new id, next seq); the rejected one stays on record. */
export async function resend(entry: RejectedEntry, fields: Fields): Promise<void> {
  const db = requireDb();
  const m = entry.mutation;
  // Same record id: children already pointing at it (a case's steps) stay attached.
  const existing = (await db.records.get(m.record_id)) ?? null;
  const before = await db.outbox.orderBy('seq').last();
  await saveRecord(m.kind, m.community_id, existing, fields, { recordId: m.record_id });
  const latest = await db.outbox.orderBy('seq').last();
  if (latest && latest.seq !== before?.seq) await markResent(db, entry.id, latest.id);
}
