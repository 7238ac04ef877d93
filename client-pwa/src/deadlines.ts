// When a case is late, as the console's ledger counts it: past its deadline and not yet
// dealt with. Which stages are "dealt with" is the server's (GET /api/v1/schema,
// `resolved_statuses`), not a copy here. No DOM.
import type { LocalRecord } from './db';

/** A schema cached by an older server has no list: then only a closed case is done. */
export const DEFAULT_RESOLVED: readonly string[] = ['closed'];

export function isOverdue(c: LocalRecord, now: number, resolved: readonly string[]): boolean {
  const due = Date.parse(String(c.fields.due_at ?? ''));
  return !Number.isNaN(due) && due < now && !resolved.includes(String(c.fields.status ?? 'received'));
}
