import { beforeEach, describe, expect, it } from 'vitest';
import { account } from '../src/account';
import { findingToCase, resend, saveRecord, voidRecord } from '../src/edits';
import { enqueue, pendingCount, recordRejection, toWire } from '../src/outbox';
import { freshDb, signIn } from './helpers';

beforeEach(() => account.set(null));

describe('fix and resend', () => {
  it('sends a new mutation for the same record and keeps the rejected one, marked', async () => {
    const db = await freshDb();
    const bad = await enqueue(
      db,
      { kind: 'case_step', record_id: 'step-1', community_id: 'c1', fields: { case_id: 'k1', action: 'feedback' } },
      1_764_316_800_000,
    );
    await recordRejection(db, toWire(bad), { code: 'missing_field', message: 'content', field: 'content' }, 1);
    await db.outbox.clear(); // acked by the server
    signIn(db);
    const entry = (await db.rejected.get(bad.id))!;
    await resend(entry, { ...bad.fields, channel: 'phone', content: '已电话告知' });
    const [resent] = await db.outbox.toArray();
    expect(resent!.id).not.toBe(bad.id);
    expect(resent!.seq).toBe(bad.seq + 1);
    expect(resent!.record_id).toBe('step-1');
    expect(resent!.fields).toMatchObject({ case_id: 'k1', action: 'feedback', content: '已电话告知' });
    expect((await db.rejected.get(bad.id))!.resent_as).toBe(resent!.id);
  });
});

describe('edits', () => {
  it('an edit that changed nothing spends no seq', async () => {
    const db = await freshDb();
    signIn(db);
    const id = await saveRecord('suggestion', 'c1', null, { content: '路灯不亮' });
    const record = (await db.records.get(id))!;
    expect(await saveRecord('suggestion', 'c1', record, {})).toBe(id);
    expect(await pendingCount(db)).toBe(1);
  });

  it('a voided record keeps its reason, and a blank reason is sent as none', async () => {
    const db = await freshDb();
    signIn(db);
    const id = await saveRecord('case', 'c1', null, { title: '楼道堆物', category: '乱堆物', source: 'patrol' });
    await voidRecord((await db.records.get(id))!, '  录错社区 ');
    await voidRecord((await db.records.get(id))!, '   ');
    const [, first, second] = await db.outbox.orderBy('seq').toArray();
    expect(first!.fields).toEqual({ voided: true, void_reason: '录错社区' });
    expect(second!.fields).toEqual({ voided: true, void_reason: null });
  });

  it('a patrol finding turned into a case links the two, source patrol', async () => {
    const db = await freshDb();
    signIn(db);
    const findingId = await saveRecord('patrol_finding', 'c1', null, {
      category: '乱堆物', description: '三号楼道堆放纸箱', visit_id: 'v1',
    });
    const caseId = await findingToCase((await db.records.get(findingId))!);
    const created = (await db.records.get(caseId))!;
    expect(created.fields).toMatchObject({ title: '三号楼道堆放纸箱', source: 'patrol', category: '乱堆物', visit_id: 'v1' });
    expect((await db.records.get(findingId))!.fields.case_id).toBe(caseId);
  });

  it('nothing is written while nobody is logged in', async () => {
    await expect(saveRecord('suggestion', 'c1', null, { content: 'x' })).rejects.toThrow('not logged in');
  });
});
