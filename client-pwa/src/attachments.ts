// Photos attached to records: taking one (a downscaled JPEG kept on the phone, and an
// attachment record queued) and showing one (from the phone, else fetched once and
// kept so it shows offline from then on). No DOM here; photo.ts does the drawing.
import { currentDb, requireDb } from './account';
import { api, online } from './connection';
import type { LocalRecord } from './db';
import { saveRecord } from './edits';
import { downscale, sha256Hex } from './photo';
import { isoLocal } from './time';

export async function addPhoto(parent: LocalRecord, file: Blob): Promise<void> {
  const db = requireDb();
  const jpeg = await downscale(file);
  const sha256 = await sha256Hex(jpeg);
  await db.blobs.put({ sha256, blob: jpeg, media_type: 'image/jpeg', size: jpeg.size, uploaded: 0 });
  await saveRecord('attachment', parent.community_id, null, {
    parent_kind: parent.kind,
    parent_id: parent.id,
    sha256,
    media_type: 'image/jpeg',
    taken_at: isoLocal(Date.now()),
  });
}

/** A photo's bytes, or null while it is neither on the phone nor reachable. */
export async function photoBlob(sha256: string): Promise<Blob | null> {
  const db = currentDb();
  const stored = await db?.blobs.get(sha256);
  if (stored) return stored.blob;
  if (!db || !online.get()) return null;
  // Pulled photos arrive as records only; their bytes are fetched on first showing.
  try {
    const blob = await api.getBlob(sha256);
    await db.blobs.put({ sha256, blob, media_type: blob.type, size: blob.size, uploaded: 1 });
    return blob;
  } catch {
    return null;
  }
}
