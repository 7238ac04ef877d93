// A small in-memory stand-in for the sync server, just enough protocol to drive the
// client's loop: acked_seq, duplicates, rejection of unknown kinds, cursors and page
// runs, blobs.
import { ApiFailure } from '../src/api';
import type { SyncApi } from '../src/sync';
import type { Mutation, PulledRecord, PushResponse } from '../src/types';

export class FakeServer implements SyncApi {
  records = new Map<string, PulledRecord>();
  seen = new Set<string>();
  ackedSeq = 0;
  version = 0;
  pushes: Mutation[][] = [];
  pulls: (string | null)[] = [];
  blobs = new Set<string>();
  putCalls: string[] = [];
  failNext: ApiFailure[] = [];
  serverTime = 1_764_316_900_000;
  rejectKinds = new Set<string>(['bogus']);

  private maybeFail(): void {
    const f = this.failNext.shift();
    if (f) throw f;
  }

  async push(body: { device_time: number; mutations: Mutation[] }): Promise<PushResponse> {
    this.maybeFail();
    this.pushes.push(body.mutations);
    const results = body.mutations.map((m) => {
      if (this.seen.has(m.id)) return { id: m.id, status: 'duplicate' as const };
      this.seen.add(m.id);
      if (m.seq === this.ackedSeq + 1) this.ackedSeq = m.seq;
      if (this.rejectKinds.has(m.kind)) {
        return { id: m.id, status: 'rejected' as const, error: { code: 'unknown_kind', message: 'no such kind' } };
      }
      this.version += 1;
      const prev = this.records.get(m.record_id);
      this.records.set(m.record_id, {
        kind: m.kind,
        id: m.record_id,
        community_id: m.community_id,
        version: this.version,
        fields: { ...(prev?.fields ?? {}), ...m.fields },
      });
      return { id: m.id, status: 'applied' as const };
    });
    return { acked_seq: this.ackedSeq, server_time: this.serverTime, hlc: `${this.serverTime}:00000:server`, results };
  }

  async pull(cursor: string | null, limit: number) {
    this.maybeFail();
    this.pulls.push(cursor);
    // As on the real server, a page run reads only up to the horizon its first page
    // saw: a mid-run cursor ("position@horizon") carries it until the run ends.
    const [position, carried] = (cursor ?? '0').split('@');
    const after = Number(position);
    const horizon = carried === undefined ? this.version : Number(carried);
    const changed = [...this.records.values()]
      .filter((r) => r.version > after && r.version <= horizon)
      .sort((a, b) => a.version - b.version);
    const page = changed.slice(0, limit);
    const hasMore = changed.length > page.length;
    const last = page.length ? page[page.length - 1]!.version : after;
    return {
      cursor: hasMore ? `${last}@${horizon}` : String(horizon),
      has_more: hasMore,
      server_time: this.serverTime,
      hlc: `${this.serverTime}:00000:server`,
      records: page,
      purge: [],
    };
  }

  async missingBlobs(hashes: string[]) {
    this.maybeFail();
    return { missing: hashes.filter((h) => !this.blobs.has(h)) };
  }

  async putBlob(sha256: string) {
    this.maybeFail();
    this.putCalls.push(sha256);
    this.blobs.add(sha256);
  }
}
