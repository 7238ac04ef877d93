// The PWA's names for the wire types, which are generated from the server's Structs
// (wire.gen.ts, by ops/gen_wire_types.py): no wire shape is written here by hand. What
// is here is the client's own narrowing of them.
import type * as wire from './wire.gen';

export type * from './wire.gen';

/** A record's field values, by field name. */
export type Fields = Record<string, unknown>;

export type User = wire.UserOut;
export type Community = wire.CommunityOut;
export type ApiError = wire.ErrorOut;

/** A mutation as this device queues and sends it: always based on a known version. */
export interface Mutation extends wire.Mutation {
  base_version: number;
}

export type PushResult = wire.MutationResult;
/**
 * A pulled record. The server always names who wrote it and when; the phone copes
 * without (a record it created itself has no provenance until pulled back), so it
 * does not insist on them.
 */
export type PulledRecord = Omit<wire.RecordOut, Provenance> & Partial<Pick<wire.RecordOut, Provenance>>;
type Provenance = 'updated_at' | 'created_by' | 'created_at';

export interface PullResponse extends Omit<wire.PullResponse, 'records'> {
  records: PulledRecord[];
}
export type FieldType = wire.FieldSpec['type'];
export type ConflictEntry = wire.ConflictOut;
