import { describe, expect, it } from 'vitest';
import { enqueue } from '../src/outbox';
import { applyPulled, childrenOf, isMine, withLatticeBase } from '../src/records';
import { freshDb } from './helpers';

describe('records', () => {
  it('a status edit carries the reopen_count it was based on', () => {
    expect(withLatticeBase('case', { reopen_count: 2 }, { status: 'resolved' })).toEqual({ status: 'resolved', reopen_count: 2 });
    expect(withLatticeBase('case', null, { status: 'accepted' })).toEqual({ status: 'accepted', reopen_count: 0 });
    expect(withLatticeBase('case', null, { title: 'x' })).toEqual({ title: 'x' });
    expect(withLatticeBase('visit', null, { status: 'x' })).toEqual({ status: 'x' });
  });

  it('finds a case step by its parent case, and a finding by its visit', async () => {
    const db = await freshDb();
    await enqueue(db, { kind: 'case_step', record_id: 's1', community_id: 'c1', fields: { case_id: 'k1', action: 'note' } }, 1);
    await enqueue(db, { kind: 'patrol_finding', record_id: 'f1', community_id: 'c1', fields: { visit_id: 'v1', category: '其他', description: 'd' } }, 2);
    expect((await childrenOf(db, { id: 'k1', community_id: 'c1' })).map((r) => r.id)).toEqual(['s1']);
    expect((await childrenOf(db, { id: 'v1', community_id: 'c1' }, 'patrol_finding')).map((r) => r.id)).toEqual(['f1']);
  });

  it("a child naming a record of another community is not that record's", async () => {
    const db = await freshDb();
    await applyPulled(db, [
      { kind: 'case', id: 'k1', community_id: 'c1', version: 1, fields: { title: 'a' } },
      { kind: 'case_step', id: 's1', community_id: 'c2', version: 2, fields: { case_id: 'k1', action: 'note' } },
    ]);
    expect(await childrenOf(db, { id: 'k1', community_id: 'c1' })).toEqual([]);
  });

  it('a purged community disappears, except records with edits still queued', async () => {
    const db = await freshDb();
    await applyPulled(db, [
      { kind: 'case', id: 'a', community_id: 'c-old', version: 1, fields: { title: 'a' } },
      { kind: 'case', id: 'b', community_id: 'c-old', version: 2, fields: { title: 'b' } },
    ]);
    await enqueue(db, { kind: 'case', record_id: 'b', community_id: 'c-old', fields: { title: 'b2' } }, 3);
    await applyPulled(db, [], ['c-old']);
    expect((await db.records.toArray()).map((r) => r.id)).toEqual(['b']);
  });

  it("a colleague's visit is not mine; one made here and not yet pulled back is", async () => {
    const db = await freshDb();
    await applyPulled(db, [
      { kind: 'visit', id: 'theirs', community_id: 'c1', version: 1, fields: { started_at: 'x' }, created_by: 'u2' },
      { kind: 'visit', id: 'mine', community_id: 'c1', version: 2, fields: { started_at: 'x' }, created_by: 'u1' },
    ]);
    await enqueue(db, { kind: 'visit', record_id: 'local', community_id: 'c1', fields: { started_at: 'y' } }, 3);
    const visits = await db.records.where('kind').equals('visit').toArray();
    expect(visits.filter((v) => isMine(v, 'u1')).map((v) => v.id).sort()).toEqual(['local', 'mine']);
  });
});
