import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { account } from '../src/account';
import { photoBlob } from '../src/attachments';
import { online } from '../src/connection';
import { freshDb, signIn } from './helpers';

const SHA = 'c'.repeat(64);

beforeEach(() => account.set(null));
afterEach(() => {
  vi.unstubAllGlobals();
  online.set(true);
});

describe('showing a photo', () => {
  it('one taken on this phone shows from the phone, without the network', async () => {
    const db = await freshDb();
    signIn(db);
    await db.blobs.put({ sha256: SHA, blob: new Blob([new Uint8Array([1])]), media_type: 'image/jpeg', size: 1, uploaded: 0 });
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    online.set(false);
    expect(await photoBlob(SHA)).not.toBeNull();
    expect(fetch).not.toHaveBeenCalled();
  });

  it('a pulled photo is fetched once, then kept for offline', async () => {
    const db = await freshDb();
    signIn(db);
    const fetch = vi.fn(async () => new Response(new Uint8Array([9, 9]), { status: 200, headers: { 'Content-Type': 'image/jpeg' } }));
    vi.stubGlobal('fetch', fetch);
    expect((await photoBlob(SHA))?.size).toBe(2);
    expect((await db.blobs.get(SHA))?.uploaded).toBe(1);
    online.set(false);
    expect((await photoBlob(SHA))?.size).toBe(2);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('offline, or refused by the server, it is not there yet', async () => {
    const db = await freshDb();
    signIn(db);
    vi.stubGlobal('fetch', vi.fn(async () => new Response('', { status: 403 })));
    expect(await photoBlob(SHA)).toBeNull();
    online.set(false);
    expect(await photoBlob(SHA)).toBeNull();
    expect(await db.blobs.get(SHA)).toBeUndefined();
  });
});
