// How the sync loop treats a failed request, by the sync protocol: what may succeed
// if simply sent again later, what needs the user to log in again, and what no retry
// can fix. One definition, so the loop and the sync screen never disagree. No DOM.
import { ApiFailure } from './api';

export type FailureClass = 'transient' | 'auth' | 'permanent';

/** The server is waiting for an earlier seq this phone no longer holds. */
export const SEQ_GAP = 'seq_gap';

/**
 * - transient: no network (`network`), a 5xx (the server restarting: 503 `unavailable`
 *   comes with Retry-After), 429 rate limiting, 408 — back off and retry;
 * - auth: 401 — never retried (a dead token only locks the account), log in again;
 * - permanent: every other 4xx, and `seq_gap`, which the phone detects itself — the
 *   same request would get the same answer, so the loop stops until the user retries.
 *
 * An unexpected error on the phone itself (`client`: storage busy, a failed read) is
 * retried with backoff, as before: nothing says a second try would fail too.
 */
export function classifyFailure(failure: ApiFailure): FailureClass {
  if (failure.isAuth) return 'auth';
  if (failure.status === 0) {
    return failure.code === 'network' || failure.code === 'client' ? 'transient' : 'permanent';
  }
  if (failure.status >= 500 || failure.status === 429 || failure.status === 408) return 'transient';
  return 'permanent';
}

/** Anything thrown during a sync, as an ApiFailure (code `client` when not from the API). */
export function asFailure(err: unknown): ApiFailure {
  return err instanceof ApiFailure ? err : new ApiFailure(0, 'client', String(err));
}
