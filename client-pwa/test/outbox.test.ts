import { describe, expect, it } from 'vitest';
import { META, dbNameFor, getMeta } from '../src/db';
import { parseHlc, compareHlc } from '../src/hlc';
import { acknowledge, enqueue, peek, pendingCount, recordRejection, toWire } from '../src/outbox';
import { applyPulled } from '../src/records';
import { freshDb } from './helpers';

const T0 = 1_764_316_800_000;

describe('outbox', () => {
  it('numbers mutations from 1 without gaps and stamps increasing HLCs', async () => {
    const db = await freshDb('tab-07');
    const a = await enqueue(db, { kind: 'visit', record_id: 'v1', community_id: 'c1', fields: { started_at: 'x' } }, T0);
    const b = await enqueue(db, { kind: 'visit', record_id: 'v1', community_id: 'c1', fields: { summary: 's' } }, T0 - 5000);
    expect([a.seq, b.seq]).toEqual([1, 2]);
    expect(a.hlc).toBe('1764316800000:00000:tab-07');
    expect(compareHlc(parseHlc(b.hlc)!, parseHlc(a.hlc)!)).toBe(1);
    expect(await getMeta(db, META.nextSeq)).toBe(3);
  });

  it('shows an offline edit in the local record straight away', async () => {
    const db = await freshDb();
    await enqueue(db, { kind: 'case', record_id: 'k1', community_id: 'c1', fields: { title: '楼道堆物' } }, T0);
    await enqueue(db, { kind: 'case', record_id: 'k1', community_id: 'c1', fields: { status: 'accepted', reopen_count: 0 } }, T0 + 1);
    const rec = await db.records.get('k1');
    expect(rec?.fields).toEqual({ title: '楼道堆物', status: 'accepted', reopen_count: 0 });
    expect(rec?.version).toBe(0);
  });

  it('sends the pulled version as base_version', async () => {
    const db = await freshDb();
    await applyPulled(db, [{ kind: 'case', id: 'k9', community_id: 'c1', version: 42, fields: { title: 't' } }]);
    const m = await enqueue(db, { kind: 'case', record_id: 'k9', community_id: 'c1', fields: { title: 'u' } }, T0);
    expect(m.base_version).toBe(42);
  });

  it('peeks in seq order and keeps entries until acked_seq covers them', async () => {
    const db = await freshDb();
    for (let i = 0; i < 5; i++) {
      await enqueue(db, { kind: 'suggestion', record_id: `s${i}`, community_id: 'c1', fields: { content: `${i}` } }, T0 + i);
    }
    expect((await peek(db, 3)).map((m) => m.seq)).toEqual([1, 2, 3]);
    await acknowledge(db, 2);
    expect((await peek(db, 10)).map((m) => m.seq)).toEqual([3, 4, 5]);
    await acknowledge(db, 0);
    expect(await pendingCount(db)).toBe(3);
  });

  it('keeps seq counting after acknowledged entries are deleted', async () => {
    const db = await freshDb();
    await enqueue(db, { kind: 'suggestion', record_id: 's1', community_id: 'c1', fields: { content: 'a' } }, T0);
    await acknowledge(db, 1);
    const next = await enqueue(db, { kind: 'suggestion', record_id: 's2', community_id: 'c1', fields: { content: 'b' } }, T0);
    expect(next.seq).toBe(2);
  });

  it('keeps a rejected mutation with its reason and takes it out of the local view', async () => {
    const db = await freshDb();
    const m = await enqueue(db, { kind: 'case', record_id: 'k1', community_id: 'c1', fields: { title: 'x' } }, T0);
    await recordRejection(db, toWire(m), { code: 'missing_field', message: 'category is required', field: 'category' }, T0);
    const kept = await db.rejected.get(m.id);
    expect(kept?.error.code).toBe('missing_field');
    expect(kept?.mutation.fields).toEqual({ title: 'x' });
    expect(await db.records.get('k1')).toBeUndefined();
  });

  it('gives each user a database of their own', () => {
    expect(dbNameFor('u1')).not.toBe(dbNameFor('u2'));
  });

  it('re-applies pending edits on top of a newer pull', async () => {
    const db = await freshDb();
    await applyPulled(db, [{ kind: 'case', id: 'k1', community_id: 'c1', version: 1, fields: { title: 'a', location: 'L' } }]);
    await enqueue(db, { kind: 'case', record_id: 'k1', community_id: 'c1', fields: { title: 'mine' } }, T0);
    await applyPulled(db, [{ kind: 'case', id: 'k1', community_id: 'c1', version: 2, fields: { title: 'theirs', location: 'M' } }]);
    const rec = await db.records.get('k1');
    expect(rec?.fields).toEqual({ title: 'mine', location: 'M' });
    expect(rec?.version).toBe(2);
  });
});
