// "导出未同步记录": everything not yet on the server — the outbox, the rejected
// mutations and the photos not uploaded, bytes included — as one JSON file, so the
// file alone is enough to recover the work if the phone cannot sync. No DOM; the sync
// screen offers the file for download.
import { account, type Account } from './account';
import { isoLocal } from './time';

export async function exportUnsynced(current: Account | null = account.get(), now = Date.now()): Promise<Blob> {
  if (!current) return new Blob([]);
  const { db, session } = current;
  const data = {
    exported_at: isoLocal(now),
    user: session.user,
    device_id: session.device_id,
    outbox: await db.outbox.toArray(),
    rejected: await db.rejected.toArray(),
    photos_not_uploaded: await Promise.all(
      (await db.blobs.where('uploaded').equals(0).toArray()).map(async (b) => ({
        sha256: b.sha256,
        media_type: b.media_type,
        base64: toBase64(new Uint8Array(await b.blob.arrayBuffer())),
      })),
    ),
  };
  return new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
