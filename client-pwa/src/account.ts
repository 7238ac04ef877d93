// Who is logged in on this phone, and their database (one per user). Only login.ts
// changes it; the modules that read or write the user's data ask it for the database.
import type { WorkroomDb } from './db';
import { Observable } from './observable';
import type { Session } from './session';

export interface Account {
  session: Session;
  db: WorkroomDb;
}

export const account = new Observable<Account | null>(null);

export function currentDb(): WorkroomDb | null {
  return account.get()?.db ?? null;
}

/** The database for a write; screens only offer writes while someone is logged in. */
export function requireDb(): WorkroomDb {
  const db = currentDb();
  if (!db) throw new Error('not logged in');
  return db;
}

export function currentUserId(): string | undefined {
  return account.get()?.session.user.id;
}
