import { describe, expect, it } from 'vitest';
import { Api, ApiFailure } from '../src/api';
import { asFailure, classifyFailure, SEQ_GAP } from '../src/failures';
import { BACKOFF_CAP_MS, backoffDelay, retryDelay } from '../src/sync';

const at = (status: number, code = `http_${status}`) => classifyFailure(new ApiFailure(status, code, ''));

describe('which sync failures are retried', () => {
  it('no network, every 5xx, 429 and 408 are transient', () => {
    expect(at(0, 'network')).toBe('transient');
    for (let status = 500; status < 600; status++) expect(at(status)).toBe('transient');
    expect(at(503, 'unavailable')).toBe('transient');
    expect(at(429, 'rate_limited')).toBe('transient');
    expect(at(408)).toBe('transient');
  });

  it('a 401 asks for a new login, whatever its code', () => {
    expect(at(401, 'unauthorized')).toBe('auth');
    expect(at(401, 'invalid_credentials')).toBe('auth');
  });

  it('every other 4xx is permanent: the same request would get the same answer', () => {
    for (let status = 400; status < 500; status++) {
      if (status === 401 || status === 408 || status === 429) continue;
      expect(at(status)).toBe('permanent');
    }
    for (const code of ['malformed_json', 'invalid_body', 'invalid_cursor', 'hash_mismatch']) expect(at(400, code)).toBe('permanent');
    expect(at(403, 'forbidden')).toBe('permanent');
    expect(at(413, 'too_large')).toBe('permanent');
    expect(at(415, 'unsupported_type')).toBe('permanent');
  });

  it('a seq gap the phone detects itself is permanent; an unexpected error on the phone is retried', () => {
    expect(at(0, SEQ_GAP)).toBe('permanent');
    const local = asFailure(new Error('QuotaExceededError'));
    expect(local.code).toBe('client');
    expect(classifyFailure(local)).toBe('transient');
  });
});

describe('how long a transient failure waits', () => {
  it('doubles per attempt up to the cap', () => {
    for (let attempt = 1; attempt < 40; attempt++) {
      expect(backoffDelay(attempt + 1)).toBe(Math.min(2 * backoffDelay(attempt), BACKOFF_CAP_MS));
    }
    expect(backoffDelay(50)).toBe(BACKOFF_CAP_MS);
  });

  it('waits at least the server Retry-After, never beyond the cap', () => {
    expect(retryDelay(1)).toBe(backoffDelay(1));
    expect(retryDelay(1, 30_000)).toBe(30_000);
    expect(retryDelay(5, 1_000)).toBe(backoffDelay(5));
    expect(retryDelay(1, 3_600_000)).toBe(BACKOFF_CAP_MS);
  });
});

describe('the server Retry-After', () => {
  const answer = (headers: Record<string, string>) =>
    new Api(async () => new Response(JSON.stringify({ error: { code: 'unavailable', message: '' } }), { status: 503, headers }));

  it('reaches the loop in seconds or as a date, and is absent when not sent', async () => {
    await expect(answer({ 'Retry-After': '5' }).pull(null, 10)).rejects.toMatchObject({ status: 503, retryAfterMs: 5_000 });
    const soon = new Date(Date.now() + 60_000).toUTCString();
    const failure = (await answer({ 'Retry-After': soon }).pull(null, 10).catch((e: unknown) => e)) as ApiFailure;
    expect(failure.retryAfterMs).toBeGreaterThan(55_000);
    expect(failure.retryAfterMs).toBeLessThanOrEqual(60_000);
    await expect(answer({}).pull(null, 10)).rejects.toMatchObject({ retryAfterMs: undefined });
  });
});
