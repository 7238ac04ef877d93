// What this user records, and where: their communities and the form schema. Both are
// kept in the user's database, so the forms work offline from the second visit.
import { ApiFailure } from './api';
import { api, authExpired } from './connection';
import { META, getMeta, setMeta, type WorkroomDb } from './db';
import { Observable } from './observable';
import type { Community, KindSpec, SchemaExport } from './types';

export interface Profile {
  communities: Community[];
  schema: SchemaExport | null;
}

export const profile = new Observable<Profile>({ communities: [], schema: null });

/** What the last online start stored: enough for an offline start. */
export async function loadCachedProfile(db: WorkroomDb): Promise<void> {
  profile.set({
    schema: (await getMeta<SchemaExport>(db, META.schema)) ?? null,
    communities: (await getMeta<Community[]>(db, META.communities)) ?? [],
  });
}

/** Communities and the form schema, refreshed whenever the app opens online. */
export async function refreshProfile(db: WorkroomDb): Promise<void> {
  try {
    const me = await api.me();
    profile.set({ ...profile.get(), communities: me.communities });
    await setMeta(db, META.communities, me.communities);
  } catch (err) {
    if (err instanceof ApiFailure && err.isAuth) authExpired.set(true);
  }
  try {
    const schema = await api.schema();
    profile.set({ ...profile.get(), schema });
    await setMeta(db, META.schema, schema);
  } catch {
    // Offline or not yet deployed: the cached schema keeps the forms working.
  }
}

export function kindSpec(kind: string): KindSpec | null {
  return profile.get().schema?.kinds.find((k) => k.kind === kind) ?? null;
}

export function kindLabel(kind: string): string {
  return kindSpec(kind)?.label ?? kind;
}
