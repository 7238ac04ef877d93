import { describe, expect, it } from 'vitest';
import { Controller } from '../src/controller';
import { enqueue, recordRejection, toWire } from '../src/outbox';
import { freshDb } from './helpers';

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
    const app = new Controller();
    app.db = db;
    const entry = (await db.rejected.get(bad.id))!;
    await app.resend(entry, { ...bad.fields, channel: 'phone', content: '已电话告知' });
    const [resent] = await db.outbox.toArray();
    expect(resent!.id).not.toBe(bad.id);
    expect(resent!.seq).toBe(bad.seq + 1);
    expect(resent!.record_id).toBe('step-1');
    expect(resent!.fields).toMatchObject({ case_id: 'k1', action: 'feedback', content: '已电话告知' });
    expect((await db.rejected.get(bad.id))!.resent_as).toBe(resent!.id);
  });
});
