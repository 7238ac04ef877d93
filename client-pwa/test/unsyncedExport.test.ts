import { describe, expect, it } from 'vitest';
import { account } from '../src/account';
import { enqueue, recordRejection, toWire } from '../src/outbox';
import { exportUnsynced } from '../src/unsyncedExport';
import { freshDb, signIn } from './helpers';

const T0 = 1_764_316_800_000;

describe('exporting unsynced work', () => {
  it('the file alone holds the queue, the rejected mutations and the photos not uploaded', async () => {
    const db = await freshDb();
    signIn(db);
    const queued = await enqueue(db, { kind: 'suggestion', record_id: 's1', community_id: 'c1', fields: { content: '装个路灯' } }, T0);
    const bad = await enqueue(db, { kind: 'bogus', record_id: 'b1', community_id: 'c1', fields: {} }, T0 + 1);
    await recordRejection(db, toWire(bad), { code: 'unknown_kind', message: '没有这种记录' }, T0 + 2);
    const photo = new Uint8Array([0xff, 0xd8, 0xff, 0x00, 0x10]);
    await db.blobs.bulkAdd([
      { sha256: 'a'.repeat(64), blob: new Blob([photo]), media_type: 'image/jpeg', size: 5, uploaded: 0 },
      { sha256: 'b'.repeat(64), blob: new Blob([photo]), media_type: 'image/jpeg', size: 5, uploaded: 1 },
    ]);

    const file = await exportUnsynced(account.get(), T0);
    expect(file.type).toBe('application/json');
    const data = JSON.parse(await file.text());
    expect(data.user.id).toBe('u-test');
    expect(data.device_id).toBe('dev-test');
    expect(data.outbox.map((m: { id: string }) => m.id)).toEqual([queued.id, bad.id]);
    expect(data.rejected.map((r: { id: string }) => r.id)).toEqual([bad.id]);
    expect(data.photos_not_uploaded).toHaveLength(1);
    expect(data.photos_not_uploaded[0].sha256).toBe('a'.repeat(64));
    expect([...atob(data.photos_not_uploaded[0].base64)].map((c) => c.charCodeAt(0))).toEqual([...photo]);
  });

  it('with nobody logged in the file is empty', async () => {
    expect((await exportUnsynced(null)).size).toBe(0);
  });
});
